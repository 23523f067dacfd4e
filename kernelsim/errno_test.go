package kernelsim

import "testing"

// TestErrnoList: errnoList is ascending without repeats (errnoEntry's
// binary search relies on it), and every entry is found by its number.
func TestErrnoList(t *testing.T) {
	for i, x := range errnoList {
		if i > 0 && x.e <= errnoList[i-1].e {
			t.Errorf("%s (%d) after %s (%d)", x.name, x.e, errnoList[i-1].name, errnoList[i-1].e)
		}
		if x.e.Name() != x.name || x.e.Error() != x.text {
			t.Errorf("%d: %q %q, want %q %q", x.e, x.e.Name(), x.e.Error(), x.name, x.text)
		}
	}
	if ENOMEM.Name() != "ENOMEM" || Errno(1000).Name() != "" || Errno(1000).Error() != "Unknown error 1000" {
		t.Error("ENOMEM or 1000 named wrong")
	}
}
