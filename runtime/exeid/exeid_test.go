package exeid

import (
	"fmt"
	"os"
	"runtime"
	"testing"
)

// TestIdentitySameAsFmt: the identity is the string fmt made before, so
// that the names of cache files do not change with the way it is made.
func TestIdentitySameAsFmt(t *testing.T) {
	for _, c := range []struct {
		exe         string
		size, mtime int64
		version     string
	}{
		{"/usr/local/bin/kscript", 9027746, 1733500000123456789, "go1.26.8"},
		{"", 0, 0, ""},
		{"/tmp/a b/ks\x00cript", -1, -1733500000123456789, "devel +abc"},
		{"/ไทย/kscript", 1 << 62, 1, runtime.Version()},
	} {
		want := fmt.Sprintf("%s\x00%d\x00%d\x00%s", c.exe, c.size, c.mtime, c.version)
		if got := identity(c.exe, c.size, c.mtime, c.version); got != want {
			t.Errorf("identity(%q, %d, %d, %q) = %q, want %q", c.exe, c.size, c.mtime, c.version, got, want)
		}
	}
}

func TestIdentityOfTheTestBinary(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	st, err := os.Stat(exe)
	if err != nil {
		t.Skip(err)
	}
	want := fmt.Sprintf("%s\x00%d\x00%d\x00%s", exe, st.Size(), st.ModTime().UnixNano(), runtime.Version())
	if got := Identity(); got != want {
		t.Errorf("Identity() = %q, want %q", got, want)
	}
}
