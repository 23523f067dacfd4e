package lesson

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"
)

// Load reads and decodes the lesson file at path; see Decode.
func Load(path string) (*Lesson, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Decode(path, src)
}

// Decode decodes a lesson file strictly and checks what a run relies on:
// regular expressions compile, scenario steps parse, names are well formed.
// Errors are *Error values with file:line:col. It never panics.
func Decode(file string, src []byte) (l *Lesson, err error) {
	defer func() {
		// The YAML library is not ours: a panic on strange input must still
		// reach the author as an error at a position, never as a crash.
		if r := recover(); r != nil {
			l, err = nil, &Error{File: file, Pos: Pos{1, 1}, Msg: fmt.Sprintf("cannot decode YAML: %v", r)}
		}
	}()
	l = &Lesson{}
	if err := yaml.UnmarshalWithOptions(src, l, strict()...); err != nil {
		return nil, convertError(file, src, err)
	}
	l.File, l.src = file, src
	l.Script = strings.TrimSuffix(file, filepath.Ext(file)) + ".star"
	if errs := l.validate(); len(errs) > 0 {
		return nil, errs[0]
	}
	return l, nil
}

// ForScript returns the lesson file beside a module script
// (lessons/01_kmalloc.star → lessons/01_kmalloc.yaml), or "" when there is
// none.
func ForScript(script string) string {
	stem := strings.TrimSuffix(script, filepath.Ext(script))
	for _, ext := range []string{".yaml", ".yml"} {
		if _, err := os.Stat(stem + ext); err == nil {
			return stem + ext
		}
	}
	return ""
}

// errorAt makes an *Error at pos in the lesson's file.
func (l *Lesson) errorAt(pos Pos, format string, args ...any) *Error {
	if pos.Line == 0 {
		pos = Pos{1, 1}
	}
	return &Error{File: l.File, Pos: pos, Msg: fmt.Sprintf(format, args...), Source: sourceLine(l.src, pos.Line)}
}

// keyPos returns where a top-level key is written ("module:" at the start
// of a line), or 1:1.
func (l *Lesson) keyPos(key string) Pos {
	for i, line := range strings.Split(string(l.src), "\n") {
		if strings.HasPrefix(line, key+":") {
			return Pos{i + 1, 1}
		}
	}
	return Pos{1, 1}
}

// ModuleName returns the module name for the lesson's script: module:, else
// the script file's stem.
func (l *Lesson) ModuleName() string {
	if l.Module != "" {
		return l.Module
	}
	return strings.TrimSuffix(filepath.Base(l.Script), ".star")
}

// SourceLine returns line n of the lesson file, for error displays.
func (l *Lesson) SourceLine(n int) string { return sourceLine(l.src, n) }
