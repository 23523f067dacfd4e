package grade

import (
	"bufio"
	"fmt"
	"io"

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
	for _, r := range b.Results {
		fmt.Fprintln(bw)
		head := fmt.Sprintf("%s: %s", r.Submission, t("score-line", r.Score, r.MaxScore, StatusText(r.Status, lang)))
		fmt.Fprintln(bw, paint(statusStyle(r.Status), head))
		if !r.Message.IsZero() {
			fmt.Fprintln(bw, paint(scenario.Detail, indent("  ", r.Message.In(lang))))
		}
		for _, n := range r.Notes {
			fmt.Fprintln(bw, paint(scenario.Detail, "  "+n.In(lang)))
		}
		for _, c := range r.Checks {
			writeTextCheck(bw, c, r, lang, paint)
		}
	}
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, paint(scenario.Heading, t("totals", b.Count(Pass), b.Count(Fail), b.Count(Error), b.Count(Timeout))))
	if !b.Complete() {
		fmt.Fprintln(bw, paint(scenario.Bad, t("incomplete", b.Interrupted, b.Count(NotGraded), len(b.Results))))
	}
	return bw.Flush()
}

func writeTextCheck(w io.Writer, c *CheckResult, r *Result, lang string, paint scenario.Painter) {
	title := c.Title.In(lang)
	if c.Visibility != "visible" {
		title += " (" + messages.T(c.Visibility).In(lang) + ")"
	}
	// Padded by display width: Thai statuses carry combining marks.
	line := fmt.Sprintf("  %s %s %2d/%-2d  %s", i18n.PadRight(StatusText(c.Status, lang), 7), i18n.PadRight(c.ID, 24), c.Points, c.MaxPoints, title)
	fmt.Fprintln(w, paint(statusStyle(c.Status), line))
	for _, f := range c.Feedback(lang) {
		if !r.Message.IsZero() && f == r.Message.In(lang) {
			continue // said once for the whole submission
		}
		fmt.Fprintln(w, paint(scenario.Detail, indent("          ", f)))
	}
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
