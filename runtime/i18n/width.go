package i18n

import (
	"strings"
	"unicode"
)

// Width is the number of terminal columns s takes: combining marks (Thai
// vowels and tone marks above and below a consonant, such as the ่ and ั
// of "ไม่ผ่าน") and format characters take none, East Asian wide
// characters two, every other character one. fmt's %-7s counts runes, and
// so pads Thai words short.
func Width(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case wide(r):
			w += 2
		default:
			w++
		}
	}
	return w
}

// wide reports whether r is an East Asian wide or fullwidth character.
func wide(r rune) bool {
	return r >= 0x1100 && r <= 0x115F || r >= 0x2E80 && r <= 0xA4CF ||
		r >= 0xAC00 && r <= 0xD7A3 || r >= 0xF900 && r <= 0xFAFF ||
		r >= 0xFE30 && r <= 0xFE4F || r >= 0xFF00 && r <= 0xFF60 ||
		r >= 0xFFE0 && r <= 0xFFE6 || r >= 0x1F300 && r <= 0x1F64F ||
		r >= 0x20000 && r <= 0x3FFFD
}

// PadRight pads s with spaces to n columns, as %-Ns does for ASCII.
func PadRight(s string, n int) string {
	if w := Width(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}
