package lesson

import (
	"errors"
	"os"

	"go.starlark.net/syntax"

	kruntime "kscript.dev/kscript/runtime"
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
	programs := map[string]bool{}
	for _, p := range l.ProgramFiles() {
		programs[p] = true
	}
	var errs ErrorList
	for _, p := range paths {
		if e := parseScript(p); e != nil {
			errs = append(errs, e)
		} else if programs[p] {
			errs = append(errs, lintProgramsFile(p)...)
		}
	}
	return errs
}

// lintProgramsFile reports what a run would refuse in a programs file:
// a module declaration (MODULE_LICENSE, static, module_init…), which
// belongs in the module's own script; user_program is the one declaration
// it holds.
func lintProgramsFile(path string) ErrorList {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	f, err := scriptOptions.Parse(path, src, 0)
	if err != nil {
		return nil
	}
	var errs ErrorList
	syntax.Walk(f, func(n syntax.Node) bool {
		call, ok := n.(*syntax.CallExpr)
		if !ok {
			return true
		}
		id, ok := call.Fn.(*syntax.Ident)
		if !ok || id.Name == "user_program" {
			return true
		}
		if api, ok := kruntime.LookupAPI(id.Name); ok && api.Scope == kruntime.ScopeDecl {
			pos := Pos{int(id.NamePos.Line), int(id.NamePos.Col)}
			errs = append(errs, &Error{File: path, Pos: pos, Source: sourceLine(src, pos.Line),
				Msg: id.Name + ": a module declaration in a programs file, which declares user programs only: declare the module in its own script"})
		}
		return true
	})
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
