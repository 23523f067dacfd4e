package i18n

import "testing"

func TestWidth(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"FAIL", 4},
		{"ผ่าน", 3},    // ผ ่ า น: the tone mark takes no column
		{"ไม่ผ่าน", 5}, // two tone marks
		{"ข้าม", 3},
		{"หมดเวลา", 7},
		{"ข้อผิดพลาด", 8}, // ้ and ิ
		{"漢字", 4},
		{"", 0},
	} {
		if got := Width(tc.s); got != tc.want {
			t.Errorf("Width(%q) = %d, want %d", tc.s, got, tc.want)
		}
		if got := Width(PadRight(tc.s, 9)); got != max(9, tc.want) {
			t.Errorf("Width(PadRight(%q, 9)) = %d", tc.s, got)
		}
	}
}
