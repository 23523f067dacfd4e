package lesson

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPublicFormRepoLessons: the public form of every lesson of the
// repository holds no hidden check (id, title, hint, expectations), no
// solution and no lesson expectations; it decodes, lints clean as a public
// form, and keeps every visible check and the lesson's text as written.
func TestPublicFormRepoLessons(t *testing.T) {
	files, _ := filepath.Glob("../../lessons/*.yaml")
	if len(files) < 10 {
		t.Fatalf("%d lessons", len(files))
	}
	for _, f := range files {
		full, err := Load(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(full.ID, func(t *testing.T) {
			src, names, err := full.PublicForm()
			if err != nil {
				t.Fatal(err)
			}
			text := string(src)
			x := full.Exercise
			for _, c := range x.Checks {
				if c.VisibilityOf() == "visible" {
					if !strings.Contains(text, "id: "+c.ID+"\n") {
						t.Errorf("visible check %s is missing", c.ID)
					}
					continue
				}
				for _, secret := range []string{"id: " + c.ID, c.Title.EN, c.Title.TH, c.Hint.EN, c.Hint.TH} {
					if secret != "" && strings.Contains(text, secret) {
						t.Errorf("hidden check %s leaks %q", c.ID, secret)
					}
				}
				if strings.Contains(text, "needs: ["+c.ID) || strings.Contains(text, ", "+c.ID+"]") {
					t.Errorf("hidden check %s named in a needs:", c.ID)
				}
			}
			if strings.Contains(text, "solution:") || strings.Contains(text, filepath.Base(x.Solution)) {
				t.Errorf("the public form names the solution")
			}
			for _, n := range names {
				if n == x.Solution || strings.Contains(n, "solution") {
					t.Errorf("the public form's files include the solution %s", n)
				}
			}
			if names[0] != x.Starter {
				t.Errorf("files %v, want the starter %s first", names, x.Starter)
			}
			pub, err := Decode(f, src)
			if err != nil {
				t.Fatalf("the public form does not decode: %v\n%s", err, text)
			}
			if !pub.Public || pub.Expect != nil || pub.Exercise.Solution != "" || pub.Exercise.Points != 0 {
				t.Errorf("public %v, expect %v, solution %q, points %d", pub.Public, pub.Expect, pub.Exercise.Solution, pub.Exercise.Points)
			}
			if pub.Explain.EN != full.Explain.EN || pub.Explain.TH != full.Explain.TH || pub.Title.TH != full.Title.TH || len(pub.Scenario) != len(full.Scenario) {
				t.Errorf("the lesson's text or scenario changed")
			}
			for _, e := range pub.Lint() {
				if !strings.Contains(e.Msg, "no such file") { // the public form is not in the lessons folder's shape
					t.Errorf("lint of the public form: %v", e)
				}
			}
		})
	}
}

// TestPublicFormRefuses: what a public form cannot be made of, and what a
// public form may not contain, are lint errors at their position.
func TestPublicFormRefuses(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"visible needs hidden", publicLesson(`
    - id: a
      points: 1
      hidden: true
      title: {en: A, th: A}
    - id: b
      points: 1
      needs: [a]
      title: {en: B, th: B}
`), "check b: needs a, which is hidden: the public form cannot show it"},
		{"hidden check in a public form", "public: true\n" + noSolution(publicLesson(`
    - id: a
      points: 1
      visibility: after_due_date
      title: {en: A, th: A}
`)), "check a: after_due_date in a public form"},
		{"solution in a public form", "public: true\n" + publicLesson(`
    - id: a
      points: 1
      title: {en: A, th: A}
`), "a public form has no solution"},
		{"flow-style check", publicLesson(`
    - {id: a, points: 1, hidden: true, title: {en: A, th: A}}
`), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{"p.star", "s.star"} {
				if err := os.WriteFile(filepath.Join(dir, f), []byte("\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			file := filepath.Join(dir, "p.yaml")
			if err := os.WriteFile(file, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			var msgs []string
			for _, e := range LintFile(file) {
				msgs = append(msgs, e.Error())
			}
			got := strings.Join(msgs, "\n")
			if tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("lint:\n%s\nwant %q", got, tc.want)
			}
			if tc.want == "" && got != "" {
				t.Errorf("lint:\n%s\nwant nothing", got)
			}
		})
	}
}

func publicLesson(checks string) string {
	return "id: p\ntitle: {en: P, th: P}\nexplain: {en: x, th: x}\nexercise:\n  starter: p.star\n  solution: s.star\n  checks:" + checks
}

func noSolution(src string) string { return strings.Replace(src, "  solution: s.star\n", "", 1) }

// TestPublicFormText: the rewrite keeps the author's lines byte for byte,
// drops full-line comments but not '#' lines of block text, and drops the
// hidden check with the lines that belong to it.
func TestPublicFormText(t *testing.T) {
	src := `id: t
# a comment about the hidden check "secret"
title: {en: T, th: T}
explain:
  en: |
    # not a comment: text
    more
  th: |
    ข้อความ
expect:
  dmesg: ["hello"]
exercise:
  starter: t.star
  solution: t.solution.star
  points: 3
  checks:
    - id: shown
      points: 1
      title: {en: Shown, th: Shown}
      expect:
        dmesg:
          - "hello"
    - id: secret
      points: 2
      hidden: true
      title: {en: Secret, th: Secret}
      hint: {en: "the secret hint", th: "คำใบ้ลับ"}
      expect:
        dmesg: ["secret"]
`
	l, err := Decode("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out, files, err := l.PublicForm()
	if err != nil {
		t.Fatal(err)
	}
	want := `# The public form of lesson t, written by kscript publish: no hidden
# checks, no solution. Grade with the full form on the grading host.
# รูปแบบสาธารณะของบทเรียน: ไม่มี check ที่ซ่อนไว้และไม่มีเฉลย
public: true
id: t
title: {en: T, th: T}
explain:
  en: |
    # not a comment: text
    more
  th: |
    ข้อความ
exercise:
  starter: t.star
  checks:
    - id: shown
      points: 1
      title: {en: Shown, th: Shown}
      expect:
        dmesg:
          - "hello"
`
	if string(out) != want {
		t.Errorf("public form:\n%s\nwant:\n%s", out, want)
	}
	if strings.Join(files, ",") != "t.star" {
		t.Errorf("files %v", files)
	}
	if _, _, err := mustDecode(t, out).PublicForm(); err == nil {
		t.Error("a public form made a public form again")
	}
}

func mustDecode(t *testing.T, src []byte) *Lesson {
	t.Helper()
	l, err := Decode("x.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
