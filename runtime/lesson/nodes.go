package lesson

import (
	"errors"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// strict are the decode options of every lesson value: unknown keys are
// errors.
func strict() []yaml.DecodeOption { return []yaml.DecodeOption{yaml.DisallowUnknownField()} }

// decodeNode decodes node into v strictly. A type mismatch becomes an
// *Error at once, naming the innermost key: the decoder would otherwise
// relabel it with each enclosing field on its way out.
func decodeNode(node ast.Node, v any) error {
	err := yaml.NodeToValue(node, v, strict()...)
	var te *yaml.TypeError
	if errors.As(err, &te) {
		e := convertError("", nil, err)
		return e
	}
	return err
}

// posOf returns where node starts in the file: for a mapping, its first key.
func posOf(node ast.Node) Pos {
	switch n := node.(type) {
	case *ast.MappingNode:
		if len(n.Values) > 0 && n.Values[0].Key != nil {
			return posOf(n.Values[0].Key)
		}
	case *ast.MappingValueNode:
		if n.Key != nil {
			return posOf(n.Key)
		}
	}
	if node == nil || node.GetToken() == nil {
		return Pos{1, 1}
	}
	p := node.GetToken().Position
	return Pos{p.Line, p.Column}
}

// textPos returns where a scalar's text starts: after its opening quote,
// or on the line after a block scalar's | or > indicator.
func textPos(node ast.Node) (Pos, bool) {
	p := posOf(node)
	tk := node.GetToken()
	if tk == nil {
		return p, false
	}
	switch tk.Type {
	case token.DoubleQuoteType, token.SingleQuoteType:
		p.Col++
	case token.LiteralType, token.FoldedType:
		return Pos{p.Line + 1, 0}, true
	}
	if n, ok := node.(*ast.LiteralNode); ok && n.Value != nil {
		return Pos{p.Line + 1, 0}, true
	}
	return p, false
}

// isMapping reports whether node is a mapping (block or flow, possibly
// behind an anchor or tag).
func isMapping(node ast.Node) bool {
	for {
		switch n := node.(type) {
		case *ast.AnchorNode:
			node = n.Value
		case *ast.TagNode:
			node = n.Value
		case *ast.MappingNode, *ast.MappingValueNode:
			return true
		default:
			return false
		}
	}
}

// UnmarshalYAML decodes a step: a command string or {run, capture}.
func (s *Step) UnmarshalYAML(node ast.Node) error {
	s.Pos = posOf(node)
	if !isMapping(node) {
		s.RunPos, _ = textPos(node)
		return decodeNode(node, &s.Run)
	}
	var f struct {
		Run     posString `yaml:"run"`
		Capture captures  `yaml:"capture"`
	}
	if err := decodeNode(node, &f); err != nil {
		return err
	}
	s.Run, s.RunPos, s.Capture = f.Run.Value, f.Run.Pos, f.Capture
	return nil
}

// posString is a string and where its text starts.
type posString struct {
	Value string
	Pos   Pos
}

func (p *posString) UnmarshalYAML(node ast.Node) error {
	p.Pos, _ = textPos(node)
	return decodeNode(node, &p.Value)
}

// captures decodes capture: {NAME: regex, …} keeping the file's order.
type captures []Capture

func (c *captures) UnmarshalYAML(node ast.Node) error {
	var m yaml.MapSlice
	if err := decodeNode(node, &m); err != nil {
		return err
	}
	for _, item := range m {
		name, _ := item.Key.(string)
		pattern, ok := item.Value.(string)
		if !ok {
			return &Error{Pos: posOf(node), Msg: "capture " + name + ": got " + describeValue(item.Value) + ", want a regular expression string"}
		}
		*c = append(*c, Capture{Name: name, Pattern: pattern, Pos: captureKeyPos(node, name)})
	}
	return nil
}

// captureKeyPos finds the position of key name in a mapping node.
func captureKeyPos(node ast.Node, name string) Pos {
	var values []*ast.MappingValueNode
	switch n := node.(type) {
	case *ast.MappingNode:
		values = n.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{n}
	}
	for _, v := range values {
		if v.Key != nil && strings.Trim(v.Key.String(), `"'`) == name {
			return posOf(v.Key)
		}
	}
	return posOf(node)
}

// UnmarshalYAML decodes a matcher: a text, or {re: '…'}.
func (m *Matcher) UnmarshalYAML(node ast.Node) error {
	m.Pos = posOf(node)
	if !isMapping(node) {
		m.Pos, _ = textPos(node)
		return decodeNode(node, &m.Text)
	}
	var f struct {
		Re string `yaml:"re"`
	}
	if err := decodeNode(node, &f); err != nil {
		return err
	}
	if f.Re == "" {
		return &Error{Pos: m.Pos, Msg: "re: missing or empty regular expression"}
	}
	m.Re = f.Re
	return nil
}

// UnmarshalYAML decodes one string or a list of strings.
func (l *StringList) UnmarshalYAML(node ast.Node) error {
	var one string
	if decodeNode(node, &one) == nil {
		*l = StringList{one}
		return nil
	}
	var many []string
	if err := decodeNode(node, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

// UnmarshalYAML decodes a bug class, or {class, line, title}.
func (b *BugExpect) UnmarshalYAML(node ast.Node) error {
	b.Pos = posOf(node)
	if !isMapping(node) {
		return decodeNode(node, &b.Class)
	}
	type fields BugExpect
	return decodeNode(node, (*fields)(b))
}

// The struct types below decode as themselves (through a method-less
// copy of their type) and remember where they start.

func (t *Text) UnmarshalYAML(node ast.Node) error {
	type fields Text
	t.Pos = posOf(node)
	t.THPos = t.Pos
	if m, ok := node.(*ast.MappingNode); ok {
		for _, v := range m.Values {
			if v.Key != nil && v.Key.String() == "th" {
				t.THPos = posOf(v)
			}
		}
	}
	return decodeNode(node, (*fields)(t))
}

func (e *Expect) UnmarshalYAML(node ast.Node) error {
	type fields Expect
	e.Pos = posOf(node)
	return decodeNode(node, (*fields)(e))
}

func (p *ProcExpect) UnmarshalYAML(node ast.Node) error {
	type fields ProcExpect
	p.Pos = posOf(node)
	return decodeNode(node, (*fields)(p))
}

func (c *CallExpect) UnmarshalYAML(node ast.Node) error {
	type fields CallExpect
	c.Pos = posOf(node)
	return decodeNode(node, (*fields)(c))
}

func (r *ReadExpect) UnmarshalYAML(node ast.Node) error {
	type fields ReadExpect
	r.Pos = posOf(node)
	return decodeNode(node, (*fields)(r))
}

func (o *ObjectExpect) UnmarshalYAML(node ast.Node) error {
	type fields ObjectExpect
	o.Pos = posOf(node)
	return decodeNode(node, (*fields)(o))
}

func (x *Exercise) UnmarshalYAML(node ast.Node) error {
	type fields Exercise
	x.Pos = posOf(node)
	return decodeNode(node, (*fields)(x))
}

func (c *Check) UnmarshalYAML(node ast.Node) error {
	type fields Check
	c.Pos = posOf(node)
	return decodeNode(node, (*fields)(c))
}

// UnmarshalYAML decodes a step reference: a number or a command word.
func (s *StepRef) UnmarshalYAML(node ast.Node) error {
	s.Pos = posOf(node)
	if _, ok := node.(*ast.IntegerNode); ok {
		return decodeNode(node, &s.N)
	}
	return decodeNode(node, &s.Cmd)
}
