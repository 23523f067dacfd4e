package runtime

import (
	"fmt"
	"sort"
	"strings"

	"kscript.dev/kscript/runtime/lazy"
)

// renamed maps kernel API names that older kernels (and older tutorials)
// use to their Linux 6.1 spelling.
var renamed = lazy.NewMap(renamedTable)

func renamedTable() map[string]string {
	return map[string]string{
		"kzfree":        "kfree_sensitive",
		"pr_warning":    "pr_warn",
		"GFP_TEMPORARY": "GFP_KERNEL",
		"GFP_THISNODE":  "__GFP_THISNODE",
		"strlcpy":       "strscpy",
	}
}

// suggest adds a spelling hint to the resolver's "undefined: NAME" error,
// from the predeclared names.
func (m *Machine) suggest(msg string) string {
	name, ok := strings.CutPrefix(msg, "undefined: ")
	if !ok || strings.ContainsAny(name, " (") {
		return msg
	}
	if to, ok := renamed.Get()[name]; ok {
		return fmt.Sprintf("%s (Linux 6.1 calls it %s)", msg, to)
	}
	if best := nearest(name, m.universe().Keys()); best != "" {
		return fmt.Sprintf("%s (did you mean %s?)", msg, best)
	}
	return msg
}

// nearest returns the candidate closest to x in edit distance, if close
// enough to be a likely typo; ties go to the first in sorted order.
func nearest(x string, candidates []string) string {
	sort.Strings(candidates)
	best, bestD := "", 1+len(x)/4
	for _, c := range candidates {
		if d := EditDistance(strings.ToLower(x), strings.ToLower(c)); d < bestD || d == 0 {
			best, bestD = c, d
		}
	}
	return best
}

// EditDistance is the Levenshtein distance between a and b, in bytes:
// the "did you mean" of undefined names and, in cmd/kscript, of unknown
// commands (cobra's ld, which gives the same distances).
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
