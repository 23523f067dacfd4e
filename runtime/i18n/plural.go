package i18n

import (
	"strings"

	"kscript.dev/kscript/runtime/lazy"
	"kscript.dev/kscript/runtime/lazyre"
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

// oneRe matches a count of exactly one and the two words after it: "1
// calls", "1 more times", but not "11 calls", "0.1 calls" or "-1 calls".
var oneRe = lazyre.New(`(^|[^0-9.,\-])1 ([A-Za-z-]+)( [a-z]+\b)?`)

// Singular fixes the English plural after a count of one: "at least 1
// calls" reads "at least 1 call", "1 leak reports" "1 leak report".
func Singular(s string) string {
	if !strings.Contains(s, "1 ") {
		return s
	}
	return oneRe.ReplaceAllStringFunc(s, func(m string) string {
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
