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

// writeGradescope writes one results.json, the file Gradescope reads after
// grading one upload. For one submission it is that submission's result.
// Several submissions in one upload (a student who uploaded two .star
// files) cannot each have a results.json there, and a file Gradescope
// cannot read loses the student's result: so they get one results.json
// whose score is 0, whose output says why and names the files, and whose
// tests are every file's checks, named after their file, so the student
// sees what each would have earned. Batches of many students are graded
// with --format json.
func writeGradescope(w io.Writer, b *Batch, lang string) error {
	if !b.Error.IsZero() {
		return encodeJSON(w, gsResults{Output: b.Error.In(lang), OutputFormat: "text", StdoutVisibility: "hidden", Tests: []gsTest{}})
	}
	return encodeJSON(w, gradescopeResults(b, b.Results, lang))
}

// gsFilesShown is how many file names the output of a results.json for
// several submissions lists.
const gsFilesShown = 10

// gradescopeResults makes the results.json of rs, the batch's submissions
// (see writeGradescope for more than one).
func gradescopeResults(b *Batch, rs []*Result, lang string) gsResults {
	t := func(key string, args ...any) string { return messages.T(key, args...).In(lang) }
	out := []string{t("batch", b.Lesson, b.Title.In(lang), b.Module, len(rs))}
	several := len(rs) != 1
	switch {
	case len(rs) == 0:
		out = append(out, t("gs-none"))
	case several:
		var names []string
		for i, r := range rs {
			if i == gsFilesShown {
				names = append(names, "…")
				break
			}
			names = append(names, r.Submission)
		}
		out = append(out, t("gs-several", len(rs), strings.Join(names, ", ")))
	}
	res := gsResults{Output: "", OutputFormat: "text", StdoutVisibility: "hidden", Tests: []gsTest{}}
	incomplete := ""
	if !b.Complete() {
		incomplete = t("incomplete", b.Interrupted, b.Count(NotGraded), len(b.Results))
	}
	for i, r := range rs {
		head, notes := gradescopeOutput(r, lang)
		out = append(out, head...)
		if !several && incomplete != "" {
			out = append(out, incomplete)
		}
		out = append(out, notes...)
		prefix, number := "", strconv.Itoa(i+1)+"."
		if several {
			prefix = r.Submission + ": "
		} else {
			res.Score, number = r.Score, ""
		}
		for j, c := range r.Checks {
			status := "failed"
			if c.Status == Pass {
				status = "passed"
			}
			lines := []string{StatusText(c.Status, lang)}
			score, tags := c.Points, []string{b.Lesson, c.ID}
			if several {
				// Not counted: the tests add up to the score, 0.
				lines[0] += " " + t("gs-not-counted", len(rs), c.Points, c.MaxPoints)
				score, tags = 0, append(tags, r.Submission)
			}
			for _, f := range c.Feedback(lang) {
				lines = append(lines, indent("  ", f))
			}
			res.Tests = append(res.Tests, gsTest{
				Score: score, MaxScore: c.MaxPoints, Status: status,
				Name: prefix + fmt.Sprintf("%s: %s", c.ID, c.Title.In(lang)), NameFormat: "text",
				Number: number + strconv.Itoa(j+1), Output: strings.Join(lines, "\n"), OutputFormat: "text",
				Tags: tags, Visibility: c.Visibility,
			})
		}
	}
	if several && incomplete != "" {
		out = append(out, incomplete)
	}
	res.Output = strings.Join(out, "\n")
	return res
}

// gradescopeOutput is r's part of a results.json's top-level output: its
// score line and message, and its notes.
func gradescopeOutput(r *Result, lang string) (head, notes []string) {
	t := func(key string, args ...any) string { return messages.T(key, args...).In(lang) }
	var out []string
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
	for _, n := range r.Notes {
		notes = append(notes, n.In(lang))
	}
	return out, notes
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
