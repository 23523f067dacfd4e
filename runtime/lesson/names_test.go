package lesson

import (
	"regexp"
	"testing"
)

// TestNameForms: the hand-written matchers of validate.go accept exactly
// what their regular expressions do, on every string of up to four bytes
// over an alphabet with each kind of byte they tell apart, and on longer
// cases.
func TestNameForms(t *testing.T) {
	forms := []struct {
		name string
		fn   func(string) bool
		re   *regexp.Regexp
	}{
		{"isIdent", isIdent, regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)},
		{"isCheckID", isCheckID, regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)},
		{"isFailSpec", isFailSpec, regexp.MustCompile(`^[a-z_]+(:[a-z_]+=[^,\s]+(,[a-z_]+=[^,\s]+)*)?$`)},
		{"isFailNth", isFailNth, regexp.MustCompile(`^[a-z_]+:nth=[1-9][0-9]*$`)},
	}
	alphabet := []string{"a", "Z", "_", "0", "1", ".", "-", ":", "=", ",", " ", "\t", "\n", "\v", "é", "\xff"}
	var strs []string
	var grow func(prefix string, n int)
	grow = func(prefix string, n int) {
		strs = append(strs, prefix)
		if n == 0 {
			return
		}
		for _, a := range alphabet {
			grow(prefix+a, n-1)
		}
	}
	grow("", 4)
	strs = append(strs, "kmalloc:nth=1", "kmalloc:nth=10", "kmalloc:nth=01", "kmalloc:nth=", "kmalloc:nth=1x",
		"kmalloc:nth=3,times=2", "vmalloc:times=-1", "copy_from_user:space=1", "a:b=c,d=e", "a:b=c,", "a:b=c,,d=e",
		"a:b=c=d", "a:b=x:y", "a:b=é", "a:b=\xff", "A:b=c", "a:B=c", "handles-enomem", "03_atomic.v2", "hello_kmalloc")
	for _, f := range forms {
		for _, s := range strs {
			if got, want := f.fn(s), f.re.MatchString(s); got != want {
				t.Fatalf("%s(%q) = %v, the expression says %v", f.name, s, got, want)
			}
		}
	}
}
