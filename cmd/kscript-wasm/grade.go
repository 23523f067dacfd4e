package main

import (
	"fmt"
	"io/fs"
	"path"
	"sync"

	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/grade"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario"
)

// The grading view grades the editor's module on an exercise's visible
// checks, as `kscript grade --lesson PUBLIC.yaml` does with the public form
// of the lesson (kscript publish): the hidden checks, the solution and the
// lesson's expectations are dropped before anything reaches the page.

// ExerciseInfo is the public side of a lesson's exercise.
type ExerciseInfo struct {
	Starter string      `json:"starter"` // the starter module's text
	Points  int         `json:"points"`  // the visible checks' sum
	Checks  []CheckInfo `json:"checks"`
}

// CheckInfo is one visible check as the page lists it before grading.
type CheckInfo struct {
	ID     string            `json:"id"`
	Title  map[string]string `json:"title"`
	Points int               `json:"points"`
	Needs  []string          `json:"needs,omitempty"`
}

// GradeResult is a grading as the page shows it, in one language.
type GradeResult struct {
	Error      string        `json:"error,omitempty"` // the exercise could not be graded at all
	Status     string        `json:"status"`          // PASS, FAIL, ERROR, TIMEOUT
	StatusText string        `json:"statusText"`
	Score      int           `json:"score"`
	MaxScore   int           `json:"maxScore"`
	Message    string        `json:"message,omitempty"` // why the whole submission is an ERROR or TIMEOUT
	Notes      []string      `json:"notes,omitempty"`
	Checks     []CheckResult `json:"checks"`
}

// CheckResult is one check's outcome with its feedback lines.
type CheckResult struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Status     string   `json:"status"`
	StatusText string   `json:"statusText"`
	Points     int      `json:"points"`
	MaxPoints  int      `json:"maxPoints"`
	Feedback   []string `json:"feedback,omitempty"`
}

// publicLesson returns the public form of lesson id, decoded, and its
// programs files, read from lessons.
func publicLesson(lessons fs.FS, id string) (*lesson.Lesson, []scenario.ProgramFile, error) {
	if lessons == lessonFS {
		published.Lock()
		defer published.Unlock()
		if p, ok := published.m[id]; ok {
			return p.l, p.programs, nil
		}
	}
	l, programs, err := readPublicLesson(lessons, id)
	if err == nil && lessons == lessonFS {
		published.m[id] = publicForm{l, programs}
	}
	return l, programs, err
}

// published keeps the public forms of the embedded lessons, made once.
var published = struct {
	sync.Mutex
	m map[string]publicForm
}{m: map[string]publicForm{}}

type publicForm struct {
	l        *lesson.Lesson
	programs []scenario.ProgramFile
}

// readPublicLesson reads lesson id: a public form (the bundle's) as it
// is, a full form (a lesson folder's) made public first.
func readPublicLesson(lessons fs.FS, id string) (*lesson.Lesson, []scenario.ProgramFile, error) {
	pub, err := loadLessonFrom(lessons, id)
	if err != nil {
		return nil, nil, err
	}
	if pub.Exercise == nil {
		return nil, nil, nil
	}
	if pub.Public {
		for _, c := range pub.Exercise.Checks {
			if c.VisibilityOf() != "visible" {
				return nil, nil, fmt.Errorf("%s: check %s is %s in a public form", pub.File, c.ID, c.VisibilityOf())
			}
		}
	} else {
		src, _, err := pub.PublicForm()
		if err != nil {
			return nil, nil, err
		}
		if pub, err = lesson.Decode(pub.File, src); err != nil {
			return nil, nil, err
		}
	}
	programs := []scenario.ProgramFile{}
	for _, p := range pub.ProgramFiles() {
		b, err := fs.ReadFile(lessons, path.Clean(p))
		if err != nil {
			return nil, nil, &kruntime.ScriptError{Pos: p, Msg: "programs file: no such file"}
		}
		programs = append(programs, scenario.ProgramFile{Path: p, Src: b})
	}
	return pub, programs, nil
}

// exerciseInfo describes the exercise of lesson id for the page; nil when
// the lesson has none.
func exerciseInfo(lessons fs.FS, id string) (*ExerciseInfo, error) {
	pub, _, err := publicLesson(lessons, id)
	if err != nil || pub == nil || pub.Exercise == nil {
		return nil, err
	}
	x := &ExerciseInfo{}
	if pub.Exercise.Starter != "" {
		b, err := fs.ReadFile(lessons, path.Clean(pub.Rel(pub.Exercise.Starter)))
		if err != nil {
			return nil, err
		}
		x.Starter = string(b)
	}
	for _, c := range pub.Exercise.Checks {
		x.Points += c.Points
		x.Checks = append(x.Checks, CheckInfo{ID: c.ID, Points: c.Points, Needs: c.Needs,
			Title: map[string]string{"en": c.Title.In("en"), "th": c.Title.In("th")}})
	}
	return x, nil
}

// gradeExercise grades src on the visible checks of lesson id's exercise
// and words the result in lang.
func gradeExercise(lessons fs.FS, id, src, lang string) GradeResult {
	return gradeViews(lessons, id, src, lang)[lang]
}

// gradeViews grades src once, its machines speaking lang, and words the
// result in English and in Thai, so that the page can switch languages
// without grading again.
func gradeViews(lessons fs.FS, id, src, lang string) map[string]GradeResult {
	fail := func(err string) map[string]GradeResult {
		return map[string]GradeResult{"en": {Error: err}, "th": {Error: err}}
	}
	pub, programs, err := publicLesson(lessons, id)
	if err == nil && pub == nil {
		return fail(id + ": the lesson has no exercise")
	}
	if err != nil {
		return fail(err.Error())
	}
	g, err := grade.New(grade.Config{Options: kruntime.Options{Lang: lang}, Programs: programs}, pub)
	if err != nil {
		return fail(err.Error())
	}
	r := g.Submission(grade.Submission{Path: pub.ModuleName() + ".star", Src: []byte(src)})
	return map[string]GradeResult{"en": view(r, "en"), "th": view(r, "th")}
}

// view words a grading in lang.
func view(r *grade.Result, lang string) GradeResult {
	out := GradeResult{Status: string(r.Status), StatusText: grade.StatusText(r.Status, lang),
		Score: r.Score, MaxScore: r.MaxScore, Message: r.Message.In(lang)}
	for _, n := range r.Notes {
		out.Notes = append(out.Notes, n.In(lang))
	}
	for _, c := range r.Checks {
		out.Checks = append(out.Checks, CheckResult{ID: c.ID, Title: c.Title.In(lang),
			Status: string(c.Status), StatusText: grade.StatusText(c.Status, lang),
			Points: c.Points, MaxPoints: c.MaxPoints, Feedback: c.Feedback(lang)})
	}
	return out
}
