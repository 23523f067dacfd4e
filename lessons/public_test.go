package lessons

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kscript.dev/kscript/runtime/lesson"
)

// shippedHeader heads every generated public/NN.yaml.
const shippedHeader = "# Generated from ../%s by KSCRIPT_UPDATE=1 go test ./lessons: do not edit.\n" +
	"# ไฟล์นี้สร้างอัตโนมัติจาก ../%s ห้ามแก้ไขเอง\n"

// shippedForm is what public/NAME must hold: the header and the shipped
// form of the lesson file NAME of this folder.
func shippedForm(t *testing.T, name string) []byte {
	t.Helper()
	l, err := lesson.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	text, err := l.ShippedForm()
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(strings.ReplaceAll(shippedHeader, "%s", name)), text...)
}

// TestShippedForms: public/NN.yaml, which the binary carries in place of
// NN.yaml, is exactly the shipped form of NN.yaml, and there is one for
// every lesson and no other. KSCRIPT_UPDATE=1 rewrites them.
func TestShippedForms(t *testing.T) {
	names, _ := filepath.Glob("*.yaml")
	if len(names) == 0 {
		t.Fatal("no lesson files")
	}
	update := os.Getenv("KSCRIPT_UPDATE") != ""
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
		text := shippedForm(t, n)
		p := filepath.Join("public", n)
		got, err := os.ReadFile(p)
		if bytes.Equal(got, text) {
			continue
		}
		if update {
			if err := os.WriteFile(p, text, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s is not the shipped form of %s (%v): KSCRIPT_UPDATE=1 go test ./lessons rewrites it", p, n, err)
	}
	extra, _ := filepath.Glob(filepath.Join("public", "*"))
	for _, p := range extra {
		if !want[filepath.Base(p)] {
			if update {
				os.Remove(p)
				continue
			}
			t.Errorf("%s is no lesson's shipped form: remove it (KSCRIPT_UPDATE=1 go test ./lessons does)", p)
		}
	}
}

// TestNoHiddenCheckEmbedded: nothing the binary carries holds a hidden
// check's id, title or hint, a reference solution's name or its text, or
// a full lesson file.
func TestNoHiddenCheckEmbedded(t *testing.T) {
	var blob bytes.Buffer
	fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(p, ".solution.star") {
			t.Errorf("%s is embedded", p)
		}
		b, _ := fs.ReadFile(files, p)
		blob.WriteString(p + "\n")
		blob.Write(b)
		return nil
	})
	all := blob.String()
	names, _ := filepath.Glob("*.yaml")
	hidden := 0
	for _, n := range names {
		l, err := lesson.Load(n)
		if err != nil {
			t.Fatal(err)
		}
		if l.Exercise == nil {
			continue
		}
		if s := l.Exercise.Solution; s != "" {
			// (README.md's example of a lesson file names one.)
			if strings.Contains(strings.ReplaceAll(all, string(mustRead(t, files, "README.md")), ""), filepath.Base(s)) {
				t.Errorf("%s: the embedded files name the solution %s", n, s)
			}
			src, err := os.ReadFile(l.Rel(s))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(all, string(src)) {
				t.Errorf("%s: the solution's text is embedded", n)
			}
		}
		for _, c := range l.Exercise.Checks {
			if c.VisibilityOf() == "visible" {
				continue
			}
			hidden++
			// An id may be another lesson's visible check's: it is
			// looked for in the lesson's own file only.
			if strings.Contains(string(mustRead(t, files, "public/"+n)), "id: "+c.ID+"\n") {
				t.Errorf("%s: hidden check %s is embedded", n, c.ID)
			}
			for _, s := range []string{c.Title.In("en"), c.Title.In("th"), c.Hint.In("en"), c.Hint.In("th")} {
				if s != "" && strings.Contains(all, s) {
					t.Errorf("%s: hidden check %s: %q is embedded", n, c.ID, s)
				}
			}
		}
	}
	if hidden == 0 {
		t.Fatal("no lesson has a hidden check to look for")
	}
	for _, n := range names {
		if _, err := fs.Stat(files, n); err == nil {
			t.Errorf("the full lesson file %s is embedded", n)
		}
		l, err := lesson.Decode(n, mustRead(t, FS(), n))
		if err != nil || !l.Public || l.Expect == nil {
			t.Errorf("%s as FS serves it: public %v, expect %v, %v", n, l != nil && l.Public, l != nil && l.Expect != nil, err)
		}
	}
}

func mustRead(t *testing.T, fsys fs.FS, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
