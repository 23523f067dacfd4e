package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestTranscripts pins the simulator's behaviour byte for byte: every
// lesson's own run (with --trace, whose allocator events show every block
// the buddy and slab allocators hand out, with per-CPU lists off, and on the
// stock kernel), every exercise's starter and reference solution under
// every fault class of --fail, and the JSON grade of the solution, the
// starter and the known cheats (which runs every check, hidden ones and
// their fault injections included). A change meant to be invisible — a
// faster allocator path — must leave testdata/transcripts unchanged;
// a change of kernel output regenerates them with KSCRIPT_UPDATE=1 go test
// ./cmd/kscript, and the diff is read before it is committed.
func TestTranscripts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every lesson about 150 times")
	}
	runs := transcriptRuns(t)
	dir := filepath.Join("testdata", "transcripts")
	update := *update || os.Getenv("KSCRIPT_UPDATE") != ""
	if update {
		old, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
		for _, f := range old {
			os.Remove(f)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range runs {
		got := r.transcript()
		file := filepath.Join(dir, r.name+".txt")
		if update {
			if err := os.WriteFile(file, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("%s: %v (KSCRIPT_UPDATE=1 go test ./cmd/kscript writes it)", r.name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("kscript %s: the transcript differs from %s (%s)", strings.Join(r.args, " "), file, firstDiff(got, want))
		}
	}
	if !update {
		// A golden file no run writes any more is stale.
		files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
		names := map[string]bool{}
		for _, r := range runs {
			names[r.name+".txt"] = true
		}
		for _, f := range files {
			if !names[filepath.Base(f)] {
				t.Errorf("%s: no run writes it (KSCRIPT_UPDATE=1 removes it)", f)
			}
		}
	}
}

// transcriptRun is one in-process invocation of kscript.
type transcriptRun struct {
	name string
	args []string
}

// faultClasses are the fault classes of --fail, each made to hit the first
// call.
var faultClasses = []string{"kmalloc:nth=1", "page_alloc:nth=1", "vmalloc:nth=1", "usercopy:nth=1"}

var lessonFailRE = regexp.MustCompile(`(?m)^\s*fail:\s*"([^"]+)"`)

func transcriptRuns(t *testing.T) []transcriptRun {
	lessons, err := filepath.Glob("../../lessons/[0-9]*.yaml")
	if err != nil || len(lessons) == 0 {
		t.Fatalf("no lessons: %v", err)
	}
	var runs []transcriptRun
	add := func(name string, args ...string) {
		runs = append(runs, transcriptRun{name, append([]string{"--seed", "1"}, args...)})
	}
	for _, y := range lessons {
		id := strings.TrimSuffix(filepath.Base(y), ".yaml")
		star := strings.TrimSuffix(y, ".yaml") + ".star"
		add(id+".lesson", "--trace", "run", star)
		add(id+".lesson.nopcp", "--trace", "--pcp=false", "run", star)
		add(id+".lesson.stock", "--kernel", "stock", "run", star)
		starter := filepath.Join("../../lessons/exercises", id+".star")
		solution := filepath.Join("../../lessons/exercises", id+".solution.star")
		add(id+".starter", "run", "--lesson", y, starter)
		add(id+".solution", "--trace", "run", "--lesson", y, solution)
		src, err := os.ReadFile(y)
		if err != nil {
			t.Fatal(err)
		}
		specs := map[string]bool{}
		for _, f := range faultClasses {
			specs[f] = true
		}
		for _, m := range lessonFailRE.FindAllStringSubmatch(string(src), -1) {
			specs[m[1]] = true
		}
		var sorted []string
		for s := range specs {
			sorted = append(sorted, s)
		}
		sort.Strings(sorted)
		for _, s := range sorted {
			tag := strings.NewReplacer(":", "_", "=", "", ",", "_").Replace(s)
			add(id+".solution.fail_"+tag, "--fail", s, "run", "--lesson", y, solution)
			add(id+".starter.fail_"+tag, "--fail", s, "run", "--lesson", y, starter)
		}
		subs := []string{solution, starter}
		cheats, _ := filepath.Glob(filepath.Join("../../runtime/grade/testdata/cheats", id, "*.star"))
		subs = append(subs, cheats...)
		add(id+".grade", append([]string{"grade", "--in-process", "--format", "json", "--lesson", y}, subs...)...)
	}
	modules, _ := filepath.Glob("../../runtime/testdata/modules/*.star")
	for _, m := range modules {
		add("module."+strings.TrimSuffix(filepath.Base(m), ".star"), "--trace", "run", m)
	}
	return runs
}

// transcript runs kscript in this process and returns its exit status,
// standard output and standard error (by hash past 64 KiB: a vmalloc
// lesson's trace is megabytes).
func (r transcriptRun) transcript() []byte {
	var stdout, stderr bytes.Buffer
	a := newApp(strings.NewReader(""), &stdout, &stderr)
	a.getenv = func(k string) string {
		switch k {
		case "NO_COLOR":
			return "1"
		case "KSCRIPT_BOOT_CACHE":
			return os.Getenv(k) // TestMain's folder
		}
		return ""
	}
	code := a.main(r.args)
	var b bytes.Buffer
	fmt.Fprintf(&b, "$ kscript %s\n--- exit %d; stdout:\n", strings.Join(r.args, " "), code)
	b.Write(stdout.Bytes())
	errOut := stderr.Bytes()
	if len(errOut) > 64<<10 {
		fmt.Fprintf(&b, "--- stderr: %d bytes, %d lines, sha256 %x\n", len(errOut), bytes.Count(errOut, []byte("\n")), sha256.Sum256(errOut))
	} else {
		fmt.Fprintf(&b, "--- stderr:\n")
		b.Write(errOut)
	}
	return b.Bytes()
}

// firstDiff describes where got and want first differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d: got %q, want %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("got %d lines, want %d", len(g), len(w))
}
