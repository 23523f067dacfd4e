package grade

import (
	"kscript.dev/kscript/runtime/i18n"
)

// Status is the outcome of a check or of a whole submission.
type Status string

// The statuses. A submission's status is its worst check's: ERROR when it
// could not be loaded at all or a check stopped on a script error, TIMEOUT
// when a sandbox limit stopped one, FAIL when a check failed or was
// skipped, PASS when every check passed.
const (
	Pass    Status = "PASS"
	Fail    Status = "FAIL"
	Skip    Status = "SKIP"    // a prerequisite (needs:) did not pass, or the check cannot run here
	Error   Status = "ERROR"   // the script does not parse, or stopped on a script error
	Timeout Status = "TIMEOUT" // the step budget ran out (Budget)
	// NotGraded marks the submissions of a batch interrupted (SIGINT,
	// SIGTERM) before they were graded, and their checks.
	NotGraded Status = "NOT_GRADED"
)

// Batch is the grading of several submissions of one exercise.
type Batch struct {
	Lesson     string // the lesson's id: "03_atomic"
	LessonFile string
	Module     string // the module name every submission takes
	Title      i18n.Text
	MaxScore   int
	Results    []*Result // in the order the submissions were given
	// Error is why nothing could be graded (the lesson file is broken);
	// the results file is written all the same, saying so.
	Error i18n.Text
	// Interrupted names what stopped the batch before every submission
	// was graded ("SIGTERM"); empty for a complete batch. The submissions
	// not graded are in Results all the same, with status NotGraded.
	Interrupted string
}

// Complete reports whether every submission was graded.
func (b *Batch) Complete() bool { return b.Interrupted == "" }

// LessonError returns the batch of a lesson that could not be read: no
// results, and the reason, so that a results file can still be written.
func LessonError(file string, err error) *Batch {
	return &Batch{LessonFile: file, Error: messages.T("lesson-error", err.Error())}
}

// AllPassed reports whether every check of every submission passed.
func (b *Batch) AllPassed() bool {
	if !b.Complete() {
		return false
	}
	for _, r := range b.Results {
		if r.Status != Pass {
			return false
		}
	}
	return len(b.Results) > 0
}

// Count returns how many submissions have status st.
func (b *Batch) Count(st Status) int {
	n := 0
	for _, r := range b.Results {
		if r.Status == st {
			n++
		}
	}
	return n
}

// Result is the grading of one submission.
type Result struct {
	Submission string // its path, as given
	Status     Status
	Score      int
	MaxScore   int
	// Message says why the whole submission is an ERROR or TIMEOUT
	// ("alice.star:3:9: got ':', want ')'"); empty otherwise.
	Message i18n.Text
	// Notes are what the student should know about how the submission was
	// run (its user programs the lesson's replaced), in every format.
	Notes  []i18n.Text
	Checks []*CheckResult // in the exercise's order
	// Stack is the Go stack of a panic inside kscript while grading the
	// submission, for kscript's developers (KSCRIPT_DEBUG=1); no results
	// format includes it.
	Stack string
}

// CheckResult is one check's outcome for one submission.
type CheckResult struct {
	ID         string
	Title      i18n.Text
	Status     Status
	Points     int // earned
	MaxPoints  int
	Visibility string   // Gradescope's: visible, hidden, after_due_date, after_published
	Needs      []string // the checks it depends on
	Fail       []string // its fault-injection specs

	// Feedback, for a check that did not pass:
	Failures []Expectation // the failed expectations, expected versus actual
	Report   *Report       // the kernel report that explains the failure, if any
	Reason   i18n.Text     // why it was skipped, stopped or could not run
	Hint     i18n.Text     // the lesson's hint (only when the check did not pass)
	// CannotRun marks a SKIP because this kscript lacks what the check
	// needs (fault injection): a limit of the tool, not of the submission.
	CannotRun bool

	hint i18n.Text
}

// Expectation is one failed expectation: what the lesson expected and what
// the run showed instead.
type Expectation struct {
	Name string // "dmesg", "insmod", "calls kmalloc", "health"…
	Want i18n.Text
	Got  i18n.Text
}

// Report is a kernel report a check's run produced: its class, the header
// line the kernel printed and the script line it points at.
type Report struct {
	Class string // "null-deref", "double-free", "memory-leak"…
	Title string // "BUG: kernel NULL pointer dereference, address: 0000000000000000"
	Where string // "alice.star:23 in hello_exit"; empty when no script frame
	// Kscript marks kscript's own finding (kernelsim.Report.Kscript): no
	// kernel prints it, and Title is kscript's English; ThaiTitle is the
	// explanation's Thai name for it.
	Kscript   bool
	ThaiTitle string
	// Explain is kscript's explanation of the report (package explain):
	// what went wrong at that line and the usual fix.
	Explain i18n.Text
}

// FullMarks reports whether every check passed, counting those that
// cannot run in this kscript as passed: what kscript test asks of a
// reference solution.
func (r *Result) FullMarks() bool {
	for _, c := range r.Checks {
		if c.Status != Pass && !c.CannotRun {
			return false
		}
	}
	return true
}

// finish adds up the score and decides the submission's status.
func (r *Result) finish() {
	r.Score = 0
	worst := Pass
	for _, c := range r.Checks {
		r.Score += c.Points
		if rank(c.Status) > rank(worst) {
			worst = c.Status
		}
		if c.Status != Pass {
			c.Hint = c.hint
		}
	}
	if worst == Skip {
		worst = Fail
	}
	r.Status = worst
}

// rank orders statuses from best to worst for a submission's status.
func rank(s Status) int {
	switch s {
	case Pass:
		return 0
	case Skip:
		return 1
	case Fail:
		return 2
	case Error:
		return 3
	case Timeout:
		return 4
	}
	return 5 // NotGraded
}

// applyNeeds skips every check one of whose prerequisites did not pass,
// transitively: needs: is acyclic (lint checks it), so this settles after
// at most one pass per check.
func applyNeeds(r *Result) {
	byID := make(map[string]*CheckResult, len(r.Checks))
	for _, c := range r.Checks {
		byID[c.ID] = c
	}
	for range r.Checks {
		changed := false
		for _, c := range r.Checks {
			if c.Status == Skip {
				continue
			}
			for _, n := range c.Needs {
				if d := byID[n]; d != nil && d.Status != Pass {
					c.Status, c.Points, c.Failures, c.Report = Skip, 0, nil, nil
					c.Reason, c.CannotRun = messages.T("needs", n, messages.T("status-"+string(d.Status)), d.Title), d.CannotRun
					changed = true
					break
				}
			}
		}
		if !changed {
			return
		}
	}
}

// noteShadowed notes, once, the submission's user programs that the
// lesson's programs files replaced.
func (r *Result) noteShadowed(names []string) {
	for _, n := range names {
		note := messages.T("program-ignored", n)
		if !containsText(r.Notes, note) {
			r.Notes = append(r.Notes, note)
		}
	}
}

func containsText(list []i18n.Text, t i18n.Text) bool {
	for _, x := range list {
		if x == t {
			return true
		}
	}
	return false
}
