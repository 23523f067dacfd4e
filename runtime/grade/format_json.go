package grade

import (
	"encoding/json"
	"io"
)

// JSONVersion is the version of kscript's own results schema
// (lessons/README.md, "Grading results"). It changes only when a field's
// meaning changes; new fields may be added within a version.
const JSONVersion = 1

// jsonBatch is kscript's own results file.
type jsonBatch struct {
	Kscript    string `json:"kscript"` // always "grade"
	Version    int    `json:"version"`
	Lesson     string `json:"lesson"`
	LessonFile string `json:"lesson_file"`
	Module     string `json:"module"`
	Title      string `json:"title"`
	Lang       string `json:"lang"`
	MaxScore   int    `json:"max_score"`
	Error      string `json:"error,omitempty"`
	// Complete is false when the batch was interrupted (Interrupted says
	// by what) before every submission was graded: the others are listed,
	// with status NOT_GRADED.
	Complete    bool             `json:"complete"`
	Interrupted string           `json:"interrupted,omitempty"`
	Submissions []jsonSubmission `json:"submissions"`
	Summary     jsonSummary      `json:"summary"`
}

type jsonSummary struct {
	Submissions int `json:"submissions"`
	Passed      int `json:"passed"`
	Failed      int `json:"failed"`
	Errors      int `json:"errors"`
	Timeouts    int `json:"timeouts"`
	NotGraded   int `json:"not_graded,omitempty"`
}

type jsonSubmission struct {
	File     string      `json:"file"`
	Status   Status      `json:"status"`
	Score    int         `json:"score"`
	MaxScore int         `json:"max_score"`
	Message  string      `json:"message,omitempty"`
	Notes    []string    `json:"notes,omitempty"`
	Checks   []jsonCheck `json:"checks"`
}

type jsonCheck struct {
	ID           string            `json:"id"`
	Title        string            `json:"title"`
	Status       Status            `json:"status"`
	Points       int               `json:"points"`
	MaxPoints    int               `json:"max_points"`
	Visibility   string            `json:"visibility"`
	Needs        []string          `json:"needs,omitempty"`
	Fail         []string          `json:"fail,omitempty"`
	Expectations []jsonExpectation `json:"expectations,omitempty"`
	Report       *jsonReport       `json:"report,omitempty"`
	Reason       string            `json:"reason,omitempty"`
	Hint         string            `json:"hint,omitempty"`
}

type jsonReport struct {
	Class       string `json:"class"`
	Title       string `json:"title"`
	Where       string `json:"where,omitempty"`
	Explanation string `json:"explanation,omitempty"`
}

type jsonExpectation struct {
	Name     string `json:"name"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
}

func writeJSON(w io.Writer, b *Batch, lang string) error {
	out := jsonBatch{
		Kscript: "grade", Version: JSONVersion, Lesson: b.Lesson, LessonFile: b.LessonFile,
		Module: b.Module, Title: b.Title.In(lang), Lang: lang, MaxScore: b.MaxScore, Error: b.Error.In(lang),
		Complete: b.Complete(), Interrupted: b.Interrupted, Submissions: []jsonSubmission{},
		Summary: jsonSummary{Submissions: len(b.Results), Passed: b.Count(Pass), Failed: b.Count(Fail),
			Errors: b.Count(Error), Timeouts: b.Count(Timeout), NotGraded: b.Count(NotGraded)},
	}
	for _, r := range b.Results {
		out.Submissions = append(out.Submissions, jsonResult(r, lang))
	}
	return encodeJSON(w, out)
}

func jsonResult(r *Result, lang string) jsonSubmission {
	s := jsonSubmission{File: r.Submission, Status: r.Status, Score: r.Score, MaxScore: r.MaxScore,
		Message: r.Message.In(lang), Checks: []jsonCheck{}}
	for _, n := range r.Notes {
		s.Notes = append(s.Notes, n.In(lang))
	}
	for _, c := range r.Checks {
		jc := jsonCheck{ID: c.ID, Title: c.Title.In(lang), Status: c.Status, Points: c.Points,
			MaxPoints: c.MaxPoints, Visibility: c.Visibility, Needs: c.Needs, Fail: c.Fail,
			Reason: c.Reason.In(lang), Hint: c.Hint.In(lang)}
		if r := c.Report; r != nil {
			jc.Report = &jsonReport{r.Class, r.Title, r.Where, r.Explain.In(lang)}
		}
		for _, f := range c.Failures {
			jc.Expectations = append(jc.Expectations, jsonExpectation{f.Name, f.Want.In(lang), f.Got.In(lang)})
		}
		s.Checks = append(s.Checks, jc)
	}
	return s
}

// encodeJSON writes v indented, with <, > and & as themselves: results are
// read by people too, and kernel messages are full of "->" and "<".
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
