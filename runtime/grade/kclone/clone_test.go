package kclone

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario"
)

// session runs a lesson's script through its scenario and returns
// everything a user or a grader could see of it.
func session(t testing.TB, opts kruntime.Options, l *lesson.Lesson) string {
	t.Helper()
	src, err := os.ReadFile(l.Script)
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenario.Run(scenario.Config{Options: opts}, scenario.Input{Script: l.Script, Src: src, Lesson: l})
	if err != nil {
		return "error: " + err.Error()
	}
	var b bytes.Buffer
	b.WriteString(res.Transcript)
	for _, r := range res.Log {
		fmt.Fprintln(&b, r.String())
	}
	res.WriteSummary(&b, "en", nil)
	if res.Stopped != nil {
		fmt.Fprintln(&b, "stopped:", res.Stopped)
	}
	return b.String()
}

// TestCloneBehavesAsFreshBoot runs every lesson on a fresh kernel and on
// copies of one snapshot: the sessions must be identical byte for byte,
// and running one copy must not change the next (the snapshot is never
// touched).
func TestCloneBehavesAsFreshBoot(t *testing.T) {
	for _, cfg := range []kernelsim.Config{{}, {Seed: 7, RAM: 256 << 20}, {NoPCP: true, Cmdline: "slub_debug=P init_on_alloc=0"}, {Stock: true}} {
		snap, err := Take(cfg)
		if err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob("../../../lessons/*.yaml")
		for _, f := range files {
			l, err := lesson.Load(f)
			if err != nil {
				t.Fatal(err)
			}
			t.Run(fmt.Sprintf("%s/seed%d", l.ID, cfg.Seed), func(t *testing.T) {
				fresh := session(t, kruntime.Options{Kernel: cfg}, l)
				for i := range 2 {
					got := session(t, kruntime.Options{Kernel: cfg, NewKernel: snap.NewKernel}, l)
					if got != fresh {
						t.Fatalf("copy %d differs from a fresh boot:\n%s\n---- fresh:\n%s", i, got, fresh)
					}
				}
			})
		}
	}
}

// TestCloneInvariants: a copy passes kernelsim's own invariant checks and
// shares no memory with the snapshot: allocating on the copy leaves the
// snapshot's free counts alone.
func TestCloneInvariants(t *testing.T) {
	snap, err := Take(kernelsim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	k, err := snap.Clone()
	if err != nil {
		t.Fatal(err)
	}
	if err := k.CheckInvariants(); err != nil {
		t.Fatalf("copy: %v", err)
	}
	before, _ := snap.root.ReadProc("/proc/buddyinfo")
	for range 100 {
		if k.Kmalloc(4096, kernelsim.GFP_KERNEL) == 0 {
			t.Fatal("kmalloc failed on the copy")
		}
	}
	if _, ok := k.AllocPages(kernelsim.GFP_KERNEL, 3); !ok {
		t.Fatal("alloc_pages failed on the copy")
	}
	after, _ := snap.root.ReadProc("/proc/buddyinfo")
	copied, _ := k.ReadProc("/proc/buddyinfo")
	if before != after || copied == after {
		t.Errorf("the snapshot changed or the copy did not:\n%s\n%s\n%s", before, after, copied)
	}
	if err := k.CheckInvariants(); err != nil {
		t.Errorf("copy after allocations: %v", err)
	}
	if err := snap.root.CheckInvariants(); err != nil {
		t.Errorf("snapshot: %v", err)
	}
	t.Logf("%d objects, %d function values shared", len(snap.blocks), snap.Funcs)
}

func BenchmarkBoot(b *testing.B) {
	for range b.N {
		if _, err := kernelsim.New(kernelsim.Config{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClone(b *testing.B) {
	snap, err := Take(kernelsim.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := snap.Clone(); err != nil {
			b.Fatal(err)
		}
	}
}
