package grade

// Isolation: a submission cannot take the batch down. Each lane of a batch
// may grade in a worker process of its own (kscript re-executing itself in
// its hidden worker mode), fed submissions over a pipe and answering with
// results (wire.go encodes them). A worker lives for the whole batch, so
// a batch pays for a few process starts, not one per submission, and each
// worker boots (and kclones) its kernel once.
//
// A worker limits its own address space (RLIMIT_AS) to what it had at
// start plus Workers.Memory, and sets the Go runtime's soft memory limit
// below that, so a submission that makes the interpreter allocate without
// bound ([None] * (1 << 30)) meets the limit, and the Go runtime's "fatal
// error: out of memory" ends the worker, not the batch. So does a stack
// overflow, or anything else that kills a process. The lane reads the
// worker's death as that submission's ERROR, with the reason from the
// worker's last words on standard error, starts a new worker and goes on.
// A worker that does not answer within Workers.Deadline is killed the same
// way (the step limit should have stopped the script long before: that is
// a kscript fault).

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/grade/kclone"
	"kscript.dev/kscript/runtime/i18n"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario"
)

// Workers configures grading in worker processes.
type Workers struct {
	// Command returns the command that starts a worker: a process that
	// calls ServeWorker on its standard input and output.
	Command func() *exec.Cmd
	// Memory is how much address space a worker may add to what it has at
	// start, in bytes; 0 means no limit.
	Memory uint64
	// Deadline is how long a worker may take over one submission; 0 means
	// DefaultDeadline.
	Deadline time.Duration
}

// Defaults for Workers.
const (
	DefaultWorkerMemory = 2 << 30
	DefaultDeadline     = 5 * time.Minute
)

// workerHello is the first message to a worker: what to grade by.
type workerHello struct {
	Lesson    string
	Options   wireOptions
	FreshBoot bool
	Memory    uint64
	BootDir   string // the batch's boot images (Config.Boot), "" for none
}

// wireOptions are the kruntime.Options a worker needs, as the protocol
// sends them: not the hooks (NewKernel, TraceOut: a traced batch grades in
// process), not a Budget (each submission gets its own). A test fails
// when Options gains a field this does not account for.
type wireOptions struct {
	Kernel   kernelsim.Config
	MaxSteps uint64
	Timeout  time.Duration
	Fail     []string
	Lang     string
}

func toWire(o kruntime.Options) wireOptions {
	return wireOptions{Kernel: o.Kernel, MaxSteps: o.MaxSteps, Timeout: o.Timeout, Fail: o.Fail, Lang: o.Lang}
}

func (w wireOptions) options() kruntime.Options {
	return kruntime.Options{Kernel: w.Kernel, MaxSteps: w.MaxSteps, Timeout: w.Timeout, Fail: w.Fail, Lang: w.Lang}
}

// workerJob is a submission to grade; workerReply its result.
type workerJob struct {
	Path string
	Src  []byte
}

type workerReply struct {
	Result *Result
}

// processLane grades in a worker process, started on first use and again
// after each death.
type processLane struct {
	g *Grader
	w *Workers

	mu      sync.Mutex // guards cmd against abort
	cmd     *exec.Cmd
	aborted bool

	stdin    io.WriteCloser
	in       *bufio.Writer
	out      *bufio.Reader
	stderr   stderrLog
	deadline bool // the current worker was killed for taking too long
}

func (l *processLane) grade(sub Submission) *Result {
	if sub.Err != nil {
		return l.g.Submission(sub) // nothing of the submission runs
	}
	if l.cmd == nil {
		if err := l.start(); err != nil {
			return l.failed(sub, messages.T("worker-start", err.Error()))
		}
	}
	timer := time.AfterFunc(cmp(l.w.Deadline, DefaultDeadline), func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.deadline = true
		_ = l.cmd.Process.Kill()
	})
	job := workerJob{Path: sub.Path, Src: sub.Src}
	err := writeWire(l.in, wireJob, job.put)
	if err == nil {
		err = l.in.Flush()
	}
	var rep workerReply
	if err == nil {
		err = readWire(l.out, wireReply, rep.get)
	}
	timer.Stop()
	if err == nil && rep.Result != nil {
		return rep.Result
	}
	return l.failed(sub, l.died())
}

// cmp returns d, or def when d is 0.
func cmp(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// start starts a worker and sends it the batch's configuration.
func (l *processLane) start() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.aborted {
		return errors.New("the batch was interrupted")
	}
	cmd := l.w.Command()
	l.stderr.reset()
	cmd.Stderr = &l.stderr
	isolate(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	l.cmd, l.stdin, l.deadline = cmd, stdin, false
	l.in = bufio.NewWriter(stdin)
	l.out = bufio.NewReader(stdout)
	hello := workerHello{Lesson: l.g.lesson.File, Options: toWire(l.g.cfg.Options), FreshBoot: l.g.cfg.FreshBoot, Memory: l.w.Memory, BootDir: l.g.cfg.Boot.Dir()}
	if err := writeWire(l.in, wireHello, hello.put); err != nil {
		return err
	}
	return l.in.Flush()
}

// died waits for the worker that stopped answering and says why it died.
func (l *processLane) died() i18n.Text {
	l.mu.Lock()
	cmd := l.cmd
	_ = cmd.Process.Kill() // it may be alive but talking nonsense
	l.mu.Unlock()
	_ = l.stdin.Close()
	werr := cmd.Wait()
	l.mu.Lock()
	l.cmd = nil
	deadline := l.deadline
	l.mu.Unlock()
	if deadline {
		return messages.T("worker-deadline", cmp(l.w.Deadline, DefaultDeadline).String())
	}
	last := l.stderr.lastWords()
	status := "exit status unknown"
	if werr != nil {
		status = werr.Error()
	}
	if last == "" {
		last = status
	}
	if strings.Contains(last, "out of memory") || strings.Contains(status, "signal: killed") {
		return messages.T("worker-oom", sizeText(l.w.Memory), last)
	}
	return messages.T("worker-died", last)
}

// failed is the result of a submission whose worker could not grade it.
func (l *processLane) failed(sub Submission, why i18n.Text) *Result {
	res := l.g.newResult(sub.Path)
	l.g.errorAll(res, Error, why)
	cleanResult(res)
	return res
}

func (l *processLane) abort() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.aborted = true
	if l.cmd != nil {
		_ = l.cmd.Process.Kill()
	}
}

// close ends the worker: end of input is its signal to exit.
func (l *processLane) close() {
	if l.cmd == nil {
		return
	}
	_ = l.stdin.Close()
	_ = l.cmd.Wait()
	l.cmd = nil
}

// sizeText words a byte count for messages: "2 GiB".
func sizeText(n uint64) string {
	switch {
	case n == 0:
		return "no limit"
	case n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	}
	return fmt.Sprintf("%d MiB", n>>20)
}

// stderrLog keeps the first bytes written to it: a worker's standard
// error, where the Go runtime writes why it died ("fatal error: out of
// memory") before the goroutines' stacks.
type stderrLog struct {
	mu  sync.Mutex
	buf []byte
}

const stderrKeep = 16 << 10

func (t *stderrLog) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if room := stderrKeep - len(t.buf); room > 0 {
		t.buf = append(t.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (t *stderrLog) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = t.buf[:0]
}

// lastWords picks the line that says why a Go process died ("fatal error:
// out of memory", "runtime: goroutine stack exceeds 1000000000-byte
// limit", "panic: …"), else the first line written.
func (t *stderrLog) lastWords() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(t.buf)), "\n")
	for _, prefix := range []string{"fatal error:", "runtime: goroutine stack exceeds", "runtime: out of memory", "panic:"} {
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return strings.TrimSpace(l)
			}
		}
	}
	return strings.TrimSpace(lines[0])
}

// ServeWorker is a worker process's main loop: it reads the batch's
// configuration, then grades each submission it is sent and writes back
// its result, until its input ends. newMachine is Config.NewMachine.
func ServeWorker(in io.Reader, out io.Writer, newMachine func(kruntime.Options) (scenario.Machine, error)) error {
	// A terminal's Ctrl-C reaches the whole process group: the batch
	// decides what an interrupt means, and ends its workers itself.
	signal.Ignore(os.Interrupt, syscall.SIGTERM)
	rd := bufio.NewReader(in)
	var hello workerHello
	if err := readWire(rd, wireHello, hello.get); err != nil {
		return fmt.Errorf("worker: reading the batch's configuration: %v", err)
	}
	if hello.Memory > 0 {
		if err := limitMemory(hello.Memory); err != nil {
			return fmt.Errorf("worker: %v", err)
		}
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400) // as the batch's own process: see cmd/kscript
	}
	l, err := lesson.Load(hello.Lesson)
	if err != nil {
		return fmt.Errorf("worker: %v", err)
	}
	var boot *kclone.Cache
	if hello.BootDir != "" {
		boot = kclone.OpenCache(hello.BootDir)
	}
	g, err := New(Config{Options: hello.Options.options(), NewMachine: newMachine, FreshBoot: hello.FreshBoot, Boot: boot}, l)
	if err != nil {
		return fmt.Errorf("worker: %v", err)
	}
	lane := g.Lane() // results are encoded before the next submission runs
	bw := bufio.NewWriter(out)
	for {
		var job workerJob
		if err := readWire(rd, wireJob, job.get); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("worker: reading a submission: %v", err)
		}
		res := lane.Submission(Submission{Path: job.Path, Src: job.Src})
		rep := workerReply{Result: res}
		if err := writeWire(bw, wireReply, rep.put); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
	}
}

// vmSize returns the process's address-space size in bytes (VmSize in
// /proc/self/status), or 0 where there is no such file.
func vmSize() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmSize:")); ok {
			var kb uint64
			if _, err := fmt.Sscanf(strings.TrimSpace(string(rest)), "%d kB", &kb); err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
