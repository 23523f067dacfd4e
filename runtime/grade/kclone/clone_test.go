package kclone

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario"
)

// configs are the kernels the tests copy: the default one, another seed
// and RAM size, the optional allocator behaviours and the stock build.
var configs = []kernelsim.Config{{}, {Seed: 7, RAM: 256 << 20}, {NoPCP: true, Cmdline: "slub_debug=P init_on_alloc=0"}, {Stock: true}}

// run is one session to compare: a script through a lesson's scenario, or
// through one exercise check's scenario and fault injection.
type run struct {
	name   string
	script string
	lesson *lesson.Lesson // its scenario and expectations, when steps is nil
	module string
	steps  []lesson.Step
	fail   []string
}

// runs lists every session the comparison covers: each lesson's script
// (the repository's and kclone's own testdata, which open kernelsim's
// built-in devices and fault on a user address), and each exercise's
// solution and starter through every check's run, fault injection
// included: the starters hold the bugs each check looks for, so every
// kernel report class a check judges is met.
func runs(t testing.TB) []run {
	var out []run
	files, _ := filepath.Glob("../../../lessons/*.yaml")
	more, _ := filepath.Glob("testdata/*.yaml")
	if len(files) < 10 || len(more) < 2 {
		t.Fatalf("%d lessons and %d testdata lessons", len(files), len(more))
	}
	for _, f := range append(files, more...) {
		l, err := lesson.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, run{name: l.ID, script: l.Script, lesson: l})
		if l.Exercise == nil {
			continue
		}
		for _, sub := range []string{l.Exercise.Solution, l.Exercise.Starter} {
			if sub == "" {
				continue
			}
			sub = l.Rel(sub)
			for _, c := range l.Exercise.Checks {
				steps := c.Scenario
				if len(steps) == 0 {
					steps = l.Scenario
				}
				out = append(out, run{name: l.ID + "/" + filepath.Base(sub) + "/" + c.ID, script: sub,
					module: l.ModuleName(), steps: steps, fail: c.Fail})
			}
		}
	}
	return out
}

// session runs r and returns everything a user or a grader could see of
// it.
func session(t testing.TB, opts kruntime.Options, r run) string {
	t.Helper()
	src, err := os.ReadFile(r.script)
	if err != nil {
		t.Fatal(err)
	}
	opts.Fail = r.fail
	in := scenario.Input{Script: r.script, Src: src, Lesson: r.lesson, Module: r.module, Steps: r.steps}
	res, err := scenario.Run(scenario.Config{Options: opts}, in)
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

// fileImage returns the image of snap as another process reads it: written
// to a file and opened, its arenas of plain data mapped from the file.
func fileImage(t testing.TB, snap *Snapshot) *Image {
	t.Helper()
	im, err := snap.Image()
	if err != nil {
		t.Fatal(err)
	}
	data, err := im.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "boot.img")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	back, err := openImage(file, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { back.file.Close() })
	if back.file == nil || !mappedArenas(back) {
		t.Fatal("the image's arenas of plain data are not mapped from its file")
	}
	if back.Config() != snap.Config() {
		t.Fatalf("the image's configuration %+v, want %+v", back.Config(), snap.Config())
	}
	return back
}

// TestCloneBehavesAsFreshBoot runs every lesson, and every exercise
// check's run of each solution and starter, on a fresh kernel and on
// copies of one snapshot and of its image read back from a file's bytes
// (as another process restores it): the sessions must be identical byte
// for byte,
// and running one copy must not change the next (the snapshot is never
// touched). A lane's copies, each in the memory of the run before (another
// lesson's, dirtied), must be identical too.
func TestCloneBehavesAsFreshBoot(t *testing.T) {
	all := runs(t)
	for _, cfg := range configs {
		snap, err := Take(cfg)
		if err != nil {
			t.Fatal(err)
		}
		lane := snap.Lane()
		im := fileImage(t, snap)
		imLane := im.Lane()
		for _, r := range all {
			if cfg != (kernelsim.Config{}) && r.lesson == nil {
				continue // the checks' runs on the default kernel, as graded
			}
			t.Run(fmt.Sprintf("%s/seed%d", r.name, cfg.Seed), func(t *testing.T) {
				fresh := session(t, kruntime.Options{Kernel: cfg}, r)
				for i := range 2 {
					got := session(t, kruntime.Options{Kernel: cfg, NewKernel: snap.NewKernel}, r)
					if got != fresh {
						t.Fatalf("copy %d differs from a fresh boot:\n%s", i, firstDiff(got, fresh))
					}
					if got := session(t, kruntime.Options{Kernel: cfg, NewKernel: lane.NewKernel}, r); got != fresh {
						t.Fatalf("lane copy %d differs from a fresh boot:\n%s", i, firstDiff(got, fresh))
					}
					if got := session(t, kruntime.Options{Kernel: cfg, NewKernel: im.NewKernel}, r); got != fresh {
						t.Fatalf("image copy %d differs from a fresh boot:\n%s", i, firstDiff(got, fresh))
					}
					if got := session(t, kruntime.Options{Kernel: cfg, NewKernel: imLane.NewKernel}, r); got != fresh {
						t.Fatalf("image lane copy %d differs from a fresh boot:\n%s", i, firstDiff(got, fresh))
					}
				}
			})
		}
		// After laneImageAfter copies, the lane's copies were its
		// snapshot's image's (Snapshot.Lane), where files map.
		if runtime.GOOS == "linux" && lane.im == nil {
			t.Errorf("seed %d: a lane still copies its snapshot after %d copies", cfg.Seed, snap.laneCopies.Load())
		}
	}
}

// TestImageNamesArenaSlices: an image read back from its file names the
// slice type of every arena (kernelsim.ImageSlices, extraTypes), so that
// restoring it calls no reflect.SliceOf.
func TestImageNamesArenaSlices(t *testing.T) {
	for _, cfg := range configs {
		snap, err := Take(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range fileImage(t, snap).arenas {
			if a.slice == nil {
				t.Errorf("seed %d: the image does not name []%s: add it to kernelsim.ImageSlices (or kclone's imageSlices)", cfg.Seed, a.elem)
			}
		}
	}
}

// firstDiff shows where two transcripts part, with a few lines of context.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		if i >= len(g) || i >= len(w) || g[i] != w[i] {
			from := max(0, i-3)
			return fmt.Sprintf("copy:\n  %s\nfresh boot:\n  %s", strings.Join(g[from:min(len(g), i+4)], "\n  "), strings.Join(w[from:min(len(w), i+4)], "\n  "))
		}
	}
	return "(same lines)"
}

// TestUserFaultSameAsFreshBoot pins the case that once differed: an SMAP
// fault on a user address reads "not-present page" or "permissions
// violation" by the current process's page tables, which a copy must
// consult, not the template's (which has no current process, and once
// made every such fault a "permissions violation").
func TestUserFaultSameAsFreshBoot(t *testing.T) {
	l, err := lesson.Load("testdata/user_fault.yaml")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := Take(kernelsim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := run{name: l.ID, script: l.Script, lesson: l}
	fresh := session(t, kruntime.Options{}, r)
	copied := session(t, kruntime.Options{NewKernel: snap.NewKernel}, r)
	const want = "#PF: error_code(0x0000) - not-present page"
	if !strings.Contains(fresh, want) || !strings.Contains(copied, want) {
		t.Errorf("want %q both ways:\n---- fresh:\n%s\n---- copy:\n%s", want, fresh, copied)
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

// TestCopyHoldsNothingOfTemplate walks a copy's whole object graph: no
// pointer, slice or map in it may lead into the template, and every
// function value in it must be a plain function (a closure or a method
// value would act on the template). Take refuses a kernel holding one, so
// a Kernel field added later that stores a method value or a closure at
// boot fails this test by name instead of making grading silently slower
// or wrong.
func TestCopyHoldsNothingOfTemplate(t *testing.T) {
	for _, cfg := range configs {
		snap, err := Take(cfg)
		if err != nil {
			t.Fatalf("%+v: %v", cfg, err)
		}
		tmplMaps := map[uintptr]bool{}
		walk(reflect.ValueOf(snap.root), "k", map[uintptr]bool{}, func(v reflect.Value, path string) {
			if v.Kind() == reflect.Map {
				tmplMaps[v.Pointer()] = true
			}
		})
		k, err := snap.Clone()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		walk(reflect.ValueOf(k), "k", map[uintptr]bool{}, func(v reflect.Value, path string) {
			n++
			switch v.Kind() {
			case reflect.Func:
				if err := plainFunc(v); err != nil {
					t.Errorf("%s: %v", path, err)
				}
			case reflect.Map:
				if tmplMaps[v.Pointer()] {
					t.Errorf("%s: the template's map", path)
				}
			case reflect.Pointer, reflect.Slice, reflect.UnsafePointer:
				if snap.find(v.Pointer()) >= 0 {
					t.Errorf("%s: %#x points into the template", path, v.Pointer())
				}
			}
		})
		t.Logf("%+v: %d references checked", cfg, n)
	}
}

// walk calls fn on every non-nil reference (pointer, slice, map, function)
// reachable from v, once per object, with its path from the root.
func walk(v reflect.Value, path string, seen map[uintptr]bool, fn func(reflect.Value, string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.UnsafePointer, reflect.Map, reflect.Func, reflect.Slice:
		if v.IsNil() {
			return
		}
		fn(v, path)
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !seen[v.Pointer()] {
			seen[v.Pointer()] = true
			walk(v.Elem(), path, seen, fn)
		}
	case reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), path, seen, fn)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			walk(v.Field(i), path+"."+v.Type().Field(i).Name, seen, fn)
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Len() > 0 {
			if seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
		}
		if !hasPointers(map[reflect.Type]bool{}, v.Type().Elem()) {
			return
		}
		for i := range v.Len() {
			walk(v.Index(i), path+"["+strconv.Itoa(i)+"]", seen, fn)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			walk(it.Key(), path+"{key}", seen, fn)
			walk(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key()), seen, fn)
		}
	}
}

type plainType struct{ n int }

func (p *plainType) get() int { return p.n }

func plainTop() int { return 0 }

// TestPlainFunc: the function values Take accepts are those that hold no
// state, and the error says what was refused.
func TestPlainFunc(t *testing.T) {
	p := &plainType{n: 1}
	for _, tc := range []struct {
		name string
		fn   any
		want string // "" for accepted
	}{
		{"top-level function", plainTop, ""},
		{"method expression", (*plainType).get, ""},
		{"method value", p.get, "cannot copy the method value kscript.dev/kscript/runtime/grade/kclone.(*plainType).get: it is bound"},
		{"closure", func() int { return p.n }, "cannot copy the closure kscript.dev/kscript/runtime/grade/kclone.TestPlainFunc.func1"},
		{"closure capturing nothing", func() int { return 2 }, "cannot copy the closure"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := plainFunc(reflect.ValueOf(tc.fn))
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// BenchmarkTake is a boot and the planning of its copies: what a process
// pays once before its first copy.
func BenchmarkTake(b *testing.B) {
	for range b.N {
		if _, err := Take(kernelsim.Config{}); err != nil {
			b.Fatal(err)
		}
	}
}

// mappedArenas reports whether a copy of im has arenas mapped from its file.
func mappedArenas(im *Image) bool {
	for _, a := range im.arenas {
		if a.mapped() {
			return true
		}
	}
	return false
}
