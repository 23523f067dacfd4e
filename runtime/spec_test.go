package runtime

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarktest"

	"kscript.dev/kscript/kernelsim"
)

// newTestMachine boots a default machine for a test.
func newTestMachine(t testing.TB) *Machine {
	t.Helper()
	m, err := NewMachine(Options{Kernel: kernelsim.Config{Seed: 42}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// runSpec runs a testdata spec script as kernel code in process context
// (as if its top level were an init function), with starlarktest's assert
// module available through load("assert.star", "assert").
func runSpec(t *testing.T, m *Machine, path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.compile(path, src, "spec")
	if err != nil {
		return err
	}
	task := m.k.NewTask("insmod", 0)
	return m.k.RunTask(task, initEntry, func() error {
		return m.enter(nil, whereKern, func(thread *starlark.Thread) error {
			thread.Load = func(_ *starlark.Thread, module string) (starlark.StringDict, error) {
				return starlarktest.LoadAssertModule()
			}
			starlarktest.SetReporter(thread, t)
			_, err := s.prog.Init(thread, s.predeclared)
			return err
		})
	})
}

// TestSpecScripts runs every testdata/*.star: spec scripts whose asserts
// state the kernel API's behaviour.
func TestSpecScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.star")
	if err != nil || len(files) == 0 {
		t.Fatalf("no spec scripts: %v", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".star"), func(t *testing.T) {
			m := newTestMachine(t)
			if err := runSpec(t, m, path); err != nil {
				t.Fatalf("%v\n%s", err, dmesgTail(m, 40))
			}
			if err := m.k.CheckInvariants(); err != nil {
				t.Errorf("CheckInvariants: %v", err)
			}
		})
	}
}

// dmesgTail returns the last n lines of the kernel log, for failures.
func dmesgTail(m *Machine, n int) string {
	recs := m.k.Log()
	if len(recs) > n {
		recs = recs[len(recs)-n:]
	}
	var b strings.Builder
	for _, r := range recs {
		b.WriteString(r.Text + "\n")
	}
	return b.String()
}
