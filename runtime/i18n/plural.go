package i18n

import "strings"

// Thai nouns do not change with number ("งานที่ส่ง 1 ชิ้น", "งานที่ส่ง 2
// ชิ้น"); English ones do. kscript's English formats are written in the
// plural ("%d submissions") and English fixes the count of one here, so
// that no caller has to pick between two formats.

// singularOf returns the singular of a noun kscript's English messages
// count, given its plural ("calls": "call"), and whether it is one. A
// switch, which the compiler makes a search over static data: the map
// these were held in was built the first time a run printed a count of
// one (TestSingularOfAsTables compares the two).
func singularOf(plural string) (string, bool) {
	switch plural {
	case "calls", "submissions", "problems", "files", "points", "errors",
		"timeouts", "checks", "lessons", "bytes", "pages", "objects", "reports",
		"leaks", "steps", "times", "warnings", "lines", "blocks", "modules",
		"programs", "seconds", "slabs", "frames", "runs", "levels", "values",
		"ones", "writes":
		return plural[:len(plural)-1], true // each is its singular and an s
	}
	return "", false
}

// isCountWord reports whether a word may stand between a count and its
// noun: "1 more times", "1 leak reports", "1 free blocks".
func isCountWord(w string) bool {
	switch w {
	case "more", "leak", "free", "new", "partial", "bad", "broken",
		"expected", "nested", "contiguous", "boot", "oldest", "visible", "open",
		"lesson", "page", "function", "top-order", "fault-injection", "KASAN",
		"Starlark", "CPU", "testdata":
		return true
	}
	return false
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
		if one, ok := singularOf(words[0]); ok {
			words[0] = one
		} else if len(words) == 2 && isCountWord(words[0]) {
			if one, ok := singularOf(words[1]); ok {
				words[1] = one
			}
		}
		return m[:i+2] + strings.Join(words, " ")
	})
}
