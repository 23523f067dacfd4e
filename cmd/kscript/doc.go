package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lazy"
)

func (a *app) docCommand() *command {
	return &command{
		use:   "doc [NAME…]",
		short: "The kernel API reference: every builtin, its C signature, what it simulates",
		long: `doc prints the reference of the kernel API that scripts call. Without a
NAME it lists every builtin and constant by group with its C declaration;
with NAMEs it prints each one's C declaration, where a script may use it and
what it does and simulates, in --lang (en or th). The reference is generated
from the runtime's own table of builtins, so it cannot drift from what
scripts can call.`,
		example: "  kscript doc\n  kscript doc kmalloc GFP_ATOMIC\n  kscript doc --lang th copy_from_user",
		run:     func(_ *command, args []string) error { return a.doc(args) },
		validArgs: func(_ *command, _ []string, prefix string) ([]string, compDirective) {
			var names []string
			for _, t := range topicNames() {
				if strings.HasPrefix(t, prefix) {
					names = append(names, t)
				}
			}
			for _, api := range kruntime.APIs() {
				if strings.HasPrefix(api.Name, prefix) {
					names = append(names, api.Name)
				}
			}
			return names, compNoFileComp
		},
	}
}

func (a *app) doc(names []string) error {
	apis := kruntime.APIs()
	if len(names) == 0 {
		writeAPIIndex(a.stdout, apis, a.lang)
		writeTopicIndex(a.stdout, a.lang)
		return nil
	}
	for i, name := range names {
		if i > 0 {
			fmt.Fprintln(a.stdout)
		}
		if writeTopic(a.stdout, name, a.lang) {
			continue
		}
		api, ok := kruntime.LookupAPI(name)
		if !ok {
			return fail(exitUsage, "kscript: doc: no builtin %q%s", name, similarNames(name, apis))
		}
		writeAPI(a.stdout, api, a.lang)
	}
	return nil
}

// docWords are the words of the reference's headings in both languages:
// the groups of DESIGN §4, the kinds of name and the scopes.
var docWords = lazy.NewMap(docWordsTable)

func docWordsTable() map[string]string {
	return map[string]string{
		"Module":                        "module",
		"Module state":                  "สถานะของ module",
		"Pointers and memory":           "พอยน์เตอร์และหน่วยความจำ",
		"Slab":                          "slab",
		"Pages":                         "Page และ Buddy System",
		"vmalloc":                       "vmalloc",
		"GFP flags":                     "GFP flag",
		"printk":                        "printk",
		"Errors":                        "รหัสข้อผิดพลาด",
		"Contexts and deferred work":    "context และงานที่เลื่อนไปทำทีหลัง",
		"Char devices and user copies":  "char device และการคัดลอกข้อมูลกับ user space",
		"User programs":                 "โปรแกรมฝั่ง user",
		"function":                      "ฟังก์ชัน",
		"constant":                      "ค่าคงที่",
		"anywhere":                      "ทุกที่",
		"file scope":                    "ระดับไฟล์ (นอกฟังก์ชัน)",
		"kernel code":                   "โค้ดของ module (init, exit, callback)",
		"kernel code and user programs": "โค้ดของ module และโปรแกรมฝั่ง user",
		"user programs":                 "โปรแกรมฝั่ง user",
	}
}

// docWord returns a heading word in lang.
func docWord(s, lang string) string {
	if th, ok := docWords.Get()[s]; ok && lang == "th" {
		return th
	}
	return s
}

// writeAPIIndex lists the table by group, in the table's order.
func writeAPIIndex(w io.Writer, apis []kruntime.API, lang string) {
	group := ""
	for _, api := range apis {
		if api.Group != group {
			if group != "" {
				fmt.Fprintln(w)
			}
			group = api.Group
			fmt.Fprintln(w, docWord(group, lang))
		}
		fmt.Fprintf(w, "  %-24s %s\n", api.Name, api.C)
	}
}

// writeAPI prints one entry: name and group, C declaration, scope, text.
func writeAPI(w io.Writer, api kruntime.API, lang string) {
	kind := "function"
	if api.IsConst() {
		kind = "constant"
	}
	fmt.Fprintf(w, "%s (%s, %s)\n\n    %s\n\n", api.Name, docWord(api.Group, lang), docWord(kind, lang), api.C)
	scope := map[string]string{"en": "Allowed in: ", "th": "ใช้ได้ใน: "}[lang]
	fmt.Fprintf(w, "%s%s\n\n", scope, docWord(api.Scope.String(), lang))
	for _, line := range wrap(api.Doc(lang), 78) {
		fmt.Fprintln(w, line)
	}
}

// wrap breaks text into lines of at most width runes, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			switch {
			case line == "":
				line = word
			case len([]rune(line))+1+len([]rune(word)) > width:
				lines = append(lines, line)
				line = word
			default:
				line += " " + word
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// similarNames suggests table names one typo away from name, or that
// contain it, for a reference lookup that found nothing.
func similarNames(name string, apis []kruntime.API) string {
	var found []string
	low := strings.ToLower(name)
	for _, api := range apis {
		n := strings.ToLower(api.Name)
		if oneEditApart(low, n) || len(low) >= 3 && strings.Contains(n, low) {
			found = append(found, api.Name)
		}
	}
	if len(found) == 0 {
		return " (kscript doc lists them all)"
	}
	sort.Strings(found)
	if len(found) > 8 {
		found = append(found[:8], "…")
	}
	return " (see: " + strings.Join(found, ", ") + ")"
}

// oneEditApart reports whether a and b differ by one inserted, deleted or
// replaced byte.
func oneEditApart(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 || a == b {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}
