package lesson

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml"
)

// Error is a mistake in a lesson file at a position. Error() is
// "file:line:col: message" followed by the source line and a caret under
// the column, as compilers print.
type Error struct {
	File string
	Pos  Pos
	Msg  string
	// Source is the line of the file the error points at, if known.
	Source string
	// Warning marks something unfinished rather than wrong (a text that
	// still says TODO): lint prints it, and fails on it only with --strict.
	Warning bool
}

func (e *Error) Error() string {
	s := e.Header()
	if e.Source == "" {
		return s
	}
	num := fmt.Sprintf("%5d | ", e.Pos.Line)
	caret := strings.Repeat(" ", len(num)-2) + "| " + strings.Repeat(" ", caretOffset(e.Source, e.Pos.Col)) + "^"
	return s + "\n" + num + e.Source + "\n" + caret
}

// Header returns the first line of the error: "file:line:col: message".
func (e *Error) Header() string {
	if e.Warning {
		return fmt.Sprintf("%s:%d:%d: warning: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

// caretOffset returns how many spaces put a caret under column col (in
// runes) of line, counting a tab as a tab's worth of spaces would not be
// portable: tabs are kept as single columns, as the YAML parser counts.
func caretOffset(line string, col int) int {
	return max(0, min(col-1, len([]rune(line))))
}

// ErrorList is several errors in lesson files, in file order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// convertError turns an error of the YAML decoder (or one of ours without
// a file) into an *Error with the file, position and source line.
func convertError(file string, src []byte, err error) *Error {
	var le *Error
	if errors.As(err, &le) {
		e := *le
		e.File = file
		e.Source = sourceLine(src, e.Pos.Line)
		return &e
	}
	e := &Error{File: file, Pos: Pos{1, 1}, Msg: err.Error()}
	var ye yaml.Error
	if errors.As(err, &ye) {
		e.Msg = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil {
			e.Pos = Pos{tk.Position.Line, tk.Position.Column}
		}
	}
	var te *yaml.TypeError
	var ue *yaml.UnexpectedNodeTypeError
	switch {
	case errors.As(err, &te):
		e.Msg = typeErrorMessage(te)
	case errors.As(err, &ue):
		e.Msg = fmt.Sprintf("got %s, want %s", nodeKind(ue.Actual.String()), nodeKind(ue.Expected.String()))
		if key := keyBefore(sourceLine(src, e.Pos.Line), e.Pos.Col); key != "" {
			e.Msg = key + ": " + e.Msg
		}
	}
	e.Msg = strings.TrimSpace(e.Msg)
	e.Source = sourceLine(src, e.Pos.Line)
	return e
}

// typeErrorMessage words a type mismatch for a lesson author: the key,
// what was given and what the schema wants.
func typeErrorMessage(te *yaml.TypeError) string {
	msg := fmt.Sprintf("got %s, want %s", describeType(te.SrcType), describeType(te.DstType))
	if te.StructFieldName != nil {
		msg = yamlKey(*te.StructFieldName) + ": " + msg
	}
	return msg
}

// yamlKey turns the decoder's Go field name ("Expect.NoLeaks") into the
// lesson key ("no_leaks") using the struct tags.
func yamlKey(goName string) string {
	typeName, field, ok := strings.Cut(goName, ".")
	if !ok {
		return goName
	}
	for _, t := range []reflect.Type{reflect.TypeOf(Lesson{}), reflect.TypeOf(Text{}),
		reflect.TypeOf(Expect{}), reflect.TypeOf(BugExpect{}), reflect.TypeOf(ProcExpect{}),
		reflect.TypeOf(CallExpect{}), reflect.TypeOf(ReadExpect{}), reflect.TypeOf(ObjectExpect{}), reflect.TypeOf(Exercise{}), reflect.TypeOf(Check{})} {
		if t.Name() != typeName && typeName != "fields" {
			continue
		}
		if f, ok := t.FieldByName(field); ok {
			if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag != "" && tag != "-" {
				return tag
			}
		}
	}
	return strings.ToLower(field)
}

// describeType names a Go type as a YAML author thinks of it.
func describeType(t reflect.Type) string {
	if t == nil {
		return "nothing"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case reflect.TypeOf(Text{}):
		return "a mapping {en: …, th: …}"
	case reflect.TypeOf(Matcher{}):
		return `a text or {re: "…"}`
	case reflect.TypeOf(StringList{}):
		return "a string or a list of strings"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64, reflect.Uint32:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	}
	return t.String()
}

// describeValue names the type of a decoded value.
func describeValue(v any) string {
	if v == nil {
		return "nothing"
	}
	return describeType(reflect.TypeOf(v))
}

// sourceLine returns line n (1-based) of src without its newline.
func sourceLine(src []byte, n int) string {
	lines := strings.Split(string(src), "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimRight(lines[n-1], "\r")
}

// nodeKind names a YAML node type as an author thinks of it.
func nodeKind(t string) string {
	switch strings.ToLower(t) {
	case "mapping", "mappingvalue":
		return "a mapping"
	case "sequence":
		return "a list"
	case "string", "literal":
		return "a string"
	case "integer", "float":
		return "a number"
	case "bool":
		return "true or false"
	case "null":
		return "nothing"
	}
	return strings.ToLower(t)
}

// keyBefore returns the mapping key written on line before column col
// ("scenario" in "scenario: make"), or "".
func keyBefore(line string, col int) string {
	r := []rune(line)
	if col-1 > len(r) || col < 1 {
		return ""
	}
	before := strings.TrimSpace(string(r[:col-1]))
	before = strings.TrimSpace(strings.TrimPrefix(before, "-"))
	key, ok := strings.CutSuffix(before, ":")
	if !ok || strings.ContainsAny(key, " {[,") {
		return ""
	}
	return key
}
