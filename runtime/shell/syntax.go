package shell

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Pos is a position in a command text: 1-based line and column, the column
// counted in characters (runes), as a person counts them.
type Pos struct {
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Script is a parsed command text: lists separated by ';' or newlines.
type Script struct {
	Lists []*AndOr
}

// AndOr is pipelines joined by && and ||, run left to right as bash does.
type AndOr struct {
	Pipelines []*Pipeline
	Ops       []string // Ops[i] joins Pipelines[i] and Pipelines[i+1]: "&&" or "||"
}

// Pipeline is simple commands joined by '|'.
type Pipeline struct {
	Cmds []*Cmd
	Pos  Pos
}

// Cmd is a simple command: its words and redirections.
type Cmd struct {
	Words  []Word
	Redirs []Redir
	Pos    Pos
}

// Word is one shell word before expansion: literal and variable parts.
type Word struct {
	Parts []Part
	Pos   Pos
}

// Part is a piece of a word: literal text, or a variable reference ($NAME,
// ${NAME}, $?) when Var is set. Quoted parts are not split into fields.
type Part struct {
	Text   string
	Var    bool
	Quoted bool
}

// Redir is a redirection: "> file", ">> file", "2> file", "2>&1", "< file".
type Redir struct {
	Fd     int    // 0 for <, 1 for > and >>, 2 for 2> and 2>>
	Op     string // "<", ">", ">>", ">&"
	Target Word   // the file; for ">&" the fd number
	Pos    Pos
}

// SyntaxError is a command text that does not parse, at Pos.
type SyntaxError struct {
	Pos Pos
	Msg string
}

func (e *SyntaxError) Error() string { return e.Pos.String() + ": " + e.Msg }

// Parse parses a command text: one line typed at the prompt, a scenario
// step, or the argument of `kscript shell -c`.
func Parse(src string) (*Script, error) {
	p := &parser{src: src, line: 1, col: 1}
	return p.script()
}

// parser is a hand-written recursive-descent parser over the bytes of src;
// it tracks the line and column of its position as it goes.
type parser struct {
	src       string
	off       int
	line, col int
}

func (p *parser) pos() Pos { return Pos{p.line, p.col} }

func (p *parser) errorf(at Pos, format string, args ...any) error {
	return &SyntaxError{Pos: at, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) peek() byte {
	if p.off >= len(p.src) {
		return 0
	}
	return p.src[p.off]
}

func (p *parser) peekAt(i int) byte {
	if p.off+i >= len(p.src) {
		return 0
	}
	return p.src[p.off+i]
}

func (p *parser) eof() bool { return p.off >= len(p.src) }

// next consumes one character (a whole rune) and returns it as a string.
func (p *parser) next() string {
	r, size := utf8.DecodeRuneInString(p.src[p.off:])
	s := p.src[p.off : p.off+size]
	p.off += size
	if r == '\n' {
		p.line, p.col = p.line+1, 1
	} else {
		p.col++
	}
	return s
}

// skipBlanks skips spaces, tabs, backslash-newline continuations and a
// comment ('#' to the end of the line).
func (p *parser) skipBlanks() {
	for !p.eof() {
		switch c := p.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			p.next()
		case c == '\\' && p.peekAt(1) == '\n':
			p.next()
			p.next()
		case c == '#':
			p.skipLine()
		default:
			return
		}
	}
}

func (p *parser) skipLine() {
	for !p.eof() && p.peek() != '\n' {
		p.next()
	}
}

// skipSeparators skips blanks, newlines, ';' and the workshop's "-- note"
// comment lines between lists.
func (p *parser) skipSeparators() {
	for {
		p.skipBlanks()
		switch {
		case p.peek() == '\n' || p.peek() == ';':
			p.next()
		case p.atDashComment():
			p.skipLine()
		default:
			return
		}
	}
}

// atDashComment reports whether a command starts with the word "--": the
// workshop writes its notes that way ("-- build kernel"). Unlike bash, which
// would look for a command named "--", kscript reads such a line as a comment.
func (p *parser) atDashComment() bool {
	if p.peek() != '-' || p.peekAt(1) != '-' {
		return false
	}
	c := p.peekAt(2)
	return c == 0 || c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

func (p *parser) script() (*Script, error) {
	s := &Script{}
	for {
		p.skipSeparators()
		if p.eof() {
			return s, nil
		}
		l, err := p.andOr()
		if err != nil {
			return nil, err
		}
		s.Lists = append(s.Lists, l)
		p.skipBlanks()
		switch c := p.peek(); c {
		case 0, '\n', ';':
		default:
			return nil, p.unexpected()
		}
	}
}

func (p *parser) andOr() (*AndOr, error) {
	l := &AndOr{}
	for {
		pl, err := p.pipeline()
		if err != nil {
			return nil, err
		}
		l.Pipelines = append(l.Pipelines, pl)
		p.skipBlanks()
		op := p.src[p.off:min(p.off+2, len(p.src))]
		if op != "&&" && op != "||" {
			return l, nil
		}
		p.next()
		p.next()
		l.Ops = append(l.Ops, op)
		p.skipNewlines()
	}
}

// skipNewlines allows a line break after |, && and ||, as bash does.
func (p *parser) skipNewlines() {
	for {
		p.skipBlanks()
		if p.peek() != '\n' {
			return
		}
		p.next()
	}
}

func (p *parser) pipeline() (*Pipeline, error) {
	p.skipBlanks()
	pl := &Pipeline{Pos: p.pos()}
	for {
		c, err := p.cmd()
		if err != nil {
			return nil, err
		}
		pl.Cmds = append(pl.Cmds, c)
		p.skipBlanks()
		if p.peek() != '|' || p.peekAt(1) == '|' {
			return pl, nil
		}
		p.next()
		p.skipNewlines()
	}
}

func (p *parser) cmd() (*Cmd, error) {
	p.skipBlanks()
	c := &Cmd{Pos: p.pos()}
	for {
		p.skipBlanks()
		if p.atCmdEnd() {
			break
		}
		if r, ok, err := p.redir(); err != nil {
			return nil, err
		} else if ok {
			c.Redirs = append(c.Redirs, r)
			continue
		}
		if err := p.checkUnsupported(); err != nil {
			return nil, err
		}
		w, err := p.word()
		if err != nil {
			return nil, err
		}
		c.Words = append(c.Words, w)
	}
	if len(c.Words) == 0 && len(c.Redirs) == 0 {
		return nil, p.unexpected()
	}
	return c, nil
}

// atCmdEnd reports whether the current character ends a simple command.
func (p *parser) atCmdEnd() bool {
	switch p.peek() {
	case 0, '\n', ';', '|':
		return true
	case '&':
		return p.peekAt(1) == '&'
	}
	return false
}

// unexpected reports the token at the current position as bash does:
// "syntax error near unexpected token `|'".
func (p *parser) unexpected() error {
	at := p.pos()
	switch {
	case p.eof():
		return p.errorf(at, "syntax error: unexpected end of file")
	case p.peek() == '\n':
		return p.errorf(at, "syntax error near unexpected token `newline'")
	}
	tok := p.src[p.off : p.off+1]
	if two := p.src[p.off:min(p.off+2, len(p.src))]; two == "&&" || two == "||" || two == ";;" {
		tok = two
	}
	return p.errorf(at, "syntax error near unexpected token `%s'", tok)
}

// checkUnsupported rejects shell syntax that kscript's shell does not
// implement, with a clear message rather than a surprising result.
func (p *parser) checkUnsupported() error {
	at := p.pos()
	switch c := p.peek(); {
	case c == '&':
		return p.errorf(at, "background jobs (&) are not supported")
	case c == '(' || c == ')':
		return p.errorf(at, "subshells and ( ) are not supported")
	case c == '`':
		return p.errorf(at, "command substitution (`…`) is not supported")
	case c == '$' && p.peekAt(1) == '(':
		return p.errorf(at, "command substitution ($(…)) is not supported")
	}
	return nil
}

// redir parses a redirection if one starts here: [n]>, [n]>>, >&n, <.
func (p *parser) redir() (Redir, bool, error) {
	at := p.pos()
	fd, skip := -1, 0
	if c := p.peek(); (c == '1' || c == '2') && (p.peekAt(1) == '>') {
		fd, skip = int(c-'0'), 1
	}
	c := p.peekAt(skip)
	if c != '>' && c != '<' {
		return Redir{}, false, nil
	}
	for i := 0; i <= skip; i++ {
		p.next()
	}
	r := Redir{Pos: at}
	switch {
	case c == '<':
		r.Fd, r.Op = 0, "<"
		if p.peek() == '<' {
			return r, false, p.errorf(at, "here-documents (<<) are not supported")
		}
	case p.peek() == '>':
		p.next()
		r.Fd, r.Op = 1, ">>"
	case p.peek() == '&':
		p.next()
		r.Fd, r.Op = 1, ">&"
	default:
		r.Fd, r.Op = 1, ">"
	}
	if fd >= 0 {
		r.Fd = fd
	}
	p.skipBlanks()
	if p.atCmdEnd() || p.peek() == '>' || p.peek() == '<' {
		return r, false, p.unexpected()
	}
	w, err := p.word()
	if err != nil {
		return r, false, err
	}
	r.Target = w
	if r.Op == ">&" && (len(w.Parts) != 1 || (w.Parts[0].Text != "1" && w.Parts[0].Text != "2")) {
		return r, false, p.errorf(w.Pos, "only >&1 and >&2 are supported")
	}
	return r, true, nil
}

// word parses one word: unquoted text, '…', "…", \c and $VAR pieces with no
// blank between them.
func (p *parser) word() (Word, error) {
	w := Word{Pos: p.pos()}
	var lit strings.Builder
	flush := func(quoted bool) {
		if lit.Len() > 0 {
			w.Parts = append(w.Parts, Part{Text: lit.String(), Quoted: quoted})
			lit.Reset()
		}
	}
	for !p.eof() {
		switch c := p.peek(); {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '|' || c == '&' ||
			c == '<' || c == '>' || c == '(' || c == ')' || c == '`':
			flush(false)
			return w, nil
		case c == '\'':
			flush(false)
			if err := p.singleQuoted(&w); err != nil {
				return w, err
			}
		case c == '"':
			flush(false)
			if err := p.doubleQuoted(&w); err != nil {
				return w, err
			}
		case c == '\\':
			p.next()
			if p.eof() {
				lit.WriteByte('\\')
				break
			}
			if p.peek() == '\n' {
				p.next()
				break
			}
			flush(false)
			w.Parts = append(w.Parts, Part{Text: p.next(), Quoted: true})
		case c == '$':
			if p.peekAt(1) == '(' {
				return w, p.checkUnsupported()
			}
			part, ok, err := p.variable()
			if err != nil {
				return w, err
			}
			if ok {
				flush(false)
				w.Parts = append(w.Parts, part)
			} else {
				lit.WriteString(p.next())
			}
		default:
			lit.WriteString(p.next())
		}
	}
	flush(false)
	return w, nil
}

func (p *parser) singleQuoted(w *Word) error {
	at := p.pos()
	p.next()
	var b strings.Builder
	for {
		if p.eof() {
			return p.errorf(at, "unexpected EOF while looking for matching `''")
		}
		if p.peek() == '\'' {
			p.next()
			w.Parts = append(w.Parts, Part{Text: b.String(), Quoted: true})
			return nil
		}
		b.WriteString(p.next())
	}
}

func (p *parser) doubleQuoted(w *Word) error {
	at := p.pos()
	p.next()
	var b strings.Builder
	// An empty "" still makes a (quoted, empty) word part.
	w.Parts = append(w.Parts, Part{Quoted: true})
	flush := func() {
		if b.Len() > 0 {
			w.Parts = append(w.Parts, Part{Text: b.String(), Quoted: true})
			b.Reset()
		}
	}
	for {
		if p.eof() {
			return p.errorf(at, "unexpected EOF while looking for matching `\"'")
		}
		switch c := p.peek(); {
		case c == '"':
			p.next()
			flush()
			return nil
		case c == '\\' && strings.IndexByte("$`\"\\\n", p.peekAt(1)) >= 0 && p.peekAt(1) != 0:
			p.next()
			if p.peek() == '\n' {
				p.next()
				continue
			}
			b.WriteString(p.next())
		case c == '`' || (c == '$' && p.peekAt(1) == '('):
			return p.checkUnsupported()
		case c == '$':
			part, ok, err := p.variable()
			if err != nil {
				return err
			}
			if !ok {
				b.WriteString(p.next())
				continue
			}
			flush()
			part.Quoted = true
			w.Parts = append(w.Parts, part)
		default:
			b.WriteString(p.next())
		}
	}
}

// variable parses $NAME, ${NAME}, $? or $0-$9 at '$'; ok is false when the
// '$' starts no variable and is literal, as in "cost: $".
func (p *parser) variable() (Part, bool, error) {
	at := p.pos()
	c := p.peekAt(1)
	switch {
	case c == '{':
		p.next()
		p.next()
		start := p.off
		for !p.eof() && p.peek() != '}' {
			if !isNameByte(p.peek(), p.off == start) {
				return Part{}, false, p.errorf(at, "${…}: bad substitution")
			}
			p.next()
		}
		if p.eof() {
			return Part{}, false, p.errorf(at, "unexpected EOF while looking for matching `}'")
		}
		name := p.src[start:p.off]
		p.next()
		if name == "" {
			return Part{}, false, p.errorf(at, "${}: bad substitution")
		}
		return Part{Text: name, Var: true}, true, nil
	case c == '?' || (c >= '0' && c <= '9'):
		p.next()
		return Part{Text: p.next(), Var: true}, true, nil
	case isNameByte(c, true):
		p.next()
		start := p.off
		for !p.eof() && isNameByte(p.peek(), false) {
			p.next()
		}
		return Part{Text: p.src[start:p.off], Var: true}, true, nil
	}
	return Part{}, false, nil
}

func isNameByte(c byte, first bool) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9')
}
