package main

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
	"testing/fstest"

	"kscript.dev/kscript/runtime/lesson"
)

// The lessons reach the page as a bundle (lessons.json, written by
// `kscript-wasm bundle FILE` for scripts/build-web), never embedded in
// kscript.wasm: each lesson file in its public form (kscript publish: no
// hidden check, no solution) with the lesson's own expectations (expect:,
// which the summary of a run checks) put back, the lesson's module, and
// the exercise's starter and programs files. The reference solutions and
// the hidden checks stay on the grading host.

// Bundle returns the public files of the lessons in full, by path.
func Bundle(full fs.FS) (map[string]string, error) {
	names, err := fs.Glob(full, "*.yaml")
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, name := range names {
		src, err := fs.ReadFile(full, name)
		if err != nil {
			return nil, err
		}
		l, err := lesson.Decode(name, src)
		if err != nil {
			return nil, err
		}
		text, err := playgroundForm(l, src)
		if err != nil {
			return nil, err
		}
		out[name] = text
		id := strings.TrimSuffix(name, ".yaml")
		files := []string{id + ".star"}
		if l.Exercise != nil && l.Exercise.Starter != "" {
			files = append(files, l.Exercise.Starter)
		}
		files = append(files, l.Programs...)
		for _, f := range files {
			b, err := fs.ReadFile(full, path.Clean(f))
			if err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
			out[path.Clean(f)] = string(b)
		}
	}
	return out, nil
}

// playgroundForm is lesson l's form for the page: a public form (the
// lessons kscript embeds) as it is, once checked to hold visible checks
// only; a full form (a lesson folder's) as kscript ships it
// (lesson.ShippedForm: the public form with the lesson's expect: block).
func playgroundForm(l *lesson.Lesson, src []byte) (string, error) {
	if !l.Public {
		text, err := l.ShippedForm()
		return string(text), err
	}
	if l.Exercise != nil {
		if l.Exercise.Solution != "" {
			return "", fmt.Errorf("%s: the public form names the solution", l.File)
		}
		for _, c := range l.Exercise.Checks {
			if c.VisibilityOf() != "visible" {
				return "", fmt.Errorf("%s: check %s is %s in a public form", l.File, c.ID, c.VisibilityOf())
			}
		}
	}
	return string(src), nil
}

// bundleFS serves a bundle as a file system (a pointer: the playground
// compares it with the file system it was given).
func bundleFS(files map[string]string) fs.FS {
	m := fstest.MapFS{}
	for name, text := range files {
		m[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return &filesFS{m}
}

type filesFS struct{ m fstest.MapFS }

func (f *filesFS) Open(name string) (fs.File, error) { return f.m.Open(name) }
