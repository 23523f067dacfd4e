package lesson

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLintBroken lints every lesson file of testdata/lint: each decodes, and
// Lint reports exactly the problem its first line names ("# want:
// file:line:col: message"), at that position.
func TestLintBroken(t *testing.T) {
	files, _ := filepath.Glob("testdata/lint/*.yaml")
	if len(files) < 8 {
		t.Fatalf("%d lint test files, want at least 8", len(files))
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			want := wantLine(t, f)
			l, err := Load(f)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			var got []string
			for _, e := range l.Lint() {
				got = append(got, e.Header())
			}
			if len(got) != 1 || got[0] != want {
				t.Errorf("Lint()\n got %s\nwant %s", strings.Join(got, "\n     "), want)
			}
		})
	}
}

// wantLine reads the "# want:" comment on a file's first line; a position
// without a folder is in testdata/lint.
func wantLine(t *testing.T, file string) string {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Scan()
	want, ok := strings.CutPrefix(s.Text(), "# want: ")
	if !ok {
		t.Fatalf("%s: first line is not a # want: comment", file)
	}
	if !strings.HasPrefix(want, "testdata/") {
		want = "testdata/lint/" + want
	}
	return want
}
