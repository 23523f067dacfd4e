package kernelsim

import (
	"strconv"
	"strings"
	"testing"
)

// newSlabKernel boots a machine for a slab test.
func newSlabKernel(t testing.TB, cfg Config) *Kernel {
	t.Helper()
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	k, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return k
}

// checkAllInvariants runs the page allocator's and the slab's checkers.
func checkAllInvariants(t testing.TB, k *Kernel) {
	t.Helper()
	if err := k.CheckInvariants(); err != nil {
		t.Fatalf("CheckInvariants: %v", err)
	}
	if err := k.checkSlabInvariants(); err != nil {
		t.Fatalf("checkSlabInvariants: %v", err)
	}
}

// logText returns the log records from seq on, one line each, without
// timestamps.
func logText(k *Kernel, seq uint64) string {
	var b strings.Builder
	for _, r := range k.LogSince(seq) {
		b.WriteString(r.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// proc reads a /proc file or fails the test.
func proc(t testing.TB, k *Kernel, path string) string {
	t.Helper()
	s, err := k.ReadProc(path)
	if err != nil {
		t.Fatalf("ReadProc(%s): %v", path, err)
	}
	return s
}

// slabinfoLine returns the /proc/slabinfo line of cache name.
func slabinfoLine(t testing.TB, k *Kernel, name string) string {
	t.Helper()
	for _, l := range strings.Split(proc(t, k, "/proc/slabinfo"), "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == name {
			return l
		}
	}
	t.Fatalf("no %s in /proc/slabinfo", name)
	return ""
}

// checkSlabinfoLayout checks cache name's objsize, objperslab and
// pagesperslab columns in /proc/slabinfo.
func checkSlabinfoLayout(t testing.TB, k *Kernel, name string, size uint64, objs, pages int) {
	t.Helper()
	f := strings.Fields(slabinfoLine(t, k, name))
	if f[3] != strconv.FormatUint(size, 10) || f[4] != strconv.Itoa(objs) || f[5] != strconv.Itoa(pages) {
		t.Errorf("slabinfo %v, want objsize %d objperslab %d pagesperslab %d", f[:6], size, objs, pages)
	}
}

// logHasInOrder fails the test unless log contains each of want, in
// order, as substrings.
func logHasInOrder(t testing.TB, log string, want []string) {
	t.Helper()
	rest := log
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("log lacks %q (in order):\n%s", w, log)
		}
		rest = rest[i+len(w):]
	}
}

// readBytes reads n bytes of kernel memory.
func readBytes(t testing.TB, k *Kernel, a Addr, n int) []byte {
	t.Helper()
	buf := make([]byte, n)
	if err := k.ReadMem(a, buf); err != nil {
		t.Fatalf("ReadMem(%#x, %d): %v", uint64(a), n, err)
	}
	return buf
}

// scriptStack is a fixed embedder stack, as the runtime provides.
func scriptStack() []Frame {
	return []Frame{{Func: "hello_init", File: "hello.star", Line: 12, Module: "hello"}}
}
