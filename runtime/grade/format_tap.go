package grade

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// KTAP is a writer of the Kernel Test Anything Protocol, version 1
// (Documentation/dev-tools/ktap.rst): a version line, a plan, one result
// line per test, subtests indented by four spaces and introduced by their
// own version line and "# Subtest:" line, and "# " diagnostic lines.
type KTAP struct {
	w *bufio.Writer
}

// NewKTAP starts a KTAP document with tests top-level tests.
func NewKTAP(w io.Writer, tests int) *KTAP {
	k := &KTAP{w: bufio.NewWriter(w)}
	fmt.Fprintf(k.w, "KTAP version 1\n1..%d\n", tests)
	return k
}

// Subtest starts the subtests of a test at depth (1 for a top-level
// test's subtests).
func (k *KTAP) Subtest(depth int, name string, tests int) {
	in := strings.Repeat("    ", depth)
	fmt.Fprintf(k.w, "%sKTAP version 1\n%s# Subtest: %s\n%s1..%d\n", in, in, ktapName(name), in, tests)
}

// Diag writes diagnostic lines at depth.
func (k *KTAP) Diag(depth int, lines ...string) {
	in := strings.Repeat("    ", depth)
	for _, l := range lines {
		for _, part := range strings.Split(l, "\n") {
			fmt.Fprintf(k.w, "%s# %s\n", in, part)
		}
	}
}

// Result writes a test's result line: ok or not ok, its number, its name,
// and a directive ("SKIP reason") if any.
func (k *KTAP) Result(depth, n int, ok bool, name, directive string) {
	line := fmt.Sprintf("%sok %d %s", strings.Repeat("    ", depth), n, ktapName(name))
	if !ok {
		line = strings.Repeat("    ", depth) + "not " + strings.TrimLeft(line, " ")
	}
	if directive != "" {
		line += " # " + strings.ReplaceAll(directive, "\n", " ")
	}
	fmt.Fprintln(k.w, line)
}

// Flush writes what is buffered.
func (k *KTAP) Flush() error { return k.w.Flush() }

// ktapName keeps a test name on one line and free of '#', which would start
// a directive.
func ktapName(s string) string {
	return strings.NewReplacer("#", "_", "\n", " ").Replace(s)
}

// writeTAP writes the batch as KTAP: a top-level test per submission, a
// subtest per check, the feedback as diagnostics before each result.
func writeTAP(w io.Writer, b *Batch, lang string) error {
	if !b.Error.IsZero() {
		k := NewKTAP(w, 1)
		k.Diag(0, b.Error.In(lang))
		k.Result(0, 1, false, b.LessonFile, "")
		return k.Flush()
	}
	k := NewKTAP(w, len(b.Results))
	for i, r := range b.Results {
		k.Subtest(1, r.Submission, len(r.Checks))
		if !r.Message.IsZero() {
			k.Diag(1, r.Message.In(lang))
		}
		for _, n := range r.Notes {
			k.Diag(1, n.In(lang))
		}
		for j, c := range r.Checks {
			dir := ""
			if c.Status == Skip {
				dir = "SKIP " + c.Reason.In(lang)
			} else {
				k.Diag(1, c.Feedback(lang)...)
			}
			k.Result(1, j+1, c.Status == Pass || c.Status == Skip, c.ID, dir)
		}
		t := messages.T("score-line", r.Score, r.MaxScore, StatusText(r.Status, lang)).In(lang)
		k.Diag(0, r.Submission+": "+t)
		k.Result(0, i+1, r.Status == Pass, r.Submission, "")
	}
	if !b.Complete() {
		k.Diag(0, messages.T("incomplete", b.Interrupted, b.Count(NotGraded), len(b.Results)).In(lang))
	}
	return k.Flush()
}
