package grade

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "kmalloc: expected 1 call", "kmalloc: expected 1 call"},
		{"thai", "ต้องได้: เรียก kmalloc", "ต้องได้: เรียก kmalloc"},
		{"newline and tab stay", "a\n\tb", "a\n\tb"},
		{"NUL and ESC", "A\x00\x1b[31m", `A\x00\x1b[31m`},
		{"carriage return", "x\r\ny", `x\r` + "\ny"},
		{"DEL", "a\x7f", `a\x7f`},
		{"not UTF-8", "a\xffb", `a\xffb`},
		{"C1 CSI", "a\u009b2J", `a\u009b2J`},
		{"bidi override", "a\u202eb", `a\u202eb`},
		{"line separator", "a\u2028b", `a\u2028b`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cleanText(tc.in, MessageLimit, "en"); got != tc.want {
				t.Errorf("cleanText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCleanTextCut(t *testing.T) {
	for _, tc := range []struct {
		name, in, lang string
		limit          int
		want           string
	}{
		{"at the limit", "abcd", "en", 4, "abcd"},
		{"over", "abcdef", "en", 4, "abcd … [kscript: cut at 4 of 6 bytes]"},
		{"Thai note", "abcdef", "th", 4, "abcd … [kscript: ตัดไว้ที่ 4 จาก 6 ไบต์]"},
		{"not inside a rune", "กขค", "en", 4, "ก … [kscript: cut at 4 of 9 bytes]"},
		{"escapes count", "\x00\x00", "en", 6, `\x00\x … [kscript: cut at 6 of 8 bytes]`},
		{"far over", strings.Repeat("x", 100), "en", 3, "xxx … [kscript: cut at 3 of 100 bytes]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cleanText(tc.in, tc.limit, tc.lang); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestHostileSubmissions grades submissions that try to break or forge
// the results (control characters, a forged score line, a 10 MB message)
// and checks every format: valid JSON and XML, a valid KTAP document, no
// control character but newline anywhere, valid UTF-8, no line at column 0
// of the text format but kscript's own, and each message capped.
func TestHostileSubmissions(t *testing.T) {
	b := newGrader(t, realConfig(), "testdata/hello.yaml").Grade(Submissions([]string{"testdata/hostile"}))
	if len(b.Results) != 4 {
		t.Fatalf("%d results", len(b.Results))
	}
	for _, format := range Formats {
		for _, lang := range []string{"en", "th"} {
			out := render(t, b, format, lang)
			if err := sane(out); err != nil {
				t.Errorf("%s/%s: %v", format, lang, err)
			}
			if len(out) > 40*MessageLimit*len(b.Results) {
				t.Errorf("%s/%s: %d bytes: messages not capped", format, lang, len(out))
			}
			if !bytes.Contains(out, []byte("[kscript: ")) {
				t.Errorf("%s/%s: the 10 MB message does not say it was cut", format, lang)
			}
			var err error
			switch format {
			case "json":
				err = json.Unmarshal(out, new(any))
			case "gradescope":
				err = gradescopeOwnLinesOnly(out)
			case "junit":
				err = validXML(out)
			case "tap":
				err = checkKTAP(string(out))
			case "text":
				err = ownLinesOnly(string(out))
			}
			if err != nil {
				t.Errorf("%s/%s: %v\n%s", format, lang, err, out)
			}
		}
	}
}

// sane reports a byte that could break a terminal or a parser.
func sane(out []byte) error {
	if !utf8.Valid(out) {
		return fmt.Errorf("not UTF-8")
	}
	for i, r := range string(out) {
		if r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x202e {
			return fmt.Errorf("character %U at byte %d: %q", r, i, out[max(0, i-40):min(len(out), i+40)])
		}
	}
	return nil
}

func validXML(out []byte) error {
	d := xml.NewDecoder(bytes.NewReader(out))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// gradescopeOwnLinesOnly checks that in results.json's texts for
// students (the top-level output, each test's output) no line the
// submission wrote starts at column 0: its fail() text is indented, so a
// forged "x.star: score 10/10: PASS" cannot pass for kscript's own.
func gradescopeOwnLinesOnly(out []byte) error {
	var v struct {
		Submissions []struct {
			Results struct {
				Output string `json:"output"`
				Tests  []struct {
					Output string `json:"output"`
				} `json:"tests"`
			} `json:"results"`
		} `json:"submissions"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return err
	}
	for _, s := range v.Submissions {
		texts := []string{s.Results.Output}
		for _, t := range s.Results.Tests {
			texts = append(texts, t.Output)
		}
		for _, text := range texts {
			for _, l := range strings.Split(text, "\n") {
				if strings.Contains(l, "x.star") && !strings.HasPrefix(l, " ") {
					return fmt.Errorf("forged line at column 0: %q", l)
				}
			}
		}
	}
	return nil
}

// ownLines are the lines the text format starts at column 0: the batch's
// heading and totals, and each submission's score line.
var ownLines = regexp.MustCompile(`^(kscript grade: .*|testdata/hostile/(forge|forge_init|printk|huge)\.star: score \d+/10: [A-Z]+|\d+ passed, .*|คะแนน.*|)$`)

func ownLinesOnly(out string) error {
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, " ") && !ownLines.MatchString(l) && !strings.HasPrefix(l, "ผ่าน ") && !strings.Contains(l, ": คะแนน ") {
			return fmt.Errorf("a line at column 0 that is not kscript's: %q", l)
		}
		if strings.Contains(l, "x.star") && !strings.HasPrefix(l, " ") {
			return fmt.Errorf("forged line at column 0: %q", l)
		}
	}
	return nil
}

// TestHostileFileName: a submission's file name is the student's (the
// file they upload), so a name with newlines and escapes cannot forge a
// line either: it is shown on one line, escaped, in every format.
func TestHostileFileName(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/subs/good.star")
	if err != nil {
		t.Fatal(err)
	}
	name := "a\nb.star: score 10 of 10: PASS\n\x1b[2J\tc.star"
	if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
		t.Skipf("this file system refuses the name: %v", err)
	}
	b := newGrader(t, realConfig(), "testdata/hello.yaml").Grade(Submissions([]string{dir}))
	if len(b.Results) != 1 {
		t.Fatalf("%d results", len(b.Results))
	}
	for _, format := range Formats {
		out := render(t, b, format, "en")
		if err := sane(out); err != nil {
			t.Errorf("%s: %v", format, err)
		}
		text := string(out)
		if format == "json" || format == "gradescope" {
			var v any
			if err := json.Unmarshal(out, &v); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			text = fmt.Sprint(v) // the decoded strings, their newlines real
		}
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, "b.star") {
				t.Errorf("%s: the file name put a line of its own at column 0: %q", format, l)
			}
		}
		if !strings.Contains(text, `a\nb.star: score 10 of 10: PASS\n\x1b[2J\tc.star`) {
			t.Errorf("%s: the escaped name is not there:\n%s", format, out)
		}
	}
}

// TestCleanNameSameAsReplacer: cleanName escapes newlines and tabs as the
// strings.Replacer it replaced did, on names with and without them.
func TestCleanNameSameAsReplacer(t *testing.T) {
	old := strings.NewReplacer("\n", `\n`, "\t", `\t`)
	for _, s := range []string{"", "a.star", "a\nb.star: score 10 of 10: PASS\nc.star", "\t", "\n\n", "ก\tข\nค.star", "x\x00\ty\u2028\n", strings.Repeat("ab\n", 5000)} {
		if got, want := cleanName(s), old.Replace(cleanText(s, MessageLimit, "en")); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", s, got, want)
		}
	}
}
