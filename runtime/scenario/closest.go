package scenario

import (
	"kscript.dev/kscript/runtime/lazyre"
	"sort"
	"strconv"
	"strings"

	"kscript.dev/kscript/runtime/i18n"
	"kscript.dev/kscript/runtime/lesson"
)

// Feedback for a line that is not there: the lines that come closest to
// it, so that a student sees a typo, a wrong number or a missing newline
// at once; when none comes close, the last lines there were.

const (
	maxClosest     = 2    // lines shown
	closestScan    = 5000 // the last lines compared
	closestLineMax = 200  // bytes of a line compared and shown
	minSimilarity  = 0.5  // Dice coefficient a line must reach to be shown as close
	closeMargin    = 0.15 // and how near the best line's it must be
)

// metaRe matches what a pattern has that a line would not: regexp
// syntax and {{placeholders}}.
var metaRe = lazyre.New(`\{\{[^{}]*\}\}|\\[dswbDSWB]|[\\^$.*+?()\[\]{}|]`)

// literalOf is the text a matcher's line would roughly read.
func literalOf(m *lesson.Matcher) string {
	if m.Re != "" {
		return metaRe.ReplaceAllString(m.Re, " ")
	}
	return metaRe.ReplaceAllString(m.Text, " ")
}

// closest describes the lines nearest to what m wants, for expected
// versus actual; empty names what lines is (the kernel log, the output).
func closest(m *lesson.Matcher, lines []string, empty string) i18n.Text {
	if len(lines) == 0 {
		return messages.T(empty)
	}
	want := bigrams(clip(literalOf(m)))
	type cand struct {
		i     int
		score float64
	}
	var cands []cand
	for i := max(0, len(lines)-closestScan); i < len(lines); i++ {
		if s := dice(want, bigrams(clip(lines[i]))); s >= minSimilarity {
			cands = append(cands, cand{i, s})
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].score > cands[b].score })
	var shown []string
	for k, c := range cands {
		if k == maxClosest || c.score < cands[0].score-closeMargin {
			break
		}
		shown = append(shown, strconv.Quote(clip(lines[c.i])))
	}
	if len(shown) > 0 {
		return messages.T("closest", strings.Join(shown, ", "))
	}
	for _, l := range lines[max(0, len(lines)-maxClosest):] {
		shown = append(shown, strconv.Quote(clip(l)))
	}
	return messages.T("last-lines", strings.Join(shown, ", "))
}

func clip(s string) string {
	if len(s) > closestLineMax {
		return s[:closestLineMax]
	}
	return s
}

// bigrams counts the pairs of adjacent bytes of s, lower-cased.
func bigrams(s string) map[[2]byte]int {
	s = strings.ToLower(s)
	m := make(map[[2]byte]int, len(s))
	for i := 0; i+1 < len(s); i++ {
		m[[2]byte{s[i], s[i+1]}]++
	}
	return m
}

// dice is the Sørensen–Dice coefficient of two bigram multisets: 1 for
// equal strings, 0 for strings with no pair in common.
func dice(a, b map[[2]byte]int) float64 {
	na, nb, common := 0, 0, 0
	for k, n := range a {
		na += n
		common += min(n, b[k])
	}
	for _, n := range b {
		nb += n
	}
	if na+nb == 0 {
		return 0
	}
	return 2 * float64(common) / float64(na+nb)
}
