package lesson

import (
	"regexp"
	"testing"
)

// TestMatchFastPath: a text matcher's literal shortcuts agree with its
// regular expression on lines that match, lines that differ at the start,
// at the end, and around placeholders.
func TestMatchFastPath(t *testing.T) {
	texts := []string{"hello", "hello {{num}}", "{{addr}} freed", "pfn {{pfn}} at {{kptr}}", "a.b(c) {{hex}} d", "x{{word}}y{{any}}", "{{}", "100% {{ num }}", ""}
	lines := []string{"hello", "hello ", "hello 42", "hello 42 ", "xhello", "0xffff888003c1e000 freed", "freed", "pfn 12 at 00000000bdc99002", "pfn x at 0",
		"a.b(c) 0x1f d", "aXb(c) 1f d", "xAyB", "xy", "{{}", "100% 7", "100% -3x", ""}
	for _, text := range texts {
		m := &Matcher{Text: text}
		expr, _, err := textPattern(text)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		re := regexp.MustCompile("^" + expr + "$")
		for _, line := range lines {
			if got, want := m.Match(line), re.MatchString(line); got != want {
				t.Errorf("Matcher{%q}.Match(%q) = %v, the expression says %v", text, line, got, want)
			}
		}
	}
}

// TestMatchLiterals: a regular expression of literals is matched by
// looking for them, with the expression's own answers.
func TestMatchLiterals(t *testing.T) {
	exprs := []string{"Oops|BUG:|KASAN", `order:2, mode:0x40a20\(GFP_ATOMIC\|__GFP_COMP\)`, "a|ab", "(?i)oops", "x+", "^BUG", "é|ü", "BUG: KASAN"}
	lines := []string{"", "Oops: 0000", "BUG: KASAN: slab-out-of-bounds", "kasan", "order:2, mode:0x40a20(GFP_ATOMIC|__GFP_COMP)",
		"ab", "OOPS", "xx", " BUG", "café", "BUG:KASAN"}
	for _, expr := range exprs {
		m := &Matcher{Re: expr}
		re := regexp.MustCompile(expr)
		for _, line := range lines {
			if got, want := m.Match(line), re.MatchString(line); got != want {
				t.Errorf("Matcher{re: %q}.Match(%q) = %v, the expression says %v", expr, line, got, want)
			}
		}
	}
	if got := literals("Oops|BUG:|KASAN"); len(got) != 3 {
		t.Errorf("literals(Oops|BUG:|KASAN) = %q, want the three words", got)
	}
}
