// Package explain holds kscript's explanations of kernel reports: after a
// KASAN report, a kmemleak leak, an Oops or any other report the simulated
// kernel makes, a short block in Thai or English tells a student what went
// wrong, at which line of the script, and the usual fix.
//
// The block is kscript's own words, never kernel output, and says so on its
// first line; the caller (the CLI, the grader) decides where it goes and
// how it is coloured. Technical terms (Page, slab, GFP flag, Buddy System,
// KASAN) stay in English in the Thai text, as Thai courses use them.
//
// The catalogue is keyed by kernelsim.Report.Class; Key refines a few
// classes from the report's title where the kernel's own report does not
// tell the student's mistake apart (an Oops on a user address is a __user
// pointer dereferenced directly, an Oops on a non-existent struct page is
// a free given the wrong kind of pointer).
package explain

import (
	"sort"
	"strconv"
	"strings"

	"kscript.dev/kscript/kernelsim"
)

// Entry is the explanation of one report class in one language.
type Entry struct {
	Title string // a short name of the mistake
	What  string // what went wrong; {line} stands for the script line
	Fix   string // the usual fix
}

// texts are an entry's two languages.
type texts struct{ en, th Entry }

// Classes lists every report class the catalogue explains, sorted.
func Classes() []string {
	out := make([]string, 0, len(catalogue.Get()))
	for c := range catalogue.Get() {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the entry for a class in lang ("th…" is Thai, anything
// else English); ok is false for a class the catalogue does not know.
func Lookup(class, lang string) (e Entry, ok bool) {
	t, ok := catalogue.Get()[class]
	if !ok {
		return Entry{}, false
	}
	if isThai(lang) {
		return t.th, true
	}
	return t.en, true
}

func isThai(lang string) bool { return strings.HasPrefix(strings.ToLower(lang), "th") }

// zeroSizePtr mirrors ZERO_SIZE_PTR (include/linux/slab.h): what kmalloc(0)
// returns, ((void *)16), so that using it faults at 0x10 and a little above.
const zeroSizePtr = 0x10

// Key returns the catalogue key that explains r: its class, refined from
// the title where the class alone is too coarse.
func Key(r kernelsim.Report) string {
	switch r.Class {
	case "oops", "null-deref":
		a, ok := faultAddr(r.Title)
		switch {
		case !ok:
		case a >= zeroSizePtr && a < zeroSizePtr+0x100:
			return "zero-size-ptr"
		case a >= kernelsim.PageSize && kernelsim.IsUserAddr(a):
			return "user-pointer-deref"
		case a >= kernelsim.VmemmapBase && a < kernelsim.VmemmapBase+1<<41:
			return "bogus-struct-page"
		}
	case "invalid-free":
		if strings.HasPrefix(r.Title, "cache_from_obj: Wrong slab cache") {
			return "wrong-cache-free"
		}
	}
	return r.Class
}

// faultAddr reads the address at the end of a page fault title ("BUG:
// unable to handle page fault for address: 00007ffc1234a000").
func faultAddr(title string) (kernelsim.Addr, bool) {
	const marker = "address: "
	i := strings.LastIndex(title, marker)
	if i < 0 {
		return 0, false
	}
	v, err := strconv.ParseUint(title[i+len(marker):], 16, 64)
	return kernelsim.Addr(v), err == nil
}

// For returns the explanation block for report r in lang:
//
//	kscript: use-after-free — memory used after it was freed
//	  at hello.star:23 in hello_exit
//	  What went wrong: ...
//	  Usual fix: ...
//
// A class the catalogue does not know gets a general explanation, so every
// report has one.
func For(r kernelsim.Report, lang string) string {
	key := Key(r)
	e, ok := Lookup(key, lang)
	if !ok {
		e, _ = Lookup("unknown", lang)
	}
	th := isThai(lang)
	f, ok := scriptFrame(r)
	line := ""
	var b strings.Builder
	b.WriteString("kscript: " + key + " — " + e.Title + "\n")
	if ok {
		line = f.File + ":" + strconv.Itoa(f.Line)
		if th {
			b.WriteString("  ที่ " + line + " ในฟังก์ชัน " + f.Func + "\n")
		} else {
			b.WriteString("  at " + line + " in " + f.Func + "\n")
		}
	}
	if line == "" {
		line = map[bool]string{false: "this point", true: "จุดนี้"}[th]
	}
	what := strings.ReplaceAll(e.What, "{line}", line)
	if th {
		b.WriteString("  เกิดอะไรขึ้น: " + what + "\n")
		b.WriteString("  วิธีแก้ที่พบบ่อย: " + e.Fix + "\n")
	} else {
		b.WriteString("  What went wrong: " + what + "\n")
		b.WriteString("  Usual fix: " + e.Fix + "\n")
	}
	return b.String()
}

// scriptFrame returns the innermost script frame of r; ok is false when the
// report was made outside script code (at rmmod, in the kernel's own work).
func scriptFrame(r kernelsim.Report) (f kernelsim.Frame, ok bool) {
	for _, f := range r.Stack {
		if f.File != "" {
			return f, true
		}
	}
	return kernelsim.Frame{}, false
}
