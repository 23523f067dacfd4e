package lesson

import (
	"strings"
	"testing"
)

// TestLintFileEveryProblem: one run reports every unknown key (with the
// nearest known key), the problems of the rest of the file, and nothing
// twice for the line of an unknown key.
func TestLintFileEveryProblem(t *testing.T) {
	var got []string
	for _, e := range LintFile("testdata/multi_problems.yaml") {
		got = append(got, strings.TrimPrefix(e.Header(), "testdata/multi_problems.yaml:"))
	}
	want := []string{
		`2:1: unknown field "titel" (did you mean title?)`,
		`7:25: unknown field "captur" (did you mean capture?)`,
		"9:17: dmesg: re: missing closing ): `(`",
		`10:3: unknown field "no_leak" (did you mean no_leaks?)`,
		`11:12: calls: context: "nowhere": want one of process, softirq, hardirq, atomic`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("LintFile\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"titel", "title", 1}, {"expct", "expect", 1}, {"", "abc", 3}, {"kfree", "kfree", 0}, {"krealoc", "krealloc", 1}} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
