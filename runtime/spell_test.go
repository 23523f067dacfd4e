package runtime

import "testing"

// TestEditDistance: Levenshtein distances in bytes, symmetric, as cobra's
// ld gives them for its "Did you mean this?" (cmd/kscript uses this one).
func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "run", 3}, {"run", "run", 0}, {"runn", "run", 1},
		{"rnu", "run", 2}, {"kmaloc", "kmalloc", 1}, {"kfree", "vfree", 1},
		{"grade", "trade", 1}, {"sitting", "kitten", 3}, {"shell", "help", 2},
	} {
		for _, p := range [][2]string{{c.a, c.b}, {c.b, c.a}} {
			if got := EditDistance(p[0], p[1]); got != c.want {
				t.Errorf("EditDistance(%q, %q) = %d, want %d", p[0], p[1], got, c.want)
			}
		}
	}
}
