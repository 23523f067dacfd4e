package lesson

import (
	"reflect"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"kscript.dev/kscript/runtime/lazy"
)

// unknownKeys walks a lesson file's syntax tree against the Lesson type and
// returns an error for every mapping key the schema does not know, so that an
// author sees all of them in one run instead of one per run (the decoder
// stops at the first). The schema is read from the yaml tags of the lesson
// types, so a field added to them is known here at once.
//
// It also returns the syntax tree without those keys, for decoding the rest
// of the file without parsing it again (nil when the file has no single
// document the decoder could take).
func unknownKeys(file string, src []byte) (ErrorList, ast.Node) {
	f, err := parser.ParseBytes(src, 0)
	if err != nil || f == nil || len(f.Docs) != 1 || f.Docs[0] == nil || f.Docs[0].Body == nil {
		return nil, nil // the decoder reports syntax errors itself
	}
	var errs ErrorList
	body := f.Docs[0].Body
	walkSchema(body, reflect.TypeOf(Lesson{}), func(key ast.Node, name string, known []string) {
		e := &Error{File: file, Pos: posOf(key), Msg: "unknown field " + `"` + name + `"`}
		if best := nearestKey(name, known); best != "" {
			e.Msg += " (did you mean " + best + "?)"
		}
		e.Source = sourceLine(src, e.Pos.Line)
		errs = append(errs, e)
	})
	return errs, body
}

// shapes are the lesson types that decode from a mapping whose keys are not
// their Go fields' tags: the keys each accepts, and the type of each value
// (nil: any value, not walked further).
var shapes = lazy.NewMap(shapesTable)

func shapesTable() map[reflect.Type]map[string]reflect.Type {
	return map[reflect.Type]map[string]reflect.Type{
		reflect.TypeOf(Step{}):    {"run": nil, "capture": nil},
		reflect.TypeOf(Matcher{}): {"re": nil},
	}
}

// walkSchema reports the unknown keys of node, read as a value of type t.
func walkSchema(node ast.Node, t reflect.Type, unknown func(key ast.Node, name string, known []string)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	node = unwrapNode(node)
	switch t.Kind() {
	case reflect.Slice:
		if seq, ok := node.(*ast.SequenceNode); ok && t != reflect.TypeOf(StringList{}) {
			for _, v := range seq.Values {
				walkSchema(v, t.Elem(), unknown)
			}
		}
		return
	case reflect.Struct:
	default:
		return
	}
	fields, ok := shapes.Get()[t]
	if !ok {
		fields = taggedFields(t)
	}
	if len(fields) == 0 {
		return
	}
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	var kept []*ast.MappingValueNode
	for _, mv := range mappingValues(node) {
		name := ""
		if mv.Key != nil {
			name = strings.Trim(mv.Key.String(), `"'`)
		}
		ft, ok := fields[name]
		if !ok && mv.Key != nil && name != "<<" { // a merge key brings known keys in
			unknown(mv.Key, name, known)
			continue
		}
		kept = append(kept, mv)
		if ft != nil {
			walkSchema(mv.Value, ft, unknown)
		}
	}
	// Drop the unknown keys, so that the rest of the file can be decoded
	// and checked in the same run.
	if m, ok := node.(*ast.MappingNode); ok && len(kept) < len(m.Values) {
		m.Values = kept
	}
}

// taggedFields maps the yaml keys of struct type t to their field types.
func taggedFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Map {
			ft = nil // free-form keys (exit_code: {"./prog": 0})
		}
		m[tag] = ft
	}
	return m
}

// mappingValues returns the key/value pairs of a mapping node (none for
// any other node).
func mappingValues(node ast.Node) []*ast.MappingValueNode {
	switch n := node.(type) {
	case *ast.MappingNode:
		return n.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{n}
	}
	return nil
}

// unwrapNode looks through anchors and tags.
func unwrapNode(node ast.Node) ast.Node {
	for {
		switch n := node.(type) {
		case *ast.AnchorNode:
			node = n.Value
		case *ast.TagNode:
			node = n.Value
		default:
			return node
		}
	}
}

// nearestKey returns the known key closest to name if it is likely a typo.
func nearestKey(name string, known []string) string {
	best, bestD := "", 1+len(name)/3
	for _, k := range known {
		if d := editDistance(name, k); d < bestD || d == bestD && best != "" && k < best {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the optimal-string-alignment distance between a and b:
// insertions, deletions, substitutions and swaps of two neighbours
// ("titel" is one step from "title").
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
