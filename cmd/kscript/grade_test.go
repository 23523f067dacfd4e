package main

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// kscriptCommand returns a command that runs this test binary as kscript
// (testscript.Main dispatches on the program's name), found on PATH as
// kscript so that grade's worker processes can start it again.
func kscriptCommand(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bin")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(bin, "kscript")); err != nil {
		t.Skip("cannot make a symbolic link here")
	}
	cmd := exec.Command("kscript", args...)
	cmd.Path = filepath.Join(bin, "kscript")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "NO_COLOR=1")
	return cmd
}

// TestGradeSIGTERM sends SIGTERM to a real kscript grade mid-batch (stuck
// on a submission that loops for ever): it exits 143 and its -o file holds
// the submission graded so far and the others NOT_GRADED, the batch marked
// incomplete; no temporary file is left behind.
func TestGradeSIGTERM(t *testing.T) {
	dir := t.TempDir()
	sol, err := os.ReadFile("../../lessons/exercises/01_kmalloc.solution.star")
	if err != nil {
		t.Fatal(err)
	}
	loop := "def f():\n    while True:\n        pass\n\nf()\n"
	for name, src := range map[string]string{"a.star": string(sol), "b.star": loop, "c.star": string(sol)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lesson, _ := filepath.Abs("../../lessons/01_kmalloc.yaml")
	cmd := kscriptCommand(t, dir, "grade", "--lesson", lesson, "--max-steps", "1000000000000", "--timeout", "1h",
		"-f", "json", "-o", "results.json", "a.star", "b.star", "c.star")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// results.json says "not finished" from the start; a.star takes a
	// fraction of a second, b.star for ever.
	for i := 0; ; i++ {
		if _, err := os.Stat(filepath.Join(dir, "results.json")); err == nil {
			break
		}
		if i == 600 {
			_ = cmd.Process.Kill()
			t.Fatal("no results.json after a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(5 * time.Second)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var ee *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &ee) || ee.ExitCode() != 143 {
		t.Errorf("exit: %v, want status 143", err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Complete    bool   `json:"complete"`
		Interrupted string `json:"interrupted"`
		Submissions []struct {
			File, Status, Message string
		} `json:"submissions"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("results.json: %v\n%s", err, data)
	}
	got := []string{}
	for _, s := range doc.Submissions {
		got = append(got, s.File+" "+s.Status)
	}
	if doc.Complete || doc.Interrupted != "SIGTERM" || strings.Join(got, ", ") != "a.star PASS, b.star NOT_GRADED, c.star NOT_GRADED" {
		t.Errorf("complete=%v interrupted=%q submissions %v\n%s", doc.Complete, doc.Interrupted, got, data)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".results.json.*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestWorkerMemoryFloor checks --worker-memory's floor: below it, whether a
// submission that keeps what its step budget lets it build kills its worker
// depends on when Go's collector ran, so on the machine's load (measured:
// at 128–256 MiB one honest submission in four to eight was an ERROR under
// load), and a grade must not. A cap below the floor given on the command
// line is a usage error; the default cap rises to the floor for a large
// --max-steps.
func TestWorkerMemoryFloor(t *testing.T) {
	for _, c := range []struct {
		steps, ram, want uint64
	}{
		{0, 0, 256<<20 + 32*10_000_000 + (512<<20)/32 + 2*(512<<20)},
		{1_000_000, 512 << 20, 256<<20 + 32_000_000 + 16<<20 + 256_000_000},
		{10_000_000, 16 << 30, 256<<20 + 320_000_000 + 512<<20 + 2_560_000_000},
		{1 << 62, 0, math.MaxUint64},
	} {
		if got := workerMemoryFloor(c.steps, c.ram); got != c.want {
			t.Errorf("workerMemoryFloor(%d, %d) = %d, want %d", c.steps, c.ram, got, c.want)
		}
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--worker-memory", "128M"}, exitUsage, "kscript grade: --worker-memory 128M: below 1602M, the least with which a grade cannot depend on the machine's load at --max-steps 10000000"},
		{[]string{"--worker-memory", "1601M"}, exitUsage, "below 1602M"},
		{[]string{"--worker-memory", "128M", "--max-steps", "1000000"}, exitUsage, "below 547M"},
		{[]string{"--worker-memory", "128M", "--lang", "th"}, exitUsage, "น้อยกว่า 1602M"},
	} {
		var stdout, stderr strings.Builder
		args := append([]string{"grade", "--lesson", "../../lessons/01_kmalloc.yaml"}, c.args...)
		args = append(args, "../../lessons/exercises/01_kmalloc.solution.star")
		if code := kscriptMain(args, strings.NewReader(""), &stdout, &stderr); code != c.code || !strings.Contains(stderr.String(), c.msg) {
			t.Errorf("kscript %s: exit %d, stderr %q; want exit %d and %q", strings.Join(args, " "), code, stderr.String(), c.code, c.msg)
		}
	}
}

// TestWorkerMemoryAtFloor grades, in worker processes capped at the floor,
// a submission that keeps 32 MB of lists beside a correct solution: it
// passes, as it does with no cap.
func TestWorkerMemoryAtFloor(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	dir := t.TempDir()
	sol, err := os.ReadFile("../../lessons/exercises/03_atomic.solution.star")
	if err != nil {
		t.Fatal(err)
	}
	hoard := string(sol) + "\nkeep = [[0] * 1000000 for i in range(2)]\n"
	for _, name := range []string{"a.star", "b.star", "c.star", "d.star"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(hoard), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lesson, _ := filepath.Abs("../../lessons/03_atomic.yaml")
	floor := formatSize(workerMemoryFloor(0, 0))
	for _, mem := range []string{floor, "0"} {
		out, err := kscriptCommand(t, dir, "grade", "--lesson", lesson, "--jobs", "2", "--worker-memory", mem, "--quiet", ".").CombinedOutput()
		if err != nil || strings.Count(string(out), ": PASS") != 4 {
			t.Errorf("--worker-memory %s: %v\n%s", mem, err, out)
		}
	}
}

// TestWorkerMemoryPages grades, in worker processes with the default cap, a
// submission that writes 2.2 GB of simulated RAM's pages within its step
// budget (--ram 3G): each page written is held as 4 KiB of the worker's
// memory, so the floor counts them. Before it did, the default 2G cap
// killed the worker (an ERROR, "out of memory") where --in-process gave the
// submission its grade; now both give the same.
func TestWorkerMemoryPages(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes that hold 2 GB")
	}
	dir := t.TempDir()
	sol, err := os.ReadFile("../../lessons/exercises/01_kmalloc.solution.star")
	if err != nil {
		t.Fatal(err)
	}
	fill := `    blocks = []
    for i in range(530):
        pg = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 10)
        if not pg:
            break
        memset(page_address(pg), 0x41, 4 << 20)
        blocks.append(pg)
    for pg in blocks:
        __free_pages(pg, 10)
`
	src := strings.Replace(string(sol), "    g.my_buffer = kmalloc(", fill+"    g.my_buffer = kmalloc(", 1)
	if src == string(sol) {
		t.Fatal("the solution changed: no place for the fill")
	}
	if err := os.WriteFile(filepath.Join(dir, "fill.star"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	lesson, _ := filepath.Abs("../../lessons/01_kmalloc.yaml")
	var outs []string
	for _, mode := range []string{"--jobs=1", "--in-process"} {
		out, _ := kscriptCommand(t, dir, "grade", "--lesson", lesson, "--ram", "3G", mode, "--format", "json", "fill.star").CombinedOutput()
		if strings.Contains(string(out), `"status": "ERROR"`) {
			t.Errorf("%s: an ERROR:\n%s", mode, out)
		}
		outs = append(outs, string(out))
	}
	if outs[0] != outs[1] {
		t.Errorf("workers and --in-process differ:\n%s\n----\n%s", outs[0], outs[1])
	}
}
