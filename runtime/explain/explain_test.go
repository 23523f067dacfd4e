package explain

import (
	"strings"
	"testing"
	"unicode"

	"kscript.dev/kscript/kernelsim"
)

// reportClasses are the classes kernelsim reports (kernelsim.Report.Class)
// and the finer ones reports may adopt: each must be explained.
var reportClasses = []string{
	"page-allocation-failure", "vmalloc-failure", "slab-out-of-bounds", "global-out-of-bounds",
	"vmalloc-out-of-bounds", "use-after-free", "double-free", "invalid-free", "mismatched-free",
	"bad-page-state", "wrong-order-free", "free-pages-struct-page", "bad-vfree", "wrong-cache-free",
	"cache-still-has-objects", "memory-leak", "sleeping-in-atomic", "scheduling-while-atomic",
	"lock-leak", "hung-task", "soft-lockup", "null-deref", "zero-size-ptr", "user-pointer-deref", "oops", "usercopy",
	"copy-overflow", "pending-after-unload", "unloaded-code", "chrdev-left-registered",
	"fault-injection", "warning", "panic",
}

func hasThai(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Thai, r) {
			return true
		}
	}
	return false
}

func TestCatalogueComplete(t *testing.T) {
	for _, c := range reportClasses {
		t.Run(c, func(t *testing.T) {
			en, ok1 := Lookup(c, "en")
			th, ok2 := Lookup(c, "th")
			if !ok1 || !ok2 {
				t.Fatalf("no entry")
			}
			for _, e := range []struct {
				lang  string
				entry Entry
				thai  bool
			}{{"en", en, false}, {"th", th, true}} {
				for _, f := range []string{e.entry.Title, e.entry.What, e.entry.Fix} {
					if strings.TrimSpace(f) == "" {
						t.Errorf("%s: empty field in %+v", e.lang, e.entry)
					}
					if hasThai(f) != e.thai && f != "kernel panic" {
						t.Errorf("%s: %q is in the wrong language", e.lang, f)
					}
				}
			}
		})
	}
	for _, c := range Classes() {
		if _, ok := Lookup(c, "th_TH.UTF-8"); !ok {
			t.Errorf("Classes lists %q without a Thai entry", c)
		}
	}
}

func TestKey(t *testing.T) {
	tests := []struct {
		name string
		r    kernelsim.Report
		want string
	}{
		{"class", kernelsim.Report{Class: "use-after-free"}, "use-after-free"},
		{"user pointer", kernelsim.Report{Class: "oops", Title: "BUG: unable to handle page fault for address: 00007ffc1234a000"}, "user-pointer-deref"},
		{"NULL", kernelsim.Report{Class: "null-deref", Title: "BUG: kernel NULL pointer dereference, address: 0000000000000008"}, "null-deref"},
		{"ZERO_SIZE_PTR", kernelsim.Report{Class: "null-deref", Title: "BUG: kernel NULL pointer dereference, address: 0000000000000010"}, "zero-size-ptr"},
		{"ZERO_SIZE_PTR + 5", kernelsim.Report{Class: "null-deref", Title: "BUG: kernel NULL pointer dereference, address: 0000000000000015"}, "zero-size-ptr"},
		{"struct page", kernelsim.Report{Class: "oops", Title: "BUG: unable to handle page fault for address: ffffeb8800000008"}, "bogus-struct-page"},
		{"vmalloc oops", kernelsim.Report{Class: "oops", Title: "BUG: unable to handle page fault for address: ffffc90000a05000"}, "oops"},
		{"wrong cache", kernelsim.Report{Class: "invalid-free", Title: "cache_from_obj: Wrong slab cache. a but object is from b"}, "wrong-cache-free"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Key(tt.r); got != tt.want {
				t.Errorf("Key = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFor(t *testing.T) {
	r := kernelsim.Report{Class: "double-free", Stack: []kernelsim.Frame{
		{Func: "hello_exit", File: "hello.star", Line: 31, Module: "hello"}, {Func: "helper", File: "hello.star", Line: 40}}}
	got := For(r, "en")
	want := "kscript: double-free — the same memory freed twice\n" +
		"  at hello.star:31 in hello_exit\n" +
		"  What went wrong: The object freed at hello.star:31 had already been freed. Freeing twice corrupts the allocator's free lists: two later allocations could be handed the same memory.\n" +
		"  Usual fix: Free each allocation exactly once. Set the pointer to NULL after freeing it (kfree(NULL) does nothing) and decide which path, the error path or the exit function, owns the free.\n"
	if got != want {
		t.Errorf("For(en):\n%s\nwant:\n%s", got, want)
	}
	th := For(r, "th")
	for _, s := range []string{"kscript: double-free — คืนหน่วยความจำก้อนเดิมสองครั้ง\n", "  ที่ hello.star:31 ในฟังก์ชัน hello_exit\n",
		"  เกิดอะไรขึ้น: object ที่ปล่อยที่ hello.star:31 ถูกปล่อยไปแล้ว", "  วิธีแก้ที่พบบ่อย: "} {
		if !strings.Contains(th, s) {
			t.Errorf("For(th) lacks %q:\n%s", s, th)
		}
	}
	noLine := For(kernelsim.Report{Class: "pending-after-unload"}, "en")
	if strings.Contains(noLine, "  at ") || strings.Contains(noLine, "{line}") {
		t.Errorf("a report without a script frame:\n%s", noLine)
	}
	unknown := For(kernelsim.Report{Class: "something-new", Stack: r.Stack}, "en")
	if !strings.HasPrefix(unknown, "kscript: something-new — kernel report\n") || !strings.Contains(unknown, "hello.star:31") {
		t.Errorf("unknown class:\n%s", unknown)
	}
	for _, c := range Classes() {
		for _, lang := range []string{"en", "th"} {
			if s := For(kernelsim.Report{Class: c}, lang); strings.Contains(s, "{") {
				t.Errorf("%s/%s: unfilled placeholder in %q", c, lang, s)
			}
		}
	}
}
