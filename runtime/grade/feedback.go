package grade

import (
	"strings"

	"kscript.dev/kscript/runtime/scenario"
)

// Feedback returns a check's feedback in lang, one line per item: each
// failed expectation as expected versus actual, the kernel report that
// explains it (title and script line) with kscript's explanation of it,
// the reason it was skipped or stopped, and the lesson's hint. A passed
// check has none.
func (c *CheckResult) Feedback(lang string) []string {
	t := func(key string, args ...any) string { return messages.T(key, args...).In(lang) }
	var lines []string
	for _, f := range c.Failures {
		lines = append(lines,
			f.Name+": "+t("expected")+" "+f.Want.In(lang),
			strings.Repeat(" ", len(f.Name)+2)+t("actual")+" "+f.Got.In(lang))
	}
	if r := c.Report; r != nil {
		title, label := r.Title, t("report")
		if r.Kscript {
			label = t("finding")
			if lang == "th" && r.ThaiTitle != "" {
				title = r.ThaiTitle
			}
		}
		if r.Where != "" {
			title = t("at", title, scenario.WhereIn(r.Where, lang))
		}
		lines = append(lines, label+" "+title)
		for _, l := range strings.Split(strings.TrimRight(r.Explain.In(lang), "\n"), "\n") {
			if l != "" {
				lines = append(lines, "  "+l)
			}
		}
	}
	if !c.Reason.IsZero() {
		lines = append(lines, c.Reason.In(lang))
	}
	if !c.Hint.IsZero() {
		lines = append(lines, t("hint")+" "+c.Hint.In(lang))
	}
	return lines
}

// StatusText names a status in lang.
func StatusText(s Status, lang string) string { return messages.T("status-" + string(s)).In(lang) }
