package kclone

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unsafe"
)

// TestResetWritten: a copy-on-write mapping of a file, written here and
// there (a page once, a page twice over two runs, the last partial page),
// reads as the file again after each reset, and the pages written stay
// private (pagemap: not file pages) rather than being dropped.
func TestResetWritten(t *testing.T) {
	if pagemap() == nil {
		t.Skip("no readable /proc/self/pagemap: resetWritten is resetPrivate")
	}
	ps := os.Getpagesize()
	raw := make([]byte, 5*ps+100)
	for i := range raw {
		raw[i] = byte(i*7 + i/ps)
	}
	path := filepath.Join(t.TempDir(), "arena")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := mapPrivate(f, 0, len(raw))
	if err != nil {
		t.Skipf("cannot map the file: %v", err)
	}
	_ = m[3*ps] // read only: stays the file's page
	// An arena inside the mapping, starting and ending off page
	// boundaries, is reset on its own.
	sub, subRaw := m[ps+100:4*ps+7], raw[ps+100:4*ps+7]
	m[ps+99], m[ps+100], m[4*ps+6], m[4*ps+7] = 1, 2, 3, 4
	if err := resetWritten(sub, subRaw); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sub, subRaw) || m[ps+99] != 1 || m[4*ps+7] != 4 {
		t.Fatalf("an arena off page boundaries: reset %v, bytes around it %d %d, want 1 4", bytes.Equal(sub, subRaw), m[ps+99], m[4*ps+7])
	}
	m[ps+99], m[4*ps+7] = raw[ps+99], raw[4*ps+7]
	for run, pages := range [][]int{{1, 4}, {1, 5}, {0}} {
		for _, p := range pages {
			m[p*ps+run] ^= 0xff
			m[min((p+1)*ps, len(m))-1] ^= 0x55
		}
		if bytes.Equal(m, raw) {
			t.Fatalf("run %d: the writes did not change the mapping", run)
		}
		if err := resetWritten(m, raw); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m, raw) {
			t.Fatalf("run %d: the mapping differs from the file after the reset", run)
		}
	}
	buf := make([]byte, 8*6)
	first := uintptr(addrOf(m)) / uintptr(ps)
	if _, err := pagemap().f.ReadAt(buf, int64(first)*8); err != nil {
		t.Fatal(err)
	}
	for p := range 6 {
		e := uint64(buf[8*p+7]) << 56
		private := e&(1<<63) != 0 && e&(1<<61) == 0
		if want := p != 2 && p != 3; private != want {
			t.Errorf("page %d: private %v, want %v (pagemap entry byte %#x)", p, private, want, buf[8*p+7])
		}
	}
}

func addrOf(m []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(m))) }
