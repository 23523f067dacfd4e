//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// main outside the browser runs one lesson and prints the result's JSON,
// for a quick look: kscript-wasm 01_kmalloc [en|th].
func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kscript-wasm LESSON [en|th] (built for the browser with GOOS=js GOARCH=wasm)")
		os.Exit(2)
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
