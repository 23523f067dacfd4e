package lesson

import (
	"fmt"
	"kscript.dev/kscript/runtime/lazy"
	"kscript.dev/kscript/runtime/lazyre"
	"regexp"
	"regexp/syntax"
	"slices"
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
		// Checked: the text matches their form, and then the value must
		// be one the run's record holds (Verifier).
		"pfn":  `([0-9]+)`,                // a frame of a page the module held
		"kptr": `((?:0x)?[0-9a-f]{8,16})`, // %p (hashed) or %px of an address the module got
	}
}

// PlaceholderNames lists the placeholders, sorted, for documentation.
func PlaceholderNames() []string {
	return []string{"addr", "any", "hex", "kptr", "num", "pfn", "word"}
}

// checkedPlaceholder reports whether a placeholder's value is checked
// against the run's record after the line matched its form.
func checkedPlaceholder(name string) bool { return name == "pfn" || name == "kptr" }

// Verifier checks the values that checked placeholders stand for against
// what the module did during the run (the scenario runner's machine).
type Verifier interface {
	// HeldPFN reports whether pfn (decimal, as {{pfn}} matched it) is the
	// frame of a page the module held: one of its page blocks, of its
	// vmalloc areas' pages, or the slab page of one of its objects.
	HeldPFN(pfn string) bool
	// HeldPointer reports whether p (hex, as {{kptr}} matched it) is
	// what printk's %p (hashed) or %px prints for an address the module
	// got from one of its allocations.
	HeldPointer(p string) bool
}

// Rejected is a value a checked placeholder matched that its check
// refused: the line had the form, not the value.
type Rejected struct {
	Placeholder string // "pfn", "kptr"
	Value       string
	Line        string
	// Repeated is set when the value was refused for standing in the line
	// for a second {{pfn}}: several {{pfn}} in one line are different
	// frames (lesson 12 prints page 0's and page 1's).
	Repeated bool
}

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
	expr, checks, err := textPattern(m.Text)
	if err != nil {
		return err
	}
	m.re = lazyre.New("^" + expr + "$")
	m.checks = checks
	m.lit, m.litWhole = m.Text, true
	if !strings.Contains(m.Text, "{{") {
		return nil // no placeholder (placeholderRe needs "{{")
	}
	if loc := placeholderRe.FindStringIndex(m.Text); loc != nil {
		m.lit, m.litWhole = m.Text[:loc[0]], false
	}
	return nil
}

// textPattern turns a text with {{placeholders}} into a regexp
// (unanchored) whose groups are the checked placeholders, named in checks
// in order.
func textPattern(text string) (expr string, checks []string, err error) {
	if !strings.Contains(text, "{{") {
		// No placeholder: placeholderRe is not compiled for nothing.
		return regexp.QuoteMeta(text), nil, nil
	}
	var b strings.Builder
	last := 0
	for _, loc := range placeholderRe.FindAllStringSubmatchIndex(text, -1) {
		name := text[loc[2]:loc[3]]
		p, ok := placeholders.Get()[name]
		if !ok {
			return "", nil, fmt.Errorf("unknown placeholder {{%s}}: want one of {{%s}}", name, strings.Join(PlaceholderNames(), "}}, {{"))
		}
		if checkedPlaceholder(name) {
			checks = append(checks, name)
		}
		b.WriteString(regexp.QuoteMeta(text[last:loc[0]]))
		b.WriteString(p)
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(text[last:]))
	return b.String(), checks, nil
}

// Checked reports whether the matcher has placeholders whose values are
// checked ({{pfn}}, {{kptr}}): only MatchVerified can pass them.
func (m *Matcher) Checked() bool {
	if m.re == nil && m.compile() != nil {
		return false
	}
	return len(m.checks) > 0
}

// MatchVerified is Match, and then, for a text with checked placeholders,
// the check of each value they matched by v (nil refuses them all): a
// line of the right form whose value v refuses does not match, and rej
// says which value that was.
func (m *Matcher) MatchVerified(line string, v Verifier) (ok bool, rej *Rejected) {
	if !m.Match(line) {
		return false, nil
	}
	if len(m.checks) == 0 {
		return true, nil
	}
	sub := m.re.FindStringSubmatch(line)
	var pfns []string
	for i, name := range m.checks {
		val := sub[i+1]
		if name == "pfn" {
			if slices.Contains(pfns, val) {
				return false, &Rejected{Placeholder: name, Value: val, Line: line, Repeated: true}
			}
			pfns = append(pfns, val)
		}
		switch {
		case v == nil:
		case name == "pfn" && v.HeldPFN(val), name == "kptr" && v.HeldPointer(val):
			continue
		}
		return false, &Rejected{Placeholder: name, Value: val, Line: line}
	}
	return true, nil
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
	expr, _, err := textPattern(m.Text)
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
