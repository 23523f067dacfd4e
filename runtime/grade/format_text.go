package grade

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"kscript.dev/kscript/runtime/i18n"
	"kscript.dev/kscript/runtime/scenario"
)

// writeText writes the results for a terminal: a line per submission with
// its score and status, a line per check, and the feedback of the checks
// that did not pass. Only kscript's own lines start at column 0: every
// line of a text a submission may have made (a message, an actual value,
// after cleanResult escaped its control characters) is indented, so that
// no submission can print a line that reads as another's score.
func writeText(w io.Writer, b *Batch, o WriteOptions) error {
	paint := o.Paint
	if paint == nil {
		paint = func(_ scenario.Style, s string) string { return s }
	}
	lang := o.Lang
	t := func(key string, args ...any) string { return messages.T(key, args...).In(lang) }
	bw := bufio.NewWriter(w)
	if !b.Error.IsZero() {
		fmt.Fprintln(bw, paint(scenario.Bad, b.Error.In(lang)))
		return bw.Flush()
	}
	fmt.Fprintln(bw, paint(scenario.Heading, t("batch", b.Lesson, b.Title.In(lang), b.Module, len(b.Results))))
	m := textMemo{lang: lang, status: map[Status]string{}, padded: map[Status]string{}, checks: map[textCheckKey]textCheck{}}
	for _, r := range b.Results {
		bw.WriteByte('\n')
		head := r.Submission + ": " + t("score-line", r.Score, r.MaxScore, m.statusText(r.Status))
		writeLine(bw, paint(statusStyle(r.Status), head))
		if !r.Message.IsZero() {
			writeLine(bw, paint(scenario.Detail, indent("  ", r.Message.In(lang))))
		}
		for _, n := range r.Notes {
			writeLine(bw, paint(scenario.Detail, "  "+n.In(lang)))
		}
		for _, c := range r.Checks {
			m.writeCheck(bw, c, r, paint)
		}
	}
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, paint(scenario.Heading, t("totals", b.Count(Pass), b.Count(Fail), b.Count(Error), b.Count(Timeout))))
	if !b.Complete() {
		fmt.Fprintln(bw, paint(scenario.Bad, t("incomplete", b.Interrupted, b.Count(NotGraded), len(b.Results))))
	}
	return bw.Flush()
}

// textMemo keeps, for one writeText, what every submission's lines repeat:
// the statuses' names and each check's padded ID and title, worked out
// (display widths, catalogue look-ups) once per batch rather than once per
// submission and check.
type textMemo struct {
	lang           string
	status, padded map[Status]string
	checks         map[textCheckKey]textCheck
}

type textCheckKey struct{ id, title, visibility string }

// textCheck is a check line's text after its status and points.
type textCheck struct{ idPadded, title string }

// statusText is StatusText(s, m.lang).
func (m *textMemo) statusText(s Status) string {
	t, ok := m.status[s]
	if !ok {
		t = StatusText(s, m.lang)
		m.status[s] = t
	}
	return t
}

// statusPadded is statusText padded to 7 columns.
func (m *textMemo) statusPadded(s Status) string {
	t, ok := m.padded[s]
	if !ok {
		t = i18n.PadRight(m.statusText(s), 7)
		m.padded[s] = t
	}
	return t
}

// writeCheck writes a check's line, "  STATUS  ID  points/max  title",
// and its feedback: the line "  %s %s %2d/%-2d  %s" with the status
// padded to 7 columns and the ID to 24, by display width (Thai statuses
// carry combining marks).
func (m *textMemo) writeCheck(w *bufio.Writer, c *CheckResult, r *Result, paint scenario.Painter) {
	k := textCheckKey{c.ID, c.Title.In(m.lang), c.Visibility}
	tc, ok := m.checks[k]
	if !ok {
		tc = textCheck{i18n.PadRight(c.ID, 24), k.title}
		if c.Visibility != "visible" {
			tc.title += " (" + messages.T(c.Visibility).In(m.lang) + ")"
		}
		m.checks[k] = tc
	}
	var b strings.Builder
	b.Grow(64 + len(tc.idPadded) + len(tc.title))
	b.WriteString("  ")
	b.WriteString(m.statusPadded(c.Status))
	b.WriteByte(' ')
	b.WriteString(tc.idPadded)
	b.WriteByte(' ')
	if p := strconv.Itoa(c.Points); len(p) < 2 {
		b.WriteString(" " + p)
	} else {
		b.WriteString(p)
	}
	b.WriteByte('/')
	if p := strconv.Itoa(c.MaxPoints); len(p) < 2 {
		b.WriteString(p + " ")
	} else {
		b.WriteString(p)
	}
	b.WriteString("  ")
	b.WriteString(tc.title)
	writeLine(w, paint(statusStyle(c.Status), b.String()))
	if len(c.Failures) == 0 && c.Report == nil && c.Reason.IsZero() && c.Hint.IsZero() {
		return // no feedback
	}
	for _, f := range c.Feedback(m.lang) {
		if !r.Message.IsZero() && f == r.Message.In(m.lang) {
			continue // said once for the whole submission
		}
		writeLine(w, paint(scenario.Detail, indent("          ", f)))
	}
}

// writeLine writes s and a newline, as fmt.Fprintln(w, s) does.
func writeLine(w *bufio.Writer, s string) {
	w.WriteString(s)
	w.WriteByte('\n')
}

func statusStyle(s Status) scenario.Style {
	switch s {
	case Pass:
		return scenario.Good
	case Skip, NotGraded:
		return scenario.Plain
	}
	return scenario.Bad
}
