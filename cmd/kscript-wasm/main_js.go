//go:build js && wasm

package main

import (
	"encoding/json"
	"syscall/js"

	"kscript.dev/kscript/runtime/picture"
)

// main registers the playground's functions on the page's global object
// and waits for calls: kscriptLessons(), kscriptLesson(id),
// kscriptExercise(id) (the public side of its exercise, null for none),
// kscriptRun(id, source, lang) (without the pictures, which
// kscriptPictures(step, lang) draws for a step of the last run),
// kscriptGrade(id, source, lang) (the
// grading worded in both languages: {"en": …, "th": …}), each returning
// JSON text.
//
// The page hands it the lessons' bundle (lessons.json, bundle.go) as the
// global kscriptBundle before it starts.
func main() {
	var last *picture.Recorder // the last run's, for kscriptPictures
	g := js.Global()
	var files map[string]string
	if b := g.Get("kscriptBundle"); b.Type() == js.TypeString {
		json.Unmarshal([]byte(b.String()), &files)
	}
	lessonFS = bundleFS(files)
	g.Set("kscriptLessons", js.FuncOf(func(js.Value, []js.Value) any { return toJSON(listLessons()) }))
	g.Set("kscriptLesson", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 {
			return toJSON(map[string]string{"error": "kscriptLesson(id)"})
		}
		l, err := getLesson(args[0].String())
		if err != nil {
			return toJSON(map[string]string{"error": err.Error()})
		}
		return toJSON(l)
	}))
	g.Set("kscriptRun", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 3 {
			return toJSON(map[string]string{"error": "kscriptRun(id, source, lang)"})
		}
		res, rec := runLessonFirst(args[0].String(), args[1].String(), args[2].String())
		last = rec
		return toJSON(res)
	}))
	g.Set("kscriptPictures", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 2 || last == nil || args[0].Int() < 0 || args[0].Int() >= len(last.Steps) {
			return toJSON(map[string]string{"error": "kscriptPictures(step, lang): no such step of the last run"})
		}
		return toJSON(last.Steps[args[0].Int()].Pictures(args[1].String()))
	}))
	g.Set("kscriptExercise", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 {
			return toJSON(map[string]string{"error": "kscriptExercise(id)"})
		}
		x, err := exerciseInfo(lessonFS, args[0].String())
		if err != nil {
			return toJSON(map[string]string{"error": err.Error()})
		}
		return toJSON(x)
	}))
	g.Set("kscriptGrade", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 3 {
			return toJSON(map[string]string{"error": "kscriptGrade(id, source, lang)"})
		}
		return toJSON(gradeViews(lessonFS, args[0].String(), args[1].String(), args[2].String()))
	}))
	if ready := g.Get("kscriptReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}
