//go:build !js

package shell

import "testing"

// TestColumns: completions are listed as bash lists them, in columns two
// spaces wider than the widest name, filled top to bottom, Thai names
// measured in screen columns.
func TestColumns(t *testing.T) {
	for _, tc := range []struct {
		names []string
		width int
		want  string
	}{
		{[]string{"slabinfo", "softirqs", "stat"}, 80, "slabinfo  softirqs  stat\r\n"},
		{[]string{"a", "bb", "ccc", "dddd", "e"}, 12, "a     dddd\r\nbb    e\r\nccc\r\n"},
		{[]string{"ทดสอบ.star", "x.star"}, 80, "ทดสอบ.star  x.star\r\n"},
		{[]string{"much_too_long_for_the_screen", "b"}, 10, "much_too_long_for_the_screen\r\nb\r\n"},
	} {
		if got := columns(tc.names, tc.width); got != tc.want {
			t.Errorf("columns(%q, %d) = %q, want %q", tc.names, tc.width, got, tc.want)
		}
	}
}

func TestCommonPrefix(t *testing.T) {
	for _, tc := range []struct {
		cands []string
		want  string
	}{
		{nil, ""},
		{[]string{"lsmod "}, "lsmod "},
		{[]string{"ls ", "lsmod "}, "ls"},
		{[]string{"/proc/vmallocinfo ", "/proc/version "}, "/proc/v"},
		{[]string{"กข.star ", "กค.star "}, "ก"},
	} {
		if got := commonPrefix(tc.cands); got != tc.want {
			t.Errorf("commonPrefix(%q) = %q, want %q", tc.cands, got, tc.want)
		}
	}
}
