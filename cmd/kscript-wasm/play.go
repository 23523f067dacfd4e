// Command kscript-wasm is kscript for the browser playground (web/): built
// with GOOS=js GOARCH=wasm, it exposes to JavaScript the embedded lessons
// and a function that runs a module script through a lesson's scenario and
// returns the transcript, the summary and the pictures of every step.
// Nothing leaves the browser: the kernel runs in the page.
package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"path"
	"sort"
	"strings"

	"kscript.dev/kscript/lessons"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/picture"
	"kscript.dev/kscript/runtime/scenario"
)

// LessonInfo is a lesson as the playground's picker and editor see it.
type LessonInfo struct {
	ID      string            `json:"id"`
	Title   map[string]string `json:"title"`
	Explain map[string]string `json:"explain,omitempty"`
	Source  string            `json:"source,omitempty"`
	Module  string            `json:"module,omitempty"`
}

// listLessons returns the embedded lessons, by id.
func listLessons() []LessonInfo {
	names, _ := fs.Glob(lessons.FS(), "*.yaml")
	sort.Strings(names)
	var out []LessonInfo
	for _, n := range names {
		if l, err := loadLesson(strings.TrimSuffix(n, ".yaml")); err == nil {
			out = append(out, LessonInfo{ID: l.ID, Title: map[string]string{"en": l.Title.In("en"), "th": l.Title.In("th")}})
		}
	}
	return out
}

func loadLesson(id string) (*lesson.Lesson, error) {
	src, err := fs.ReadFile(lessons.FS(), path.Clean(id)+".yaml")
	if err != nil {
		return nil, err
	}
	return lesson.Decode(id+".yaml", src)
}

// getLesson returns a lesson with its explanation and module script.
func getLesson(id string) (LessonInfo, error) {
	l, err := loadLesson(id)
	if err != nil {
		return LessonInfo{}, err
	}
	src, err := fs.ReadFile(lessons.FS(), path.Clean(id)+".star")
	if err != nil {
		return LessonInfo{}, err
	}
	return LessonInfo{ID: l.ID, Module: l.ModuleName(), Source: string(src),
		Title:   map[string]string{"en": l.Title.In("en"), "th": l.Title.In("th")},
		Explain: map[string]string{"en": l.Explain.In("en"), "th": l.Explain.In("th")}}, nil
}

// RunResult is what a run returns to the page.
type RunResult struct {
	Error      string    `json:"error,omitempty"` // the run could not start (a script error)
	Transcript string    `json:"transcript"`
	Summary    string    `json:"summary"`
	ExitCode   int       `json:"exitCode"`
	Steps      []RunStep `json:"steps"`
}

// RunStep is one step with its pictures.
type RunStep struct {
	N        int               `json:"n"`
	Run      string            `json:"run"`
	Output   string            `json:"output"`
	Log      string            `json:"log"`
	Pictures []picture.Picture `json:"pictures"`
}

// runLesson runs src as the module of lesson id, in lang.
func runLesson(id, src, lang string) RunResult {
	l, err := loadLesson(id)
	if err != nil {
		return RunResult{Error: err.Error()}
	}
	// The lesson's programs files come from the embedded lessons too.
	programs := []scenario.ProgramFile{}
	for _, p := range l.ProgramFiles() {
		b, err := fs.ReadFile(lessons.FS(), path.Clean(p))
		if err != nil {
			return RunResult{Error: p + ": programs file: no such file"}
		}
		programs = append(programs, scenario.ProgramFile{Path: p, Src: b})
	}
	opts := kruntime.Options{Lang: lang}
	rec := &picture.Recorder{}
	res, err := scenario.Run(scenario.Config{Options: opts, Observer: rec},
		scenario.Input{Script: id + ".star", Src: []byte(src), Lesson: l, Programs: programs})
	if err != nil {
		return RunResult{Error: err.Error()}
	}
	var sum bytes.Buffer
	res.WriteSummary(&sum, lang, nil)
	out := RunResult{Transcript: res.Transcript, Summary: sum.String(), ExitCode: res.ExitCode()}
	for _, st := range rec.Steps {
		var log strings.Builder
		for _, r := range st.Log {
			log.WriteString(r.String() + "\n")
		}
		out.Steps = append(out.Steps, RunStep{N: st.N, Run: st.Run, Output: st.Output, Log: log.String(), Pictures: st.Pictures(lang)})
	}
	return out
}

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return `{"error":` + strconvQuote(err.Error()) + `}`
	}
	return string(b)
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
