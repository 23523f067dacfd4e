package lesson

import (
	"errors"
	"os"

	"go.starlark.net/syntax"
)

// scriptOptions is the Starlark dialect of module scripts (the runtime's
// own: while loops, top-level if/for, global reassignment, sets, recursion).
var scriptOptions = &syntax.FileOptions{While: true, TopLevelControl: true, GlobalReassign: true, Set: true, Recursion: true}

// lintScripts checks that the scripts the lesson names parse: its module
// script, its programs files and the exercise's starter and solution. A syntax error is
// reported at its position in the script, with the script's line.
func (l *Lesson) lintScripts() ErrorList {
	paths := append([]string{l.Script}, l.ProgramFiles()...)
	if x := l.Exercise; x != nil {
		for _, p := range []string{x.Starter, x.Solution} {
			if p != "" {
				paths = append(paths, l.Rel(p))
			}
		}
	}
	var errs ErrorList
	for _, p := range paths {
		if e := parseScript(p); e != nil {
			errs = append(errs, e)
		}
	}
	return errs
}

// parseScript parses a script; a missing file is left to the existence
// checks.
func parseScript(path string) *Error {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	_, err = scriptOptions.Parse(path, src, 0)
	var se syntax.Error
	if !errors.As(err, &se) {
		return nil
	}
	pos := Pos{int(se.Pos.Line), int(se.Pos.Col)}
	return &Error{File: path, Pos: pos, Msg: se.Msg, Source: sourceLine(src, pos.Line)}
}
