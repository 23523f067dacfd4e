//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"

	"kscript.dev/kscript/lessons"
)

// Outside the browser the playground's lessons are the bundle made from
// the embedded lessons: what the page gets.
func init() {
	files, err := Bundle(lessons.FS())
	if err != nil {
		fmt.Fprintln(os.Stderr, "kscript-wasm: the lessons' bundle:", err)
		os.Exit(2)
	}
	lessonFS = bundleFS(files)
}

// main outside the browser writes the lessons' bundle for the page
// (kscript-wasm bundle FILE, as scripts/build-web does) or runs one lesson
// and prints the result's JSON, for a quick look: kscript-wasm 01_kmalloc
// [en|th].
func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kscript-wasm bundle FILE | kscript-wasm LESSON [en|th] (built for the browser with GOOS=js GOARCH=wasm)")
		os.Exit(2)
	}
	if os.Args[1] == "bundle" && len(os.Args) == 3 {
		files, _ := Bundle(lessons.FS())
		if err := os.WriteFile(os.Args[2], []byte(toJSON(files)), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "kscript-wasm:", err)
			os.Exit(1)
		}
		return
	}
	lang := "en"
	if len(os.Args) > 2 {
		lang = os.Args[2]
	}
	l, err := getLesson(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "kscript-wasm:", err)
		os.Exit(2)
	}
	fmt.Println(toJSON(runLesson(l.ID, l.Source, lang)))
}
