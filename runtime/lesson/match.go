package lesson

import (
	"fmt"
	"kscript.dev/kscript/runtime/lazy"
	"kscript.dev/kscript/runtime/lazyre"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// placeholders are the names {{…}} an exact text may use for values that
// legitimately vary from run to run.
var placeholders = lazy.NewMap(placeholdersTable)

func placeholdersTable() map[string]string {
	return map[string]string{
		"addr": `(?:0x)?[0-9a-f]{8,16}`, // an address or a %p hash
		"num":  `-?[0-9]+`,
		"hex":  `(?:0x)?[0-9a-fA-F]+`,
		"word": `\S+`,
		"any":  `.*`,
	}
}

// PlaceholderNames lists the placeholders, sorted, for documentation.
func PlaceholderNames() []string { return []string{"addr", "any", "hex", "num", "word"} }

var placeholderRe = lazyre.New(`\{\{\s*([^{}]*?)\s*\}\}`)

// compile prepares the matcher's regular expression: for a text, its
// literal parts quoted and its placeholders expanded, anchored to the
// whole line.
func (m *Matcher) compile() error {
	if m.Re != "" {
		// The expression is parsed here, for its errors (regexp.Compile's
		// are syntax.Parse's) and its literals; compiled on first use, as
		// most expressions of a lesson are matched by their literals or
		// never run at all.
		re, err := syntax.Parse(m.Re, syntax.Perl)
		if err != nil {
			return fmt.Errorf("re: %s", reError(err))
		}
		m.re = lazyre.New(m.Re)
		m.anyOf = literalsOf(re)
		return nil
	}
	expr, err := textPattern(m.Text)
	if err != nil {
		return err
	}
	m.re = lazyre.New("^" + expr + "$")
	m.lit, m.litWhole = m.Text, true
	if !strings.Contains(m.Text, "{{") {
		return nil // no placeholder (placeholderRe needs "{{")
	}
	if loc := placeholderRe.FindStringIndex(m.Text); loc != nil {
		m.lit, m.litWhole = m.Text[:loc[0]], false
	}
	return nil
}

// textPattern turns a text with {{placeholders}} into a regexp (unanchored).
func textPattern(text string) (string, error) {
	if !strings.Contains(text, "{{") {
		// No placeholder: placeholderRe is not compiled for nothing.
		return regexp.QuoteMeta(text), nil
	}
	var b strings.Builder
	last := 0
	for _, loc := range placeholderRe.FindAllStringSubmatchIndex(text, -1) {
		name := text[loc[2]:loc[3]]
		p, ok := placeholders.Get()[name]
		if !ok {
			return "", fmt.Errorf("unknown placeholder {{%s}}: want one of {{%s}}", name, strings.Join(PlaceholderNames(), "}}, {{"))
		}
		b.WriteString(regexp.QuoteMeta(text[last:loc[0]]))
		b.WriteString(p)
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(text[last:]))
	return b.String(), nil
}

// literals returns the literals of a regular expression that is one
// literal or a choice of literals, matched case-sensitively; nil for any
// other expression.
func literals(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	return literalsOf(re)
}

// literalsOf is literals of a parsed expression.
func literalsOf(re *syntax.Regexp) []string {
	lit := func(r *syntax.Regexp) (string, bool) {
		return string(r.Rune), r.Op == syntax.OpLiteral && r.Flags&syntax.FoldCase == 0 && len(r.Rune) > 0
	}
	if s, ok := lit(re); ok {
		return []string{s}
	}
	if re.Op != syntax.OpAlternate {
		return nil
	}
	var out []string
	for _, sub := range re.Sub {
		s, ok := lit(sub)
		if !ok {
			return nil
		}
		out = append(out, s)
	}
	return out
}

// reError shortens a regexp error: "error parsing regexp: missing closing ): `(a`".
func reError(err error) string {
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}

// Match reports whether line matches: the whole line for a text, anywhere
// in it for a regular expression.
func (m *Matcher) Match(line string) bool {
	if m.re == nil && m.compile() != nil {
		return false
	}
	if m.anyOf != nil {
		for _, s := range m.anyOf {
			if strings.Contains(line, s) {
				return true
			}
		}
		return false
	}
	if m.Re == "" {
		if m.litWhole {
			return line == m.lit
		}
		if !strings.HasPrefix(line, m.lit) {
			return false
		}
	}
	return m.re.MatchString(line)
}

// Contains reports whether s contains what the matcher describes (a text
// anywhere, placeholders allowed), as insmod: expectations match messages.
func (m *Matcher) Contains(s string) bool {
	if m.Re != "" {
		return m.Match(s)
	}
	expr, err := textPattern(m.Text)
	if err != nil {
		return false
	}
	return regexp.MustCompile(expr).MatchString(s)
}

// IsOK reports whether the matcher is the word "ok" (insmod: ok).
func (m *Matcher) IsOK() bool { return m.Re == "" && m.Text == "ok" }

// String shows the matcher as the lesson wrote it.
func (m Matcher) String() string {
	if m.Re != "" {
		return "{re: " + m.Re + "}"
	}
	return m.Text
}

// TitleMatch reports whether a report title matches the bug's title regexp
// (always true when the bug names none).
func (b *BugExpect) TitleMatch(title string) bool {
	if b.Title == "" {
		return true
	}
	if b.title == nil {
		re, err := regexp.Compile(b.Title)
		if err != nil {
			return false
		}
		b.title = re
	}
	return b.title.MatchString(title)
}

// GFPMask returns the flags a calls: expectation requires (0 for any).
func (c *CallExpect) GFPMask() uint32 { return c.gfp }

// Bounds returns the minimum and maximum number of matching calls; max is
// -1 when unbounded.
func (c *CallExpect) Bounds() (lo, hi int) {
	lo, hi = 1, -1
	if c.Count != nil {
		return *c.Count, *c.Count
	}
	if c.Min != nil {
		lo = *c.Min
	}
	if c.Max != nil {
		hi = *c.Max
		if c.Min == nil {
			lo = 0
		}
	}
	return lo, hi
}

// String shows a step reference as written.
func (s StepRef) String() string {
	if s.Cmd != "" {
		return s.Cmd
	}
	return strconv.Itoa(s.N)
}

// Resolve returns the 1-based number of the step s names among steps, or
// 0 when there is none.
func (s StepRef) Resolve(steps []Step) int {
	if s.Cmd == "" {
		if s.N >= 1 && s.N <= len(steps) {
			return s.N
		}
		return 0
	}
	for i := range steps {
		if StepCommand(steps[i].Run) == s.Cmd {
			return i + 1
		}
	}
	return 0
}

// StepCommand is the command word of a step's text: its first word after
// a leading sudo ("sudo rmmod x" → "rmmod").
func StepCommand(run string) string {
	f := strings.Fields(run)
	if len(f) > 1 && f[0] == "sudo" {
		f = f[1:]
	}
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
