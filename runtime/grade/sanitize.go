package grade

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"kscript.dev/kscript/runtime/i18n"
)

// MessageLimit caps each text of a result (a reason, an expected or
// actual value, a report's title): a submission that fails with a 100 MB
// message must not make a 600 MB results file. A text cut there says so,
// and how long it was.
const MessageLimit = 8 << 10

// cleanResult makes every text of a result safe to write in any format:
// control characters escaped (cleanText) and each text capped at
// MessageLimit bytes. Much of a result comes from the submission (its
// fail() messages, its printk lines, its file name), so none of it may
// reach a terminal, an XML parser or an instructor's script unescaped.
func cleanResult(r *Result) {
	r.Submission = cleanName(r.Submission)
	r.Message = cleanI18n(r.Message)
	for i := range r.Notes {
		r.Notes[i] = cleanI18n(r.Notes[i])
	}
	for _, c := range r.Checks {
		c.Title, c.Reason, c.Hint = cleanI18n(c.Title), cleanI18n(c.Reason), cleanI18n(c.Hint)
		for i := range c.Failures {
			f := &c.Failures[i]
			f.Name = cleanText(f.Name, MessageLimit, "en")
			f.Want, f.Got = cleanI18n(f.Want), cleanI18n(f.Got)
		}
		if p := c.Report; p != nil {
			p.Title = cleanText(p.Title, MessageLimit, "en")
			p.Where = cleanText(p.Where, MessageLimit, "en")
			p.Explain = cleanI18n(p.Explain)
		}
	}
}

// cleanName is cleanText for a one-line text, a submission's file name:
// its newlines and tabs are escaped too (\n, \t), so a file named
// "a\nb.star: score 10 of 10: PASS\nc.star" cannot put a line of its own
// at column 0 of the text format or of Gradescope's output.
func cleanName(s string) string {
	s = cleanText(s, MessageLimit, "en")
	if !strings.ContainsAny(s, "\n\t") {
		return s // a name as names are: no copy, and no strings.Replacer (its byte table is 6 KiB) made for each result
	}
	var b strings.Builder
	for i := range len(s) {
		switch s[i] {
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// cleanI18n is cleanText for both languages of a text, each cut with a
// note in its own language.
func cleanI18n(t i18n.Text) i18n.Text {
	return i18n.Text{EN: cleanText(t.EN, MessageLimit, "en"), TH: cleanText(t.TH, MessageLimit, "th")}
}

// cleanText escapes what could forge or break output and cuts s at limit
// bytes. Newlines and tabs stay (formats indent or escape them); every
// other C0 control character, DEL and the C1 controls become \xNN or
// \uNNNN, as do the Unicode line and paragraph separators and the
// bidirectional overrides that could make text read other than it is;
// bytes that are not UTF-8 become \xNN. A text longer than limit bytes
// (after escaping) ends with a note in lang saying it was cut.
func cleanText(s string, limit int, lang string) string {
	whole := len(s)
	if whole > 4*limit {
		s = s[:4*limit] // escaping can only make it longer
	}
	if needsEscape(s) {
		s = escape(s)
	}
	if len(s) <= limit && whole <= 4*limit {
		return s
	}
	whole = max(whole, len(s)) // what it would have been, escaped
	cut := min(limit, len(s))
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + messages.T("cut", limit, whole).In(lang)
}

// needsEscape reports whether escape would change s.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= 0x80 {
			return !utf8.ValidString(s[i:]) || strings.IndexFunc(s[i:], escapeRune) >= 0
		}
		if b < 0x20 && b != '\n' && b != '\t' || b == 0x7f {
			return true
		}
	}
	return false
}

func escapeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f:
		return true
	case r >= 0x80 && r <= 0x9f: // C1 controls (CSI is 0x9b)
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi overrides and isolates
		return true
	}
	return r == utf8.RuneError
}

func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && escapeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case escapeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// indent prefixes every line of s with prefix: a text a submission made
// (a message, an actual value) cannot start a line of the text format at
// column 0, where kscript's own lines ("alice.star: score 10/10: PASS")
// are.
func indent(prefix, s string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
