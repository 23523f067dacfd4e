package shell

import "strings"

// breToGo translates a POSIX basic regular expression (grep's default
// syntax, with GNU's extensions) to Go's syntax: in a BRE, ( ) { } | + ?
// are literal and their backslashed forms are the operators; '*' at the
// start of an expression is literal; \< and \> are word boundaries.
// Unlike GNU grep, back-references (\1) are not supported: RE2 has none.
func breToGo(bre string) string {
	var b strings.Builder
	atStart := true // where a '*' is literal
	for i := 0; i < len(bre); i++ {
		c := bre[i]
		switch {
		case c == '[':
			j := bracketEnd(bre, i)
			b.WriteString(bracketToGo(bre[i:j]))
			i = j - 1
			atStart = false
			continue
		case c == '\\' && i+1 < len(bre):
			i++
			d := bre[i]
			switch d {
			case '(', ')', '{', '}', '|', '+', '?':
				b.WriteByte(d)
				atStart = d == '(' || d == '|'
				continue
			case '<', '>':
				b.WriteString(`\b`)
			default:
				b.WriteByte('\\')
				b.WriteByte(d)
			}
		case c == '*' && atStart:
			b.WriteString(`\*`)
		case strings.IndexByte("(){}|+?", c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
		atStart = c == '^' && i == 0
	}
	return b.String()
}

// ereToGo translates the GNU extensions of an extended regular expression
// that Go spells differently: \< and \> word boundaries.
func ereToGo(ere string) string {
	var b strings.Builder
	for i := 0; i < len(ere); i++ {
		c := ere[i]
		switch {
		case c == '[':
			j := bracketEnd(ere, i)
			b.WriteString(bracketToGo(ere[i:j]))
			i = j - 1
		case c == '\\' && i+1 < len(ere) && (ere[i+1] == '<' || ere[i+1] == '>'):
			b.WriteString(`\b`)
			i++
		case c == '\\' && i+1 < len(ere):
			b.WriteString(ere[i : i+2])
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// bracketEnd returns the index after the bracket expression starting at
// s[i] == '[': a ']' right after '[' or '[^' is literal, and [:class:]
// names are skipped whole. An unterminated expression runs to the end (the
// regexp compiler then reports it).
func bracketEnd(s string, i int) int {
	j := i + 1
	if j < len(s) && s[j] == '^' {
		j++
	}
	if j < len(s) && s[j] == ']' {
		j++
	}
	for j < len(s) {
		switch {
		case s[j] == '[' && j+1 < len(s) && (s[j+1] == ':' || s[j+1] == '.' || s[j+1] == '='):
			end := strings.Index(s[j+2:], string(s[j+1])+"]")
			if end < 0 {
				return len(s)
			}
			j += 2 + end + 2
		case s[j] == ']':
			return j + 1
		default:
			j++
		}
	}
	return len(s)
}

// bracketToGo escapes the backslashes of a POSIX bracket expression, where
// a backslash is an ordinary character, for Go, where it escapes.
func bracketToGo(br string) string { return strings.ReplaceAll(br, `\`, `\\`) }
