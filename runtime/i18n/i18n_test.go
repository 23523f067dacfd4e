package i18n

import (
	"reflect"
	"testing"
)

func TestCatalog(t *testing.T) {
	c := Catalog{
		"n":     {"%d calls of %s", "เรียก %[2]s %[1]d ครั้ง"},
		"plain": {"done", "เสร็จ"},
		"th":    {"%s", ""},
		"extra": {"%d%%", "%d %s"},
	}
	if got := c.T("plain"); got != (Text{"done", "เสร็จ"}) {
		t.Errorf("T(plain) = %+v", got)
	}
	// A Text argument is rendered in each language.
	got := c.T("n", 3, Text{EN: "kmalloc", TH: "kmalloc()"})
	if got.EN != "3 calls of kmalloc" || got.In("th") != "เรียก kmalloc() 3 ครั้ง" {
		t.Errorf("T(n) = %+v", got)
	}
	if got := c.T("unknown"); got != Plain("unknown") {
		t.Errorf("T(unknown) = %+v", got)
	}
	if got := c.T("th", "x").In("th"); got != "x" {
		t.Errorf("an empty Thai text falls back to English: %q", got)
	}
	if got := c.Missing(); !reflect.DeepEqual(got, []string{"th"}) {
		t.Errorf("Missing() = %v", got)
	}
	if got := c.VerbMismatch(); !reflect.DeepEqual(got, []string{"extra", "th"}) {
		t.Errorf("VerbMismatch() = %v", got)
	}
	if got := Join([]Text{Plain("a"), {EN: "b", TH: "ข"}}, ", "); got != (Text{"a, b", "a, ข"}) {
		t.Errorf("Join = %+v", got)
	}
}

func TestSingular(t *testing.T) {
	for in, want := range map[string]string{
		"at least 1 calls":                     "at least 1 call",
		"1 submissions":                        "1 submission",
		"kscript: lint: 1 problems in 1 files": "kscript: lint: 1 problem in 1 file",
		"11 calls, 21 files, 0.1 points":       "11 calls, 21 files, 0.1 points",
		"-1 points":                            "-1 points",
		"the same report 1 more times":         "the same report 1 more time",
		"1 bus":                                "1 bus",
		"2 calls":                              "2 calls",
		"false: 1 leak reports":                "false: 1 leak report",
		"1 free blocks of order 3":             "1 free block of order 3",
		"1 calls with GFP_KERNEL":              "1 call with GFP_KERNEL",
		"1 below its":                          "1 below its",
		"1 more pages, 1 KASAN reports":        "1 more page, 1 KASAN report",
		"1 more times":                         "1 more time",
	} {
		if got := Singular(in); got != want {
			t.Errorf("Singular(%q) = %q, want %q", in, got, want)
		}
	}
	c := Catalog{"n": {"%d calls", "เรียก %d ครั้ง"}}
	if got := c.T("n", 1); got.EN != "1 call" || got.TH != "เรียก 1 ครั้ง" {
		t.Errorf("T(n, 1) = %+v", got)
	}
}

// TestLazyCatalog: a lazy catalog formats as the catalog it builds.
func TestLazyCatalog(t *testing.T) {
	l := Lazy(func() Catalog {
		return Catalog{"n": {"%d calls", "เรียก %d ครั้ง"}, "th": {"only English", ""}, "x": {"%d a", "b"}}
	})
	if got := l.T("n", 2); got.EN != "2 calls" || got.TH != "เรียก 2 ครั้ง" {
		t.Errorf("T = %+v", got)
	}
	if got := l.Missing(); len(got) != 1 || got[0] != "th" {
		t.Errorf("Missing() = %v", got)
	}
	if got := l.VerbMismatch(); len(got) != 1 || got[0] != "x" {
		t.Errorf("VerbMismatch() = %v", got)
	}
}
