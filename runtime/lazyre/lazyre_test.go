package lazyre

import "testing"

// TestLazy: an expression is compiled on first use, once, and behaves as
// regexp's; a bad one panics then, not at New.
func TestLazy(t *testing.T) {
	r := New(`^(\w+)-(\d+)$`)
	if m := r.FindStringSubmatch("kmalloc-64"); len(m) != 3 || m[2] != "64" {
		t.Errorf("FindStringSubmatch: %q", m)
	}
	if a, b := r.Regexp(), r.Regexp(); a != b {
		t.Error("compiled twice")
	}
	bad := New(`(`)
	defer func() {
		if recover() == nil {
			t.Error("a bad expression did not panic on use")
		}
	}()
	bad.MatchString("x")
}
