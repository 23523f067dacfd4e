package shell

import (
	"strings"
	"testing"
)

// TestGrepLiteralsSameAsRegexp: when grep's patterns are plain text
// (literals), looking for the texts selects exactly the lines the compiled
// expression matches: every syntax, alternatives, empty patterns, lines
// with multi-byte and invalid UTF-8; patterns with an operator are left to
// the expression.
func TestGrepLiteralsSameAsRegexp(t *testing.T) {
	lines := []string{"", "module", "tasklet ran", "Tasklet", "a|b", "x.y", "failure: out of memory",
		"kmalloc-64 € 32", "\xe2\x82", "\xf0\xe2\x82\xac", "naïve café", "(hello)", "a+b?", "{1,2}", "\x00nul",
		"[   12.345678] hello_kmalloc: allocated 32 bytes", "major number 240"}
	cases := []struct {
		syntax   byte
		patterns []string
		literal  bool
	}{
		{'G', []string{"hello_kmalloc"}, true},
		{'G', []string{"major number"}, true},
		{'G', []string{"a|b"}, true},
		{'G', []string{"(hello)", "a+b?", "{1,2}"}, true},
		{'G', []string{"€"}, true},
		{'G', []string{""}, true},
		{'G', []string{"x.y"}, false},
		{'G', []string{`a\|b`}, false},
		{'E', []string{"module|tasklet|Tasklet|Timer|failure|failed"}, true},
		{'E', []string{"a||b"}, true},
		{'E', []string{"|"}, true},
		{'E', []string{"naïve|€"}, true},
		{'E', []string{"a+b"}, false},
		{'E', []string{"(hello)"}, false},
		{'F', []string{"x.y", "a+b?"}, true},
		{'F', []string{"{1,2}\n[  "}, true},
		{'F', []string{"\xe2\x82"}, false},
		{'F', []string{"\uFFFD"}, false},
	}
	for _, c := range cases {
		for _, invert := range []bool{false, true} {
			o := &grepOptions{syntax: c.syntax, patterns: c.patterns, invert: invert}
			re, err := o.compile()
			lits, ok := o.literals()
			if err != nil { // an error either way: cmdGrep compiles first
				if ok {
					t.Fatalf("%c %q: %v, and texts to look for", c.syntax, c.patterns, err)
				}
				continue
			}
			if ok != c.literal {
				t.Fatalf("%c %q: literals ok=%v, want %v", c.syntax, c.patterns, ok, c.literal)
			}
			if !ok {
				continue
			}
			for _, l := range lines {
				got := false
				for _, lit := range lits {
					got = got || strings.Contains(l, lit)
				}
				if want := re.MatchString(l); got != want {
					t.Errorf("%c %q on %q: texts %v, expression %v", c.syntax, c.patterns, l, got, want)
				}
			}
		}
	}
	for _, o := range []*grepOptions{{syntax: 'G', patterns: []string{"a"}, icase: true}, {syntax: 'F', patterns: []string{"a"}, word: true},
		{syntax: 'F', patterns: []string{"a"}, line: true}, {syntax: 'E', patterns: []string{"a"}, only: true}} {
		if _, ok := o.literals(); ok {
			t.Errorf("%+v: texts instead of the expression", o)
		}
	}
}
