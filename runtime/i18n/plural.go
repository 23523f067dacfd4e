package i18n

import (
	"strings"

	"kscript.dev/kscript/runtime/lazy"
)

// Thai nouns do not change with number ("งานที่ส่ง 1 ชิ้น", "งานที่ส่ง 2
// ชิ้น"); English ones do. kscript's English formats are written in the
// plural ("%d submissions") and English fixes the count of one here, so
// that no caller has to pick between two formats.

// pluralNouns are the nouns kscript's English messages count, plural to
// singular.
var pluralNouns = lazy.NewMap(pluralNounsTable)

func pluralNounsTable() map[string]string {
	return map[string]string{
		"calls": "call", "submissions": "submission", "problems": "problem",
		"files": "file", "points": "point", "errors": "error", "timeouts": "timeout",
		"checks": "check", "lessons": "lesson", "bytes": "byte", "pages": "page",
		"objects": "object", "reports": "report", "leaks": "leak", "steps": "step",
		"times": "time", "warnings": "warning", "lines": "line", "blocks": "block", "modules": "module",
		"programs": "program", "seconds": "second", "slabs": "slab", "frames": "frame",
		"runs": "run", "levels": "level", "values": "value", "ones": "one", "writes": "write",
	}
}

// countWords are the words that may stand between a count and its noun:
// "1 more times", "1 leak reports", "1 free blocks".
var countWords = lazy.NewMap(countWordsTable)

func countWordsTable() map[string]bool {
	return map[string]bool{
		"more": true, "leak": true, "free": true, "new": true, "partial": true, "bad": true,
		"broken": true, "expected": true, "nested": true, "contiguous": true, "boot": true,
		"oldest": true, "visible": true, "open": true, "lesson": true, "page": true,
		"function": true, "top-order": true, "fault-injection": true, "KASAN": true,
		"Starlark": true, "CPU": true, "testdata": true,
	}
}

// replaceOnes returns s with each count of exactly one and the one or two
// words after it replaced by what f makes of them, as the regular
// expression `(^|[^0-9.,\-])1 ([A-Za-z-]+)( [a-z]+\b)?` replaced them
// (ReplaceAllStringFunc): "1 calls", "1 more times", not "11 calls",
// "0.1 calls" or "-1 calls". It is written out because compiling the
// expression cost every run that printed a count of one some 50,000
// instructions and its memory. Matches are found left to right and do
// not overlap, so a "1 " right after a match is not a count (the
// character before it belonged to that match), as with the expression; f
// is given the match from its "1" on (the character before it, which the
// expression matched too, is copied as it is: f kept it as it was).
// TestReplaceOnesAsRegexp compares the two.
func replaceOnes(s string, f func(string) string) string {
	var b strings.Builder
	last := 0 // the end of the last match: s[:last] is written
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '1' || s[i+1] != ' ' {
			continue
		}
		if i > 0 && (i == last || isCountByte(s[i-1])) {
			continue
		}
		j := i + 2 // [A-Za-z-]+
		for j < len(s) && (isLetter(s[j]) || s[j] == '-') {
			j++
		}
		if j == i+2 {
			continue
		}
		if j < len(s) && s[j] == ' ' { // ( [a-z]+\b)?
			k := j + 1
			for k < len(s) && 'a' <= s[k] && s[k] <= 'z' {
				k++
			}
			if k > j+1 && (k == len(s) || !isWordByte(s[k])) {
				j = k
			}
		}
		b.WriteString(s[last:i])
		b.WriteString(f(s[i:j]))
		last, i = j, j-1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// isCountByte reports whether c may not stand before a count of one: a
// digit, a point, a comma or a minus (part of another number).
func isCountByte(c byte) bool {
	return '0' <= c && c <= '9' || c == '.' || c == ',' || c == '-'
}

// isLetter reports whether c is an ASCII letter.
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isWordByte reports whether c is an ASCII word character (\w).
func isWordByte(c byte) bool { return isLetter(c) || '0' <= c && c <= '9' || c == '_' }

// Singular fixes the English plural after a count of one: "at least 1
// calls" reads "at least 1 call", "1 leak reports" "1 leak report".
func Singular(s string) string {
	if !strings.Contains(s, "1 ") {
		return s
	}
	return replaceOnes(s, func(m string) string {
		i := strings.Index(m, "1 ")
		words := strings.SplitN(m[i+2:], " ", 2)
		if one, ok := pluralNouns.Get()[words[0]]; ok {
			words[0] = one
		} else if len(words) == 2 && countWords.Get()[words[0]] {
			if one, ok := pluralNouns.Get()[words[1]]; ok {
				words[1] = one
			}
		}
		return m[:i+2] + strings.Join(words, " ")
	})
}
