package lessons

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestEmbedList: embed.go's go:embed list is exactly the public files of
// this folder — every lesson, its starter and its programs, never a
// reference solution. KSCRIPT_UPDATE=1 rewrites the list.
func TestEmbedList(t *testing.T) {
	var want []string
	filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && Public(p) {
			want = append(want, filepath.ToSlash(p))
		}
		return nil
	})
	sort.Strings(want)
	var got []string
	fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			got = append(got, p)
		}
		return nil
	})
	if strings.Join(got, "\n") == strings.Join(want, "\n") {
		return
	}
	if os.Getenv("KSCRIPT_UPDATE") != "" {
		writeEmbedGo(t, want)
		return
	}
	t.Errorf("embed.go embeds\n  %s\nwant\n  %s\n(KSCRIPT_UPDATE=1 go test ./lessons rewrites the list)",
		strings.Join(got, "\n  "), strings.Join(want, "\n  "))
}

func writeEmbedGo(t *testing.T, names []string) {
	src, err := os.ReadFile("embed.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(src), "\n") {
		if !strings.HasPrefix(line, "//go:embed ") {
			out = append(out, line)
			continue
		}
	}
	for i, line := range out {
		if strings.HasPrefix(line, "var files embed.FS") {
			var embed []string
			for _, n := range names {
				embed = append(embed, "//go:embed "+n)
			}
			out = append(out[:i], append(embed, out[i:]...)...)
			break
		}
	}
	if err := os.WriteFile("embed.go", []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNoSolutionEmbedded guards the one rule that matters most: a student's
// binary carries no reference solution.
func TestNoSolutionEmbedded(t *testing.T) {
	fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if strings.HasSuffix(p, ".solution.star") {
			t.Errorf("%s is embedded", p)
		}
		return nil
	})
	if _, err := fs.Stat(FS(), "03_atomic.yaml"); err != nil {
		t.Errorf("03_atomic.yaml not embedded: %v", err)
	}
}
