package grade

import (
	"fmt"
	"io"
	"os"
	"strings"

	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario"
)

// LessonTest is an author's self-check of one lesson (kscript test): the
// lesson's script run through its scenario against its expectations, and,
// for an exercise, the reference solution graded (it must earn full marks)
// and the starter graded (it must not).
type LessonTest struct {
	Name  string // the lesson's id, or its file when it does not decode
	Error error  // the lesson file does not decode
	Parts []Part
}

// Part is one subtest of a LessonTest.
type Part struct {
	Name  string // "script", "solution", "starter"
	OK    bool
	Diags []string // diagnostics: dmesg lines, failed expectations, scores
}

// OK reports whether every part passed.
func (t *LessonTest) OK() bool {
	if t.Error != nil {
		return false
	}
	for _, p := range t.Parts {
		if !p.OK {
			return false
		}
	}
	return true
}

// TestLesson self-checks the lesson at file.
func TestLesson(cfg Config, file, lang string) *LessonTest {
	l, err := lesson.Load(file)
	if err != nil {
		return &LessonTest{Name: file, Error: err}
	}
	if l.Public {
		return &LessonTest{Name: l.ID, Error: fmt.Errorf("%s: %s", file, messages.T("public-form-test").In(lang))}
	}
	t := &LessonTest{Name: l.ID}
	t.Parts = append(t.Parts, testScript(cfg, l, lang))
	if x := l.Exercise; x != nil {
		g, err := New(cfg, l)
		if err != nil {
			t.Parts = append(t.Parts, Part{Name: "exercise", Diags: []string{err.Error()}})
			return t
		}
		t.Parts = append(t.Parts,
			testSubmission(g, "solution", l.Rel(x.Solution), true, lang),
			testSubmission(g, "starter", l.Rel(x.Starter), false, lang))
	}
	return t
}

// testScript runs the lesson's own script through its scenario: it must
// meet every expectation and leave the kernel healthy. When it does not,
// the diagnostics start with what went wrong — the commands that failed
// with their own messages (insmod's "could not insert module"), the error
// that stopped the run, the health summary's problems — then the failed
// expectations; the kernel log comes last.
func testScript(cfg Config, l *lesson.Lesson, lang string) Part {
	p := Part{Name: "script"}
	src, err := os.ReadFile(l.Script)
	if err != nil {
		p.Diags = []string{fileError(err)}
		return p
	}
	res, err := scenario.Run(scenario.Config{Options: cfg.Options, NewMachine: cfg.NewMachine},
		scenario.Input{Script: l.Script, Src: src, Lesson: l})
	if err != nil {
		_, why := stopped(err)
		p.Diags = []string{why.In(lang)}
		return p
	}
	p.OK = res.ExitCode() == 0
	if !p.OK {
		p.Diags = append(p.Diags, failedCommands(res.Transcript)...)
	}
	if res.Stopped != nil {
		_, why := stopped(res.Stopped)
		p.Diags = append(p.Diags, why.In(lang))
	}
	if !p.OK && res.Stopped == nil {
		h := res.Health
		if len(h.Bugs) > 0 || len(h.Leaks) > 0 || len(h.Findings) > 0 || h.Memory.Checked && !h.Memory.Restored {
			p.Diags = append(p.Diags, h.Problems().In(lang))
		}
	}
	for _, c := range res.Failed() {
		p.Diags = append(p.Diags, messages.T("expectation-failed", c.Name, c.Want, c.Got).In(lang))
	}
	for _, rec := range res.Log {
		p.Diags = append(p.Diags, rec.String())
	}
	return p
}

// failedCommands returns, from a scenario's transcript, each command whose
// output has the command's own error line ("insmod: ERROR: …", "bash: …:
// command not found", "cat: …: No such file or directory"), as the
// "$ command" line and the error lines under it.
func failedCommands(transcript string) []string {
	var out []string
	cmd, name := "", ""
	shown := false
	for _, line := range strings.Split(transcript, "\n") {
		if c, ok := strings.CutPrefix(line, "$ "); ok {
			cmd, shown = line, false
			f := strings.Fields(c)
			if len(f) > 1 && f[0] == "sudo" {
				f = f[1:]
			}
			name = ""
			if len(f) > 0 {
				name = f[0]
			}
			continue
		}
		if name == "" || !(strings.HasPrefix(line, name+": ") || strings.HasPrefix(line, "bash: ")) {
			continue
		}
		if !shown {
			out, shown = append(out, cmd), true
		}
		out = append(out, line)
	}
	return out
}

// testSubmission grades the solution (wantFull) or the starter (!wantFull).
func testSubmission(g *Grader, name, path string, wantFull bool, lang string) Part {
	r := g.Submission(readSubmission(path))
	p := Part{Name: name, OK: r.FullMarks() == wantFull}
	p.Diags = append(p.Diags, path+": "+messages.T("score-line", r.Score, r.MaxScore, StatusText(r.Status, lang)).In(lang))
	for _, c := range r.Checks {
		switch {
		case c.CannotRun:
			p.Diags = append(p.Diags, c.ID+": "+c.Reason.In(lang))
		case c.Status != Pass && wantFull:
			p.Diags = append(p.Diags, fmt.Sprintf("%s: %s", c.ID, StatusText(c.Status, lang)))
			p.Diags = append(p.Diags, c.Feedback(lang)...)
		}
	}
	if !p.OK && !wantFull {
		p.Diags = append(p.Diags, messages.T("starter-full").In(lang))
	}
	return p
}

// WriteKTAP writes self-check results as KTAP: a test per lesson, a
// subtest per part, the diagnostics before each result.
func WriteKTAP(w io.Writer, tests []*LessonTest) error {
	k := NewKTAP(w, len(tests))
	for i, t := range tests {
		if t.Error != nil {
			k.Diag(0, t.Error.Error())
			k.Result(0, i+1, false, t.Name, "")
			continue
		}
		k.Subtest(1, t.Name, len(t.Parts))
		for j, p := range t.Parts {
			k.Diag(1, p.Diags...)
			k.Result(1, j+1, p.OK, p.Name, "")
		}
		k.Result(0, i+1, t.OK(), t.Name, "")
	}
	return k.Flush()
}

// PublicNote is the note grade prints when it grades by a public form of
// a lesson, which has no hidden checks, in lang; "" for a full form.
func PublicNote(l *lesson.Lesson, lang string) string {
	if !l.Public {
		return ""
	}
	return messages.T("public-form-grade", l.ID).In(lang)
}
