package main

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"kscript.dev/kscript/cmd/kscript/internal/startheap"
)

// TestStartHeapInitialisesFirst: package startheap populates the heap
// before the packages that allocate at init run (its doc says why that
// needs it to import nothing). The test binary starts itself with
// GODEBUG=inittrace=1, which prints one line per package initialised, in
// order, and runs no test.
func TestStartHeapInitialisesFirst(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	order := map[string]int{}
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "init" {
			order[f[1]] = n
			n++
		}
	}
	const self = "kscript.dev/kscript/cmd/kscript/internal/startheap"
	at, ok := order[self]
	if !ok {
		t.Fatalf("no init line for %s in:\n%s", self, out)
	}
	for _, later := range []string{"sync", "go.starlark.net/starlark", "github.com/goccy/go-yaml/token", "compress/flate", "unicode"} {
		if i, ok := order[later]; ok && i < at {
			t.Errorf("%s initialised before %s (%d < %d)", later, self, i, at)
		}
	}
}

// TestStartHeapPopulated: on linux/amd64 the populate call succeeds (Linux
// 5.14 and later), and kscript run's prefaultHeap goes on from its end.
func TestStartHeapPopulated(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		if startheap.End != 0 {
			t.Fatalf("End = %#x on %s/%s, where the package does nothing", startheap.End, runtime.GOOS, runtime.GOARCH)
		}
		return
	}
	if startheap.End == 0 {
		if !populateWorks(t) {
			t.Skip("this kernel has no MADV_POPULATE_WRITE (Linux 5.14): the package leaves the heap to fault in")
		}
		t.Fatal("MADV_POPULATE_WRITE on the heap's start failed, though it works on fresh memory")
	}
	if startheap.End%4096 != 0 {
		t.Errorf("End = %#x, not at a page", startheap.End)
	}
}
