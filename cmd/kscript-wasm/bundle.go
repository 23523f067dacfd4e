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
		if _, extra, err := l.PublicForm(); err == nil {
			files = append(files, extra...)
		}
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

// playgroundForm is lesson l's public form with its expect: block put
// back, checked: it decodes, with exactly the visible checks and no
// solution.
func playgroundForm(l *lesson.Lesson, src []byte) (string, error) {
	pub, _, err := l.PublicForm()
	if err != nil {
		return "", err
	}
	text := string(pub)
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	text += topBlock(string(src), "expect")
	p, err := lesson.Decode(l.File, []byte(text))
	if err != nil {
		return "", fmt.Errorf("%s: the playground's form: %v", l.File, err)
	}
	var want, got []string
	if l.Exercise != nil {
		for _, c := range l.Exercise.Checks {
			if c.VisibilityOf() == "visible" {
				want = append(want, c.ID)
			}
		}
	}
	if p.Exercise != nil {
		if p.Exercise.Solution != "" {
			return "", fmt.Errorf("%s: the playground's form names the solution", l.File)
		}
		for _, c := range p.Exercise.Checks {
			got = append(got, c.ID)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		return "", fmt.Errorf("%s: the playground's form has checks %v, want the visible ones %v", l.File, got, want)
	}
	return text, nil
}

// topBlock returns the top-level block key: of a YAML text, without its
// full-line comments; "" when there is none.
func topBlock(src, key string) string {
	var b strings.Builder
	in := false
	for _, line := range strings.SplitAfter(src, "\n") {
		top := line != "" && line[0] != ' ' && line[0] != '#' && line[0] != '\n' && line[0] != '\r'
		switch {
		case top && !in && strings.HasPrefix(line, key+":"):
			in = true
		case top && in:
			return b.String()
		case !in, strings.HasPrefix(strings.TrimSpace(line), "#"):
			continue
		}
		b.WriteString(line)
	}
	return b.String()
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
