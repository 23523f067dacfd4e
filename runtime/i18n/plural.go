package i18n

import (
	"regexp"
	"strings"
)

// Thai nouns do not change with number ("งานที่ส่ง 1 ชิ้น", "งานที่ส่ง 2
// ชิ้น"); English ones do. kscript's English formats are written in the
// plural ("%d submissions") and English fixes the count of one here, so
// that no caller has to pick between two formats.

// pluralNouns are the nouns kscript's English messages count, plural to
// singular.
var pluralNouns = map[string]string{
	"calls": "call", "submissions": "submission", "problems": "problem",
	"files": "file", "points": "point", "errors": "error", "timeouts": "timeout",
	"checks": "check", "lessons": "lesson", "bytes": "byte", "pages": "page",
	"objects": "object", "reports": "report", "leaks": "leak", "steps": "step",
	"times": "time", "warnings": "warning", "lines": "line", "blocks": "block", "modules": "module",
	"programs": "program", "seconds": "second", "more times": "more time",
}

// oneRe matches a count of exactly one followed by a counted noun: "1
// calls", "1 more times", but not "11 calls", "0.1 calls" or "-1 calls".
var oneRe = regexp.MustCompile(`(^|[^0-9.,\-])1 (more times|[a-z]+)\b`)

// Singular fixes the English plural after a count of one: "at least 1
// calls" reads "at least 1 call".
func Singular(s string) string {
	if !strings.Contains(s, "1 ") {
		return s
	}
	return oneRe.ReplaceAllStringFunc(s, func(m string) string {
		i := strings.Index(m, "1 ")
		if one, ok := pluralNouns[m[i+2:]]; ok {
			return m[:i+2] + one
		}
		return m
	})
}
