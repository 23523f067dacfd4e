package i18n

import (
	"math/rand"
	"regexp"
	"strings"
	"testing"
)

// TestReplaceOnesAsRegexp: replaceOnes replaces what the regular expression
// it stands for matched, with the same results, on the messages' kind of
// text and on random strings of the characters that matter.
func TestReplaceOnesAsRegexp(t *testing.T) {
	re := regexp.MustCompile(`(^|[^0-9.,\-])1 ([A-Za-z-]+)( [a-z]+\b)?`)
	f := func(m string) string {
		i := strings.Index(m, "1 ")
		return m[:i] + "<" + m[i:] + ">"
	}
	check := func(s string) {
		t.Helper()
		if got, want := replaceOnes(s, f), re.ReplaceAllStringFunc(s, f); got != want {
			t.Fatalf("replaceOnes(%q) = %q, want %q", s, got, want)
		}
	}
	for _, s := range []string{
		"", "1", "1 ", "1 calls", "at least 1 calls", "11 calls", "0.1 calls", "-1 calls", "1,1 calls",
		"1 leak reports", "1 leak Reports", "1 leak reports2", "1 leak reports_", "1 leak reports.",
		"1 a1 b", "1 a 1 b", "x1 a", "ก1 calls", "1 calls, 1 errors and 1 more times", "1 - x", "1 A-b c",
		"\xff1 calls", "1 calls\n1 lines",
	} {
		check(s)
	}
	r := rand.New(rand.NewSource(1))
	alphabet := []string{"1", "1", " ", " ", "a", "z", "A", "-", ".", ",", "0", "_", "ก", "\n", "\xb8"}
	for range 200000 {
		var b strings.Builder
		for n := r.Intn(12); n > 0; n-- {
			b.WriteString(alphabet[r.Intn(len(alphabet))])
		}
		check(b.String())
	}
}
