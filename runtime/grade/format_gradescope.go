package grade

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// gsResults is Gradescope's results.json (the autograder specification,
// gradescope-autograders.readthedocs.io/en/latest/specs/, "Output format").
// Only documented keys are written. execution_time is left out: it would be
// wall time, and kscript's results never depend on how fast the grading
// machine is. The top-level visibility is left out too, so the assignment's
// own setting decides when students see their results; each test carries
// its check's visibility.
type gsResults struct {
	Score            int      `json:"score"`
	Output           string   `json:"output"`
	OutputFormat     string   `json:"output_format"`
	StdoutVisibility string   `json:"stdout_visibility"`
	Tests            []gsTest `json:"tests"`
}

// gsTest is one test case of results.json: one check.
type gsTest struct {
	Score        int      `json:"score"`
	MaxScore     int      `json:"max_score"`
	Status       string   `json:"status"` // "passed" or "failed"
	Name         string   `json:"name"`
	NameFormat   string   `json:"name_format"`
	Number       string   `json:"number"`
	Output       string   `json:"output"`
	OutputFormat string   `json:"output_format"`
	Tags         []string `json:"tags"`
	Visibility   string   `json:"visibility"`
}

// gsBatch is what kscript writes for several submissions in the gradescope
// format (Gradescope itself grades one submission per run): each
// submission's results.json, in order, under its file name.
type gsBatch struct {
	Submissions []gsEntry `json:"submissions"`
}

type gsEntry struct {
	File    string    `json:"file"`
	Results gsResults `json:"results"`
}

// writeGradescope writes results.json for one submission, or a gsBatch for
// several (or none).
func writeGradescope(w io.Writer, b *Batch, lang string) error {
	if !b.Error.IsZero() {
		return encodeJSON(w, gsResults{Output: b.Error.In(lang), OutputFormat: "text", StdoutVisibility: "hidden", Tests: []gsTest{}})
	}
	if len(b.Results) == 1 {
		return encodeJSON(w, gradescopeResults(b, b.Results[0], lang))
	}
	out := gsBatch{Submissions: []gsEntry{}}
	for _, r := range b.Results {
		out.Submissions = append(out.Submissions, gsEntry{File: r.Submission, Results: gradescopeResults(b, r, lang)})
	}
	return encodeJSON(w, out)
}

func gradescopeResults(b *Batch, r *Result, lang string) gsResults {
	t := func(key string, args ...any) string { return messages.T(key, args...).In(lang) }
	out := []string{t("batch", b.Lesson, b.Title.In(lang), b.Module, 1)}
	if v := visibleOnly(r); v.laterChecks == 0 {
		out = append(out, r.Submission+": "+t("score-line", r.Score, r.MaxScore, StatusText(r.Status, lang)))
	} else if v.laterChecks == 1 && v.laterPoints == 1 {
		out = append(out, r.Submission+": "+t("score-visible", v.score, v.max, StatusText(v.status, lang)),
			t("score-later-1"))
	} else {
		// The output is shown to students with the submission: it must
		// not give away what the checks Gradescope keeps from them (for
		// now, or for ever) did, so it counts the visible checks only.
		out = append(out, r.Submission+": "+t("score-visible", v.score, v.max, StatusText(v.status, lang)),
			t("score-later", v.laterPoints, v.laterChecks))
	}
	if !r.Message.IsZero() {
		// Indented, as in the text format: a line the submission wrote
		// (its fail() text) cannot pose as kscript's own score line.
		out = append(out, indent("  ", r.Message.In(lang)))
	}
	if !b.Complete() {
		out = append(out, t("incomplete", b.Interrupted, b.Count(NotGraded), len(b.Results)))
	}
	for _, n := range r.Notes {
		out = append(out, n.In(lang))
	}
	res := gsResults{Score: r.Score, Output: strings.Join(out, "\n"), OutputFormat: "text",
		StdoutVisibility: "hidden", Tests: []gsTest{}}
	for i, c := range r.Checks {
		status := "failed"
		if c.Status == Pass {
			status = "passed"
		}
		lines := []string{StatusText(c.Status, lang)}
		for _, f := range c.Feedback(lang) {
			lines = append(lines, indent("  ", f))
		}
		res.Tests = append(res.Tests, gsTest{
			Score: c.Points, MaxScore: c.MaxPoints, Status: status,
			Name: fmt.Sprintf("%s: %s", c.ID, c.Title.In(lang)), NameFormat: "text",
			Number: strconv.Itoa(i + 1), Output: strings.Join(lines, "\n"), OutputFormat: "text",
			Tags: []string{b.Lesson, c.ID}, Visibility: c.Visibility,
		})
	}
	return res
}

// visibleScore is a submission's result on its visible checks only.
type visibleScore struct {
	score, max, laterChecks, laterPoints int
	status                               Status
}

// visibleOnly adds up the checks Gradescope shows students at once
// (visibility visible) and counts the others: hidden, after_due_date,
// after_published. The status is the worst of the visible checks' (a
// skipped check makes it FAIL, as for a whole submission); a submission
// that could not run at all keeps its own.
func visibleOnly(r *Result) visibleScore {
	v := visibleScore{status: Pass}
	for _, c := range r.Checks {
		if c.Visibility != "" && c.Visibility != "visible" {
			v.laterChecks++
			v.laterPoints += c.MaxPoints
			continue
		}
		v.score += c.Points
		v.max += c.MaxPoints
		if rank(c.Status) > rank(v.status) {
			v.status = c.Status
		}
	}
	if v.status == Skip {
		v.status = Fail
	}
	if len(r.Checks) == 0 {
		v.status = r.Status
	}
	return v
}
