package runtime

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestUserOutputCapped: user programs that print without end (printf,
// puts, print, write(1, ...)) keep the first maxUserOutput bytes of a
// run's output, then kscript's note of how much more each printed, in the
// machine's language; the programs themselves see every write succeed.
func TestUserOutputCapped(t *testing.T) {
	const src = `
def flood():
    for i in range(20000):
        printf("printf line %d padding padding\n", i)
    return 0

def more():
    buf = malloc(8)
    for i in range(1000):
        puts("puts line")
        print("print line")
        n = write(1, "write line\n", 11)
        if n != 11:
            return 1
    return 0

user_program("flood", flood)
user_program("more", more)
`
	notes := map[string]string{"en": "more bytes that are not shown", "th": "ไบต์ที่ไม่ได้แสดง"}
	for _, lang := range []string{"en", "th"} {
		m, err := NewMachine(Options{Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		if err := loadSource(t, m, "flood.star", src); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		for _, prog := range []string{"flood", "more"} {
			status, err := m.Exec(prog, nil, &out)
			if err != nil || status != 0 {
				t.Fatalf("%s: ./%s: status %d, %v", lang, prog, status, err)
			}
		}
		text := out.String()
		first := strings.Index(text, "\nkscript: ")
		if first != maxUserOutput {
			t.Errorf("%s: the note starts at byte %d, want %d", lang, first, maxUserOutput)
		}
		lines := strings.Split(strings.TrimSuffix(text[first+1:], "\n"), "\n")
		var want []string
		for _, p := range []string{"flood", "more"} {
			want = append(want, fmt.Sprintf("./%s", p))
		}
		if len(lines) != 3 || !strings.Contains(lines[0], want[0]) || !strings.Contains(lines[2], want[1]) {
			t.Fatalf("%s: after the cap, want one note per program, got %q", lang, lines)
		}
		for _, l := range []string{lines[0], lines[2]} {
			if !strings.Contains(l, notes[lang]) || !strings.Contains(l, "65536") {
				t.Errorf("%s: note %q", lang, l)
			}
		}
		// flood printed 20000 lines of 31-35 bytes; more 1000 × 32 bytes.
		if !strings.Contains(lines[2], " 32000 ") && !strings.Contains(lines[2], "อีก 32000 ") {
			t.Errorf("%s: ./more's note should count its 32000 bytes: %q", lang, lines[2])
		}
	}
}
