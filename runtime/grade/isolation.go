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
	// Page says the worker's descriptor 3 is a page it shares with its
	// batch (workerPage): it may then hold its answers back.
	Page bool
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
//
// A worker is sent the next submissions before it has answered the one it
// grades (workerAhead, or pageAhead with a shared page): it then goes from
// one to the next without waiting for the batch's process to read its
// answer, decide and write again — a round trip of two process wake-ups
// per submission, during which the worker's CPU stood idle, and after
// which the woken worker was sometimes placed on the CPU the other worker
// ran on. With a page it shares with its batch (workerPage) a worker also
// holds its answers back and sends several in one write (answerWriter).
// Results do not change: a worker grades its submissions one after
// another, each on its own copy of the kernel, and answers in the order it
// was sent them. When a worker dies, its death is reported for the
// submission it was grading: the one the page says it began last, or,
// without a page, the first one unanswered. Those before it whose answers
// died with the worker, and those sent after it, which were not begun, go
// to the next worker.
type processLane struct {
	g *Grader
	w *Workers

	mu       sync.Mutex // guards cmd, aborted and deadline against abort and the deadline's timer
	cmd      *exec.Cmd
	aborted  bool
	deadline bool // the current worker was killed for taking too long

	// page is shared with the lane's workers (pageFile, their descriptor
	// 3); nil when the system gives none. Made at the first start.
	page     *workerPage
	pageFile *os.File
	madePage bool

	stdin  io.WriteCloser
	jobs   chan workerJob // to the current worker's writer (see start)
	out    *bufio.Reader
	stderr stderrLog
}

// workerAhead is how many submissions a worker without a shared page is
// sent at most before it answers: the one it grades and the next.
const workerAhead = 2

// ahead is how many submissions the lane's worker is sent at most before
// it answers.
func (l *processLane) ahead() int {
	if l.page != nil {
		return pageAhead
	}
	return workerAhead
}

func (l *processLane) serve(subs []Submission, f *feed, news chan<- graded, watched bool) {
	// queued are the submissions taken for this lane and not yet answered,
	// in the order they are sent; the first of them is being graded (or
	// was, its answer held back), the first sent of them were written to
	// the current worker, which has answered answered submissions.
	var queued []int
	sent, answered := 0, 0
	for {
		// Another submission is taken ahead only while there are at least
		// as many left per lane as this one holds: at the batch's end no
		// lane waits for submissions queued behind another lane's.
		for len(queued) < l.ahead() && (len(queued) == 0 || f.left() >= f.lanes*len(queued)) {
			i, ok := f.claim()
			if !ok {
				break
			}
			readTaken(subs, i)
			if subs[i].Err != nil { // nothing of it runs: graded here
				if watched {
					news <- graded{i, nil}
				}
				news <- graded{i, l.g.Submission(subs[i])}
				continue
			}
			queued = append(queued, i)
		}
		if len(queued) == 0 {
			return
		}
		if l.cmd == nil {
			if err := l.start(); err != nil {
				why := messages.T("worker-start", err.Error())
				for _, i := range queued {
					if watched {
						news <- graded{i, nil}
					}
					news <- graded{i, l.failed(subs[i], why)}
				}
				queued = queued[:0]
				continue
			}
			sent, answered = 0, 0
		}
		for ; sent < len(queued); sent++ {
			sub := subs[queued[sent]]
			l.jobs <- workerJob{Path: sub.Path, Src: sub.Src}
		}
		// The worker grades the first submission queued (or has, and
		// holds its answer back): its deadline runs from now, or from
		// when the worker began its latest submission.
		i := queued[0]
		if watched {
			news <- graded{i, nil}
		}
		timer := l.deadlineFor(l.cmd)
		rep := workerReply{Result: l.g.replyTemplate(subs[i].Path)}
		err := readWire(l.out, wireReply, rep.get)
		late := !timer.Stop()
		switch {
		case err != nil || rep.Result == nil:
			why := l.died()
			k := l.culprit(answered, sent)
			news <- graded{queued[k], l.failed(subs[queued[k]], why)}
			queued = append(queued[:k], queued[k+1:]...)
		case late:
			// The deadline passed as the answer came: the worker is
			// being killed, and the next submission goes to a new one.
			news <- graded{i, rep.Result}
			queued, sent = queued[1:], sent-1
			l.died()
		default:
			news <- graded{i, rep.Result}
			queued, sent, answered = queued[1:], sent-1, answered+1
		}
	}
}

// culprit returns which of the queued submissions the lane's worker, dead
// now, died grading, having answered answered submissions and been sent
// sent of the queued ones: the one the page says it began last, else
// (no page, or it began none of them) the first.
func (l *processLane) culprit(answered, sent int) int {
	if l.page == nil {
		return 0
	}
	begun, _, _ := l.page.state()
	if k := begun - answered - 1; k > 0 && k < sent {
		return k
	}
	return 0
}

// cmp returns d, or def when d is 0.
func cmp(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// start starts a worker and sends it the batch's configuration. The
// submissions go to it through a goroutine of their own (write), so that
// the lane reads the worker's answers while a submission is being
// written: a worker that answers at length while a long submission waits
// for room in its pipe never waits for the lane, nor the lane for it.
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
	if !l.madePage {
		l.madePage = true
		l.page, l.pageFile = newWorkerPage()
	}
	if l.page != nil {
		l.page.reset()
		cmd.ExtraFiles = []*os.File{l.pageFile}
	}
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
	rd, wr := rawPipes(stdout, stdin)
	in := bufio.NewWriterSize(wr, 64<<10)
	l.out = bufio.NewReaderSize(rd, 64<<10)
	hello := workerHello{Lesson: l.g.lesson.File, Options: toWire(l.g.cfg.Options), FreshBoot: l.g.cfg.FreshBoot, Memory: l.w.Memory, BootDir: l.g.cfg.Boot.Dir(), Page: l.page != nil}
	err = writeWire(in, wireHello, hello.put)
	if err == nil {
		err = in.Flush()
	}
	if err != nil {
		_ = cmd.Process.Kill()
		_ = stdin.Close()
		_ = cmd.Wait()
		l.cmd = nil
		return err
	}
	l.jobs = make(chan workerJob, l.ahead())
	go write(in, l.jobs, cmd)
	return nil
}

// write writes the jobs to a worker's input until jobs is closed, those
// that are waiting together in one write. A worker that no longer reads
// them is dead or broken: it is killed, and the lane hears so as its
// answers end.
func write(in *bufio.Writer, jobs <-chan workerJob, cmd *exec.Cmd) {
	var m wireWriter
	for job := range jobs {
		err := m.write(in, wireJob, job.put)
		if err == nil && len(jobs) == 0 {
			err = in.Flush()
		}
		if err != nil {
			_ = cmd.Process.Kill()
			for range jobs {
			}
			return
		}
	}
}

// deadlineFor starts the deadline of the submission worker cmd grades
// now: when it passes, cmd is killed, unless it is no longer the lane's
// worker. With a page, the deadline is the worker's own: it is killed
// when it has neither begun nor finished a submission for that long (it
// may have answered none for longer, holding its answers back).
func (l *processLane) deadlineFor(cmd *exec.Cmd) *time.Timer {
	d := cmp(l.w.Deadline, DefaultDeadline)
	l.mu.Lock()
	defer l.mu.Unlock()
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.cmd != cmd {
			return
		}
		if l.page != nil {
			if _, _, at := l.page.state(); !at.IsZero() {
				if left := d - time.Since(at); left > 0 {
					t.Reset(left)
					return
				}
			}
		}
		l.deadline = true
		_ = cmd.Process.Kill()
	})
	return t
}

// died waits for the worker that stopped answering and says why it died.
func (l *processLane) died() i18n.Text {
	l.mu.Lock()
	cmd := l.cmd
	_ = cmd.Process.Kill() // it may be alive but talking nonsense
	l.mu.Unlock()
	close(l.jobs)
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
	if l.cmd != nil {
		close(l.jobs)
		_ = l.stdin.Close()
		_ = l.cmd.Wait()
		l.cmd = nil
	}
	l.mu.Lock() // a deadline's timer may be reading the page
	defer l.mu.Unlock()
	if l.page != nil {
		l.page.release()
		_ = l.pageFile.Close()
		l.page, l.pageFile = nil, nil
	}
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

// workerGCPercent is a worker's GOGC (unless GOGC is set). A worker keeps
// little between submissions (the lesson, its programs, the boot image's
// templates of the kernel's pointerful arenas and the lane's last copy:
// about 4 MiB for lesson 03) and allocates some 250 KB per submission,
// all garbage once it is graded; 800 lets the heap grow to nine times
// what is kept. Measured on 1000 submissions of lesson 03 (callgrind,
// instructions of all threads; page faults from perf stat): at 400 the
// worker collected 16-19 times, 2.38G instructions, 11,800 faults; at 800
// 8 times, 2.24G, 11,500-15,000; above that the faults of a larger heap
// (about 1.8 µs each here) cost more than the collections they save (1600:
// 2.18G, 23,000-28,000). The memory limits (limitMemory) are unchanged: a
// submission that keeps much makes the collector run at the soft limit,
// as before.
const workerGCPercent = 800

// workerHeap is the heap a worker maps at its start (hugeHeap): what
// it grows to anyway under workerGCPercent, whose goal is at least 8 ×
// the runtime's 4 MiB minimum (32 MiB), with what is allocated while a
// collection runs (gctrace: 30-38 MB at a collection's end). With 28 MiB
// a worker still faulted in some 13 MiB above it, 4 KiB at a time
// (2,400-5,000 faults over 1000 submissions of lesson 03); with 40 MiB,
// 1,400-1,900 faults, most of them the process's start. More is given
// back: the runtime's scavenger returns what is above about 1.1 × the
// goal (48 MiB: 13.5 MiB returned at the fourth collection).
const workerHeap = 40 << 20

// ServeWorker is a worker process's main loop: it reads the batch's
// configuration, then grades each submission it is sent and writes back
// its result, until its input ends. newMachine is Config.NewMachine.
func ServeWorker(in io.Reader, out io.Writer, newMachine func(kruntime.Options) (scenario.Machine, error)) error {
	// A terminal's Ctrl-C reaches the whole process group: the batch
	// decides what an interrupt means, and ends its workers itself.
	signal.Ignore(os.Interrupt, syscall.SIGTERM)
	in, out = workerPipes(in, out)
	rd := bufio.NewReaderSize(in, 64<<10)
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
		debug.SetGCPercent(workerGCPercent)
		hugeHeap(workerHeap)
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
	// With a page shared with the batch, answers are held back and sent
	// several at a time (answerWriter), and always before the worker
	// waits for more submissions: its batch may be waiting for them to
	// send more.
	var page *workerPage
	if hello.Page {
		page = mapWorkerPage()
	}
	aw := newAnswerWriter(bufio.NewWriterSize(out, 64<<10))
	if page != nil && onIdle(in, func() { _ = aw.flush() }) {
		aw.holdUpTo(answerBatch)
	}
	for n := 1; ; n++ {
		var job workerJob
		if err := readWire(rd, wireJob, job.get); err == io.EOF {
			return aw.flush()
		} else if err != nil {
			return fmt.Errorf("worker: reading a submission: %v", err)
		}
		page.begin(n)
		res := lane.Submission(Submission{Path: job.Path, Src: job.Src})
		page.end(n)
		if err := aw.put(&workerReply{Result: res}); err != nil {
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
