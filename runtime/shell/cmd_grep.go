package shell

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// grepOptions are the GNU grep options kscript implements.
type grepOptions struct {
	syntax    byte // 'G' basic (default), 'E' extended, 'F' fixed strings
	icase     bool // -i
	invert    bool // -v
	count     bool // -c
	number    bool // -n
	quiet     bool // -q
	only      bool // -o
	word      bool // -w
	line      bool // -x
	noName    bool // -h
	withName  bool // -H
	noErrors  bool // -s
	patterns  []string
	files     []string
	havePattn bool
}

// cmdGrep mirrors GNU grep: exit 0 when a line was selected, 1 when none
// was, 2 on an error. -E uses Go's regexp syntax (RE2, a close cousin of
// POSIX ERE); basic regular expressions are translated to it (bre.go).
func cmdGrep(sh *Shell, inv *Invocation) int {
	o, status := parseGrep(inv)
	if status != 0 {
		return status
	}
	re, err := o.compile()
	if err != nil {
		fmt.Fprintf(inv.Stderr, "grep: %s\n", err)
		return 2
	}
	match := re.MatchString
	if lits, ok := o.literals(); ok {
		match = func(l string) bool {
			for _, lit := range lits {
				if strings.Contains(l, lit) {
					return true
				}
			}
			return false
		}
	}
	ins, ok := readInputs(sh, inv, o.files)
	showName := (len(o.files) > 1 || o.withName) && !o.noName
	selected := false
	for _, in := range ins {
		n := o.search(inv, re, match, in, showName)
		selected = selected || n > 0
		if o.quiet && selected {
			return 0
		}
	}
	switch {
	case !ok && !(o.quiet && selected):
		return 2
	case selected:
		return 0
	}
	return 1
}

// search prints the selected lines of one input (those match selects, or
// with -v does not) and returns their number.
func (o *grepOptions) search(inv *Invocation, re *regexp.Regexp, match func(string) bool, in input, showName bool) int {
	n := 0
	for i, l := range lines(in.data) {
		if match(l) == o.invert {
			continue
		}
		n++
		if o.quiet || o.count {
			continue
		}
		prefix := ""
		if showName {
			prefix = in.name + ":"
		}
		if o.number {
			prefix += fmt.Sprintf("%d:", i+1)
		}
		if o.only && !o.invert {
			for _, m := range re.FindAllString(l, -1) {
				fmt.Fprintln(inv.Stdout, prefix+m)
			}
			continue
		}
		fmt.Fprintln(inv.Stdout, prefix+l)
	}
	if o.count && !o.quiet {
		if showName {
			fmt.Fprintf(inv.Stdout, "%s:", in.name)
		}
		fmt.Fprintln(inv.Stdout, n)
	}
	return n
}

func parseGrep(inv *Invocation) (*grepOptions, int) {
	o := &grepOptions{syntax: 'G'}
	args := inv.Args
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			o.files = append(o.files, args[i+1:]...)
			i = len(args)
		case a == "-e" || a == "--regexp":
			if i+1 >= len(args) {
				return nil, grepUsage(inv, "option requires an argument -- 'e'")
			}
			i++
			o.patterns, o.havePattn = append(o.patterns, args[i]), true
		case strings.HasPrefix(a, "--"):
			if st := o.long(inv, a); st != 0 {
				return nil, st
			}
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				if a[j] == 'e' {
					pat := a[j+1:]
					if pat == "" && i+1 < len(args) {
						i++
						pat = args[i]
					}
					o.patterns, o.havePattn = append(o.patterns, pat), true
					break
				}
				if !o.short(a[j]) {
					return nil, grepUsage(inv, fmt.Sprintf("invalid option -- '%c'", a[j]))
				}
			}
		case !o.havePattn:
			o.patterns, o.havePattn = append(o.patterns, a), true
		default:
			o.files = append(o.files, a)
		}
	}
	if !o.havePattn {
		return nil, grepUsage(inv, "")
	}
	return o, 0
}

func (o *grepOptions) short(c byte) bool {
	flags := map[byte]*bool{'i': &o.icase, 'v': &o.invert, 'c': &o.count, 'n': &o.number,
		'q': &o.quiet, 'o': &o.only, 'w': &o.word, 'x': &o.line, 'h': &o.noName,
		'H': &o.withName, 's': &o.noErrors}
	switch c {
	case 'E', 'F', 'G':
		o.syntax = c
		return true
	}
	p, ok := flags[c]
	if ok {
		*p = true
	}
	return ok
}

func (o *grepOptions) long(inv *Invocation, a string) int {
	short := map[string]byte{"--extended-regexp": 'E', "--fixed-strings": 'F', "--basic-regexp": 'G',
		"--ignore-case": 'i', "--invert-match": 'v', "--count": 'c', "--line-number": 'n',
		"--quiet": 'q', "--silent": 'q', "--only-matching": 'o', "--word-regexp": 'w',
		"--line-regexp": 'x', "--no-filename": 'h', "--with-filename": 'H', "--no-messages": 's'}
	if strings.HasPrefix(a, "--color") || strings.HasPrefix(a, "--colour") {
		return 0 // no colour on a pipe, as --color=auto
	}
	c, ok := short[a]
	if !ok {
		return grepUsage(inv, fmt.Sprintf("unrecognized option '%s'", a))
	}
	o.short(c)
	return 0
}

func grepUsage(inv *Invocation, msg string) int {
	if msg != "" {
		fmt.Fprintf(inv.Stderr, "grep: %s\n", msg)
	}
	fmt.Fprintln(inv.Stderr, "Usage: grep [OPTION]... PATTERNS [FILE]...")
	fmt.Fprintln(inv.Stderr, "Try 'grep --help' for more information.")
	return 2
}

// compile turns the patterns into one Go regexp: alternatives, each
// translated from its syntax, with -i, -w and -x applied.
func (o *grepOptions) compile() (*regexp.Regexp, error) {
	var alts []string
	for _, p := range o.patterns {
		for _, one := range strings.Split(p, "\n") {
			switch o.syntax {
			case 'F':
				one = regexp.QuoteMeta(one)
			case 'G':
				one = breToGo(one)
			default:
				one = ereToGo(one)
			}
			alts = append(alts, "(?:"+one+")")
		}
	}
	expr := strings.Join(alts, "|")
	switch {
	case o.line:
		expr = "^(?:" + expr + ")$"
	case o.word:
		expr = `(?:^|\b)(?:` + expr + `)(?:\b|$)`
	}
	if o.icase {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, errors.New(grepError(err))
	}
	return re, nil
}

// literals returns the fixed strings the patterns amount to when each is
// plain text (with -E, plain texts joined by |) and no option but -v, -c,
// -n, -q, -h, -H or -s is given: a line is then selected exactly when it
// contains one of them, as the compiled expression would find, so search
// can look for them with strings.Contains instead of running the regular
// expression on every line (a lesson's `dmesg | grep -E "a|b|c"` ran the
// backtracker over each line). Text that is not valid UTF-8, or holds
// U+FFFD (which the expression would also find at an invalid byte), keeps
// the expression.
func (o *grepOptions) literals() ([]string, bool) {
	if o.icase || o.word || o.line || o.only {
		return nil, false
	}
	var lits []string
	for _, p := range o.patterns {
		for _, one := range strings.Split(p, "\n") {
			if !utf8.ValidString(one) || strings.ContainsRune(one, utf8.RuneError) {
				return nil, false
			}
			switch o.syntax {
			case 'F':
				lits = append(lits, one)
			case 'G':
				if strings.ContainsAny(one, `.[]*^$\`) {
					return nil, false
				}
				lits = append(lits, one)
			default:
				if strings.ContainsAny(one, `.[]()*+?{}^$\`) {
					return nil, false
				}
				lits = append(lits, strings.Split(one, "|")...)
			}
		}
	}
	return lits, true
}

// grepError words a regexp error as GNU grep words it (GNU's capitals).
func grepError(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		switch se.Code {
		case syntax.ErrMissingParen:
			return `Unmatched ( or \(`
		case syntax.ErrUnexpectedParen:
			return `Unmatched ) or \)`
		case syntax.ErrMissingBracket:
			return "Unmatched [, [^, [:, [., or [="
		case syntax.ErrInvalidRepeatOp, syntax.ErrMissingRepeatArgument:
			return "Invalid preceding regular expression"
		case syntax.ErrInvalidEscape:
			return "Trailing backslash"
		}
	}
	return "Invalid regular expression"
}
