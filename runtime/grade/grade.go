// Package grade autogrades student submissions of a lesson's exercise
// (DESIGN §8, §9): each submission, a module script, runs on fresh
// simulated machines through every check of the exercise — the check's
// scenario (or the lesson's), its fault injection, its expectations — and
// earns the points of the checks it passes. Checks whose prerequisites
// (needs:) did not pass are skipped, not failed.
//
// Grading never stops on a bad submission. A script that does not parse is
// an ERROR with its file:line:col; one that loops forever is stopped by the
// step limit, deterministically, and is a TIMEOUT; one that allocates
// without limit meets the simulated machine's RAM, as a real module would
// (NULL, ENOMEM, an allocation-failure warning); one that crashes the
// simulated kernel gets the Oops report, explained, as its feedback. A Go
// panic inside kscript while grading one submission becomes that
// submission's ERROR, and the batch goes on.
//
// Results are deterministic: the same lesson and submissions give the same
// results byte for byte, whatever --jobs is and however fast the machine
// is, because the simulation has its own clock and the results carry no
// wall time.
//
// Checks that share a scenario and fault-injection specs are judged on one
// run: the simulation is deterministic, so a second run would be the same
// run again. And every run starts from a copy of one booted kernel
// (package kclone) rather than booting its own: the copy is the same
// machine, made three to four times faster.
package grade

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/grade/kclone"
	"kscript.dev/kscript/runtime/i18n"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario"
)

// Config configures a grading batch.
type Config struct {
	// Options configure every machine (RAM, seed, limits); each check's
	// fault-injection specs are added to Options.Fail.
	Options kruntime.Options
	// NewMachine boots a machine; nil means kruntime.NewMachine.
	NewMachine func(kruntime.Options) (scenario.Machine, error)
	// Jobs is how many submissions are graded at once (default 1).
	Jobs int
	// Progress, if set, is told how the batch stands (see Progress): when
	// a submission starts, after each one, and at every tick of Tick, from
	// one goroutine at a time.
	Progress func(Progress)
	// Tick, if not nil, makes Grade report Progress at each of its ticks
	// while it waits, so that a display can name a submission that takes
	// long; the CLI gives a time.Ticker's channel, tests their own.
	Tick <-chan time.Time
	// Now tells the time for Progress.For; nil means time.Now.
	Now func() time.Time
	// FreshBoot boots every machine's kernel afresh instead of copying one
	// booted kernel (kclone); the results are the same, only slower.
	FreshBoot bool
	// Stop, when it delivers, interrupts the batch (the CLI relays SIGINT
	// and SIGTERM): Grade returns at once with the results so far and every
	// other submission NotGraded, the batch marked incomplete.
	Stop <-chan os.Signal
	// Workers, if set, grades in worker processes (isolation.go) instead
	// of in this one.
	Workers *Workers
	// Boot, if set, holds boot images (kclone.Cache): the booted kernel the
	// runs copy is read from its image when there is one, instead of
	// booting and planning it (a few boots' time in every worker), and its
	// image is written when the kernel is booted here.
	Boot *kclone.Cache
	// Programs, if not nil, are the lesson's programs files already read,
	// for a caller without the lesson's folder on disk (the browser
	// playground reads them from the embedded lessons); nil reads them
	// from beside the lesson file.
	Programs []scenario.ProgramFile
}

// Submission is one file to grade.
type Submission struct {
	Path string // as the user named it; results and positions use it
	Src  []byte
	Err  error // the file could not be read
	// unread says Src and Err are not read yet: the lane that takes the
	// submission reads the file at Path first (UnreadSubmissions).
	unread bool
}

// Submissions expands the command line's paths: a .star file is one
// submission; a folder stands for every .star file directly in it, sorted
// by name. A path that cannot be read is still a submission, graded ERROR,
// so that a batch always accounts for every name it was given; so is one
// that is not a regular file (a symbolic link, a device, a named pipe) or
// is larger than MaxSubmissionBytes, which kscript refuses to read.
func Submissions(paths []string) []Submission { return ReadSubmissions(SubmissionPaths(paths)) }

// SubmissionPaths lists the files Submissions reads, in its order: each
// path that is not a folder, and the .star files of each folder in name
// order. A symbolic link is not followed, to a folder no more than to a
// file: `kscript grade --lesson L submissions/*` names what students
// uploaded, and a link among them (to another student's folder, to /etc)
// is a submission graded ERROR, never read. A path ending in a slash
// ("link/") names the folder itself and is followed, as ls and find do.
func SubmissionPaths(paths []string) []string {
	var out []string
	for _, p := range paths {
		st, err := os.Lstat(p)
		if err != nil || !st.IsDir() {
			out = append(out, p)
			continue
		}
		files, _ := filepath.Glob(filepath.Join(p, "*.star"))
		if len(files) == 0 {
			// A folder with nothing to grade is still accounted for: a
			// Gradescope upload of a zip whose .star is in a subfolder
			// gets a results.json that says so, not an empty batch.
			out = append(out, p)
			continue
		}
		sort.Strings(files)
		out = append(out, files...)
	}
	return out
}

// ReadSubmissions reads the files SubmissionPaths listed.
func ReadSubmissions(files []string) []Submission {
	out := make([]Submission, len(files))
	for i, f := range files {
		out[i] = readSubmission(f)
	}
	return out
}

// UnreadSubmissions returns the files SubmissionPaths listed as
// submissions not read yet: Grade reads each when a lane takes it, as
// ReadSubmissions would have, so that the first ones go to the workers
// while the rest are still on disk. Reading a thousand files (lstat,
// open, fstat, two reads and a close each) took the batch's process
// 23-45 ms on a 2-vCPU virtual machine whose system calls are slow, and
// its workers, ready after 15-25 ms, waited for the last of them.
func UnreadSubmissions(files []string) []Submission {
	out := make([]Submission, len(files))
	for i, f := range files {
		out[i] = Submission{Path: f, unread: true}
	}
	return out
}

// readTaken reads submission i of subs, which the calling lane has just
// taken, if it is not read yet. Only the lane that took it writes it, and
// not its Path, which the batch's goroutine may read meanwhile (an
// interrupt names the submissions not graded).
func readTaken(subs []Submission, i int) {
	if s := &subs[i]; s.unread {
		r := readSubmission(s.Path)
		s.Src, s.Err, s.unread = r.Src, r.Err, false
	}
}

func readSubmission(path string) Submission {
	src, err := ReadRegular(path, MaxSubmissionBytes)
	var refused *RefusedError
	if errors.As(err, &refused) && refused.Kind == "folder" {
		refused.noStar(path)
	}
	return Submission{Path: path, Src: src, Err: err}
}

// noStar makes e, the refusal of the folder at path, say what the folder
// holds when it has no .star file directly in it (an empty upload, a zip
// whose module is in a subfolder).
func (e *RefusedError) noStar(path string) {
	if files, _ := filepath.Glob(filepath.Join(path, "*.star")); len(files) > 0 {
		return
	}
	d, err := os.Open(path)
	if err != nil {
		return
	}
	defer d.Close()
	entries, _ := d.ReadDir(maxListed + 1)
	var names []string
	for _, en := range entries {
		name := en.Name()
		if en.IsDir() {
			name += "/"
		}
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) > maxListed {
		names = append(names[:maxListed], "…")
	}
	e.Kind, e.Holds = kindNoStar, names
}

// kindNoStar is RefusedError.Kind for a folder with no .star file in it;
// maxListed is how many of its entries the refusal names.
const (
	kindNoStar = "folder without .star"
	maxListed  = 5
)

// MaxSubmissionBytes is the largest submission kscript reads: a lesson's
// solution is a few KiB.
const MaxSubmissionBytes = 1 << 20

// ReadRegular reads a regular file of at most limit bytes. It refuses
// anything else with a *RefusedError: a symbolic link (a submission
// pointing at /etc/passwd or /dev/zero), a device, a named pipe, a socket,
// a larger file.
func ReadRegular(path string, limit int64) ([]byte, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if err := regular(path, st, limit); err != nil {
		return nil, err
	}
	return readOpened(path, st, limit)
}

// errReplaced is readOpened's error for a file that is not the one Lstat
// looked at.
func errReplaced(path string) error {
	return &RefusedError{Path: path, Kind: "file replaced while being read"}
}

// readLimited reads the file open as r, of size bytes, and refuses it
// when it grew beyond limit.
func readLimited(r io.Reader, path string, size, limit int64) ([]byte, error) {
	src, err := readUpTo(r, size, limit+1)
	if err == nil && int64(len(src)) > limit {
		return nil, &RefusedError{Path: path, Size: int64(len(src)), Limit: limit}
	}
	return src, err
}

// readUpTo reads r to its end, or to max bytes, into a buffer made for
// size bytes (the file's size when it was looked at) and one more, to see
// the end: a file that has not changed is read in one allocation and two
// reads, where io.ReadAll grows its buffer from 512 bytes (six
// allocations and copies for a lesson's 3 KiB solution, in a batch of a
// thousand of them).
func readUpTo(r io.Reader, size, max int64) ([]byte, error) {
	buf := make([]byte, 0, min(max, size+1))
	for int64(len(buf)) < max {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // the file grew
		}
		n, err := r.Read(buf[len(buf):int(min(int64(cap(buf)), max))])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// regular returns a *RefusedError unless st is a regular file of at most
// limit bytes.
func regular(path string, st os.FileInfo, limit int64) error {
	m := st.Mode()
	kind := ""
	switch {
	case m&os.ModeSymlink != 0:
		kind = "symbolic link"
	case m&os.ModeDevice != 0:
		kind = "device"
	case m&os.ModeNamedPipe != 0:
		kind = "named pipe"
	case m&os.ModeSocket != 0:
		kind = "socket"
	case m.IsDir():
		kind = "folder"
	case !m.IsRegular():
		kind = "special file"
	case st.Size() > limit:
		return &RefusedError{Path: path, Size: st.Size(), Limit: limit}
	}
	if kind != "" {
		return &RefusedError{Path: path, Kind: kind}
	}
	return nil
}

// RefusedError is a file kscript will not read: not a regular file
// (Kind says what it is), or larger than Limit bytes.
type RefusedError struct {
	Path        string
	Kind        string
	Size, Limit int64
	Holds       []string // a folder without .star files: what it holds (kindNoStar)
}

func (e *RefusedError) Error() string { return e.Text().EN }

// Text words the refusal in both languages.
func (e *RefusedError) Text() i18n.Text {
	if e.Kind == kindNoStar {
		if len(e.Holds) == 0 {
			return messages.T("no-star-empty", e.Path)
		}
		return messages.T("no-star", e.Path, strings.Join(e.Holds, ", "))
	}
	if e.Kind == "" {
		return messages.T("too-big", e.Path, e.Size, e.Limit)
	}
	return messages.T("not-regular", e.Path, e.Kind)
}

// Grader grades submissions of one lesson's exercise.
type Grader struct {
	cfg      Config
	lesson   *lesson.Lesson
	runs     []plannedRun
	programs []scenario.ProgramFile // the lesson's harness, read once

	// copies is set when runs copy the lesson's booted kernel (snapshot)
	// instead of booting their own.
	copies     bool
	boot       bootSource // the booted kernel to copy
	verifyBoot bootSource // the verify seed's (verify.go)

	probeOnce sync.Once
	canFail   bool // the runtime honours Options.Fail

	started []lane // lanes StartWorkers started, for Grade to use

	templateOnce sync.Once
	template     *Result // see replyTemplate
}

// New prepares the grading of the exercise of l.
func New(cfg Config, l *lesson.Lesson) (*Grader, error) {
	if l.Exercise == nil || len(l.Exercise.Checks) == 0 {
		return nil, fmt.Errorf("%s: the lesson has no exercise checks to grade", l.File)
	}
	if cfg.NewMachine == nil {
		cfg.NewMachine = func(o kruntime.Options) (scenario.Machine, error) { return kruntime.NewMachine(o) }
	}
	g := &Grader{}
	cfg.Options.Kernel = l.KernelConfig(cfg.Options.Kernel) // the lesson's machine:
	checkOpts := cfg.Options
	if checkOpts.NewKernel == nil && cfg.Boot != nil && !cfg.FreshBoot {
		checkOpts.NewKernel = cfg.Boot.NewKernel
	}
	if cfg.Options.NewKernel == nil && !cfg.FreshBoot {
		// Boot once, copy for every run (see snapshot).
		g.copies = true
		cfg.Options.NewKernel = g.newKernel
	}
	programs := cfg.Programs
	if programs == nil {
		var err error
		if programs, err = scenario.ReadPrograms(l); err != nil {
			return nil, fmt.Errorf("%s: %v", l.File, err)
		}
	}
	if programs == nil {
		programs = []scenario.ProgramFile{} // the lesson has none: load none
	}
	// The check boots a machine of its own: a batch graded in worker
	// processes never needs the snapshot in this one.
	if err := checkPrograms(cfg, checkOpts, programs); err != nil {
		return nil, fmt.Errorf("%s: %v", l.File, err)
	}
	g.cfg, g.lesson, g.runs, g.programs = cfg, l, plan(l), programs
	return g, nil
}

// checkPrograms loads the lesson's programs files once, so that a mistake
// in them is the lesson's error rather than every submission's. A machine
// that does not boot is left for the submissions' results to report.
func checkPrograms(cfg Config, opts kruntime.Options, programs []scenario.ProgramFile) error {
	if len(programs) == 0 {
		return nil
	}
	m, err := cfg.NewMachine(opts)
	if err != nil {
		return nil
	}
	_, err = scenario.LoadPrograms(m, programs)
	return err
}

// snapshot returns the lesson's booted kernel for runs to copy, taken on
// first use: booting once and copying for every run is cheaper than a boot
// per run, but taking the snapshot costs a few boots, which a process
// that grades nothing itself (a batch's, when workers grade) need not pay.
// A kernel kclone cannot copy (or one that does not boot) is booted
// afresh each time (nil): the machine reports a boot error in the
// submissions' results.
func (g *Grader) snapshot() kernelSource { return g.boot.source(g, g.cfg.Options.Kernel) }

// verifySnapshot is snapshot for the verify runs' kernel (verify.go): the
// same machine booted with the verify seed, its image kept in the boot
// cache beside the grading seed's.
func (g *Grader) verifySnapshot() kernelSource { return g.verifyBoot.source(g, g.verifyConfig()) }

// bootSource is a booted kernel that runs copy, taken on first use: a
// snapshot taken here or an image read from the boot cache.
type bootSource struct {
	once sync.Once
	snap *kclone.Snapshot // the booted kernel to copy, nil if it cannot be copied
	img  *kclone.Image    // or its image, read from Boot
}

// source takes or reads the kernel of cfg once and returns it, nil when
// the grader's runs do not copy kernels or cfg's cannot be copied.
func (b *bootSource) source(g *Grader, cfg kernelsim.Config) kernelSource {
	b.once.Do(func() {
		if !g.copies {
			return
		}
		if im := g.cfg.Boot.Image(cfg); im != nil {
			b.img = im
			return
		}
		if snap, err := kclone.Take(cfg); err == nil {
			b.snap = snap
			g.cfg.Boot.Put(snap)
		}
	})
	switch {
	case b.img != nil:
		return b.img
	case b.snap != nil:
		return b.snap
	}
	return nil
}

// lane returns a new lane of the kernel source (kclone.Lane,
// kclone.ImageLane), nil when there is none.
func (b *bootSource) lane(g *Grader, cfg kernelsim.Config) kernelSource {
	b.source(g, cfg)
	switch {
	case b.img != nil:
		return b.img.Lane()
	case b.snap != nil:
		return b.snap.Lane()
	}
	return nil
}

// kernelSource is what runs copy their kernel from: a kclone.Snapshot or
// a kclone.Image.
type kernelSource interface {
	NewKernel(kernelsim.Config) (*kernelsim.Kernel, error)
}

// newKernel is the runs' Options.NewKernel when they copy the snapshot:
// the grading seed's kernel, or the verify seed's for a verify run.
func (g *Grader) newKernel(cfg kernelsim.Config) (*kernelsim.Kernel, error) {
	src := g.snapshot()
	if cfg != g.cfg.Options.Kernel && cfg == g.verifyConfig() {
		src = g.verifySnapshot()
	}
	if src != nil {
		return src.NewKernel(cfg)
	}
	return kernelsim.New(cfg)
}

// newBatch describes the lesson for the batch's results.
func (g *Grader) newBatch() *Batch {
	l := g.lesson
	return &Batch{Lesson: l.ID, LessonFile: l.File, Module: l.ModuleName(), Title: text(l.Title), MaxScore: g.maxScore()}
}

// maxScore is the exercise's declared total, else the sum of its points.
func (g *Grader) maxScore() int {
	x := g.lesson.Exercise
	if x.Points > 0 {
		return x.Points
	}
	sum := 0
	for _, c := range x.Checks {
		sum += c.Points
	}
	return sum
}

// Submission grades one submission. A panic inside kscript becomes the
// submission's ERROR: the batch goes on. Submission may be called from
// several goroutines at once.
func (g *Grader) Submission(sub Submission) (res *Result) { return g.submission(sub, nil) }

// A Lane grades submissions one after another on one goroutine, each
// machine a copy of the lesson's booted kernel in the memory of the one
// before (kclone.Lane, kclone.ImageLane): a grading worker's way to grade.
type Lane struct {
	g    *Grader
	copy kernelSource // nil: the kernel is not copied
}

// Lane returns a new lane of g.
func (g *Grader) Lane() *Lane {
	l := &Lane{g: g}
	if c := g.boot.lane(g, g.cfg.Options.Kernel); c != nil {
		l.copy = &laneKernels{g: g, main: c}
	}
	return l
}

// laneKernels hands out a lane's copies: of the grading seed's kernel, and
// of the verify seed's, in a lane of its own made on first use.
type laneKernels struct {
	g            *Grader
	main, verify kernelSource
}

func (l *laneKernels) NewKernel(cfg kernelsim.Config) (*kernelsim.Kernel, error) {
	g := l.g
	if cfg == g.cfg.Options.Kernel || cfg != g.verifyConfig() {
		return l.main.NewKernel(cfg) // (another configuration boots afresh)
	}
	if l.verify == nil {
		if l.verify = g.verifyBoot.lane(g, cfg); l.verify == nil {
			return kernelsim.New(cfg)
		}
	}
	return l.verify.NewKernel(cfg)
}

// Submission grades one submission, as Grader.Submission does.
func (l *Lane) Submission(sub Submission) *Result { return l.g.submission(sub, l.copy) }

// submission grades sub, its machines copied in lane when it is not nil.
func (g *Grader) submission(sub Submission, lane kernelSource) (res *Result) {
	res = g.newResult(sub.Path)
	defer func() {
		if r := recover(); r != nil {
			res = g.newResult(sub.Path)
			g.errorAll(res, Error, messages.T("internal-error", fmt.Sprint(r)))
			res.Stack = string(debug.Stack())
		}
		cleanResult(res)
	}()
	var refused *RefusedError
	switch {
	case errors.As(sub.Err, &refused):
		g.errorAll(res, Error, messages.T("refused", refused.Text()))
		return res
	case sub.Err != nil:
		g.errorAll(res, Error, messages.T("unreadable", fileError(sub.Err)))
		return res
	}
	budget := kruntime.NewBudget(g.cfg.Options.MaxSteps) // one for all the submission's runs
	var st runState                                      // what the runs without injection showed (failEach, failKept)
	for i := range g.runs {
		if budget.Exhausted() {
			g.outOfBudget(res, i)
			break
		}
		if stop := g.runOne(sub, &g.runs[i], res, budget, lane, &st); stop {
			return res
		}
	}
	applyNeeds(res)
	res.finish()
	return res
}

// outOfBudget marks the checks of runs from the ith on, which the
// submission's step budget no longer allows, as the run that exhausted it
// ended.
func (g *Grader) outOfBudget(res *Result, from int) {
	var stop *CheckResult
	for _, c := range res.Checks {
		if c.Status == Timeout {
			stop = c
			break
		}
	}
	for _, r := range g.runs[from:] {
		for _, i := range r.checks {
			c := res.Checks[i]
			c.Status, c.Reason = Timeout, messages.T("step-limit", "?", 0)
			if stop != nil {
				c.Reason = stop.Reason
			}
		}
	}
}

// newResult makes a result with every check listed, not yet judged.
func (g *Grader) newResult(path string) *Result {
	res := &Result{Submission: path, MaxScore: g.maxScore()}
	for _, c := range g.lesson.Exercise.Checks {
		res.Checks = append(res.Checks, &CheckResult{
			ID: c.ID, Title: text(c.Title), MaxPoints: c.Points, Visibility: c.VisibilityOf(),
			Needs: append([]string(nil), c.Needs...), Fail: append([]string(nil), c.Fail...),
			hint: text(c.Hint),
		})
	}
	return res
}

// replyTemplate returns the result of the submission at path as far as
// the lesson makes it (Grader.newResult, cleaned as cleanResult cleans a
// worker's result), for a worker's answer to complete (workerReply.get).
// Its checks share the lesson's Needs and Fail slices, which nothing
// changes.
func (g *Grader) replyTemplate(path string) *Result {
	g.templateOnce.Do(func() {
		g.template = g.newResult("")
		cleanResult(g.template)
	})
	t := g.template
	res := &Result{Submission: cleanName(path), MaxScore: t.MaxScore, Checks: make([]*CheckResult, len(t.Checks))}
	checks := make([]CheckResult, len(t.Checks))
	for i, c := range t.Checks {
		checks[i] = *c
		res.Checks[i] = &checks[i]
	}
	return res
}

// errorAll marks the whole submission, and every check, with status st
// for reason why: nothing of it could be judged.
func (g *Grader) errorAll(res *Result, st Status, why i18n.Text) {
	res.Status, res.Message, res.Score = st, why, 0
	for _, c := range res.Checks {
		c.Status, c.Reason, c.Points = st, why, 0
	}
}

// text converts a lesson's bilingual text.
func text(t lesson.Text) i18n.Text { return i18n.Text{EN: t.EN, TH: t.TH} }

// fileError words a file error as "NAME: no such file".
func fileError(err error) string {
	pe, ok := err.(*os.PathError)
	switch {
	case !ok:
		return strings.TrimSpace(err.Error())
	case os.IsNotExist(err):
		return pe.Path + ": no such file"
	}
	return pe.Path + ": " + pe.Err.Error()
}
