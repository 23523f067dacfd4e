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
	"sync"

	"github.com/goccy/go-yaml"

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

// listLessons returns the embedded lessons, by id, with their titles. It
// reads only each file's title: decoding every lesson in full would keep
// the page waiting seconds before its first run (WebAssembly is several
// times slower than native code at it).
func listLessons() []LessonInfo {
	names, _ := fs.Glob(lessonFS, "*.yaml")
	sort.Strings(names)
	var out []LessonInfo
	for _, n := range names {
		id := strings.TrimSuffix(n, ".yaml")
		src, err := fs.ReadFile(lessonFS, n)
		if err != nil {
			continue
		}
		title, ok := lessonTitle(src)
		if !ok { // not the usual layout: decode it all
			l, err := loadLesson(id)
			if err != nil {
				continue
			}
			title = map[string]string{"en": l.Title.In("en"), "th": l.Title.In("th")}
		}
		out = append(out, LessonInfo{ID: id, Title: title})
	}
	return out
}

// lessonTitle reads the top-level title: block of a lesson file alone.
func lessonTitle(src []byte) (map[string]string, bool) {
	var block []string
	for _, line := range strings.SplitAfter(string(src), "\n") {
		top := line != "" && line[0] != ' ' && line[0] != '#' && line[0] != '\n'
		switch {
		case block == nil && strings.HasPrefix(line, "title:"):
			block = []string{line}
		case block != nil && top:
			goto done
		case block != nil:
			block = append(block, line)
		}
	}
done:
	var v struct {
		Title struct {
			EN string `yaml:"en"`
			TH string `yaml:"th"`
		} `yaml:"title"`
	}
	if block == nil || yaml.Unmarshal([]byte(strings.Join(block, "")), &v) != nil || v.Title.EN == "" {
		return nil, false
	}
	th := v.Title.TH
	if th == "" {
		th = v.Title.EN
	}
	return map[string]string{"en": v.Title.EN, "th": th}, true
}

// lessonFS holds the lessons the playground offers: the bundle of their
// public forms (bundle.go) that the page fetched, or, outside the browser,
// the same bundle made from the embedded lessons.
var lessonFS fs.FS = bundleFS(nil)

func loadLesson(id string) (*lesson.Lesson, error) { return loadLessonFrom(lessonFS, id) }

// decoded keeps the playground's lessons decoded once: the page asks for the
// same lesson on every run and grading.
var decoded = struct {
	sync.Mutex
	m map[string]*lesson.Lesson
}{m: map[string]*lesson.Lesson{}}

func loadLessonFrom(lessons fs.FS, id string) (*lesson.Lesson, error) {
	embedded := lessons == lessonFS
	if embedded {
		decoded.Lock()
		defer decoded.Unlock()
		if l := decoded.m[id]; l != nil {
			return l, nil
		}
	}
	src, err := fs.ReadFile(lessons, path.Clean(id)+".yaml")
	if err != nil {
		return nil, err
	}
	l, err := lesson.Decode(id+".yaml", src)
	if err == nil && embedded {
		decoded.m[id] = l
	}
	return l, err
}

// getLesson returns a lesson with its explanation and module script.
func getLesson(id string) (LessonInfo, error) {
	l, err := loadLesson(id)
	if err != nil {
		return LessonInfo{}, err
	}
	src, err := fs.ReadFile(lessonFS, path.Clean(id)+".star")
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
	out, rec := runLessonFirst(id, src, lang)
	for i := range out.Steps {
		out.Steps[i].Pictures = rec.Steps[i].Pictures(lang)
	}
	return out
}

// runLessonFirst runs src as the module of lesson id, in lang, and returns
// the result without the steps' pictures, and the recording they are drawn
// from: the page shows the transcript first and draws the pictures after
// (kscriptPictures), a step at a time.
func runLessonFirst(id, src, lang string) (RunResult, *picture.Recorder) {
	rec := &picture.Recorder{}
	l, err := loadLesson(id)
	if err != nil {
		return RunResult{Error: err.Error()}, rec
	}
	// The lesson's programs files come from the embedded lessons too.
	programs := []scenario.ProgramFile{}
	for _, p := range l.ProgramFiles() {
		b, err := fs.ReadFile(lessonFS, path.Clean(p))
		if err != nil {
			return RunResult{Error: p + ": programs file: no such file"}, rec
		}
		programs = append(programs, scenario.ProgramFile{Path: p, Src: b})
	}
	opts := kruntime.Options{Lang: lang}
	res, err := scenario.Run(scenario.Config{Options: opts, Observer: rec},
		scenario.Input{Script: id + ".star", Src: []byte(src), Lesson: l, Programs: programs})
	if err != nil {
		return RunResult{Error: err.Error()}, rec
	}
	var sum bytes.Buffer
	res.WriteSummary(&sum, lang, nil)
	out := RunResult{Transcript: res.Transcript, Summary: sum.String(), ExitCode: res.ExitCode()}
	for _, st := range rec.Steps {
		var log strings.Builder
		for _, r := range st.Log {
			log.WriteString(r.String() + "\n")
		}
		out.Steps = append(out.Steps, RunStep{N: st.N, Run: st.Run, Output: st.Output, Log: log.String()})
	}
	return out, rec
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
