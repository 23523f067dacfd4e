package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"kscript.dev/kscript/lessons"
	"kscript.dev/kscript/runtime/lesson"
)

// TestPlayground runs lessons 01 and 08 as the page does and checks what the
// page shows: the transcript, the summary, a picture, a KASAN report.
func TestPlayground(t *testing.T) {
	var ls []LessonInfo
	if err := json.Unmarshal([]byte(toJSON(listLessons())), &ls); err != nil || len(ls) < 10 {
		t.Fatalf("lessons: %d (%v), want at least 10", len(ls), err)
	}
	for _, tc := range []struct{ id, kind, text string }{
		{"01_kmalloc", "slab", "Allocated buffer contains: Hello from the kernel!"},
		{"08_copy_from_user", "kasan", "BUG: KASAN: global-out-of-bounds"},
	} {
		l, err := getLesson(tc.id)
		if err != nil {
			t.Fatal(err)
		}
		var r RunResult
		if err := json.Unmarshal([]byte(toJSON(runLesson(l.ID, l.Source, "th"))), &r); err != nil {
			t.Fatal(err)
		}
		if r.Error != "" || !strings.Contains(r.Transcript+strings.Join(logs(r), ""), tc.text) || !strings.Contains(r.Summary, "kscript") {
			t.Errorf("%s: error %q, transcript without %q or no summary", tc.id, r.Error, tc.text)
		}
		found := false
		for _, st := range r.Steps {
			for _, p := range st.Pictures {
				found = found || p.Kind == tc.kind && strings.HasPrefix(p.SVG, "<svg")
			}
		}
		if !found {
			t.Errorf("%s: no %s picture", tc.id, tc.kind)
		}
	}
}

func logs(r RunResult) []string {
	var out []string
	for _, st := range r.Steps {
		out = append(out, st.Log)
	}
	return out
}

// TestGrade grades exercises as the page's Grade button does: the starter
// fails with feedback, the reference solution (read from the repository:
// it never ships) passes every visible check.
func TestGrade(t *testing.T) {
	for _, tc := range []struct {
		id, who, lang string
		want          string // the submission's status
	}{
		{"01_kmalloc", "starter", "en", "FAIL"},
		{"01_kmalloc", "solution", "th", "PASS"},
		{"08_copy_from_user", "starter", "th", "FAIL"},
		{"08_copy_from_user", "solution", "en", "PASS"},
	} {
		x, err := exerciseInfo(lessonFS, tc.id)
		if err != nil || x == nil || len(x.Checks) == 0 {
			t.Fatalf("%s: exercise %v (%v)", tc.id, x, err)
		}
		src := x.Starter
		if tc.who == "solution" {
			b, err := os.ReadFile(filepath.Join("..", "..", "lessons", "exercises", tc.id+".solution.star"))
			if err != nil {
				t.Fatal(err)
			}
			src = string(b)
		}
		var r GradeResult
		if err := json.Unmarshal([]byte(toJSON(gradeExercise(lessonFS, tc.id, src, tc.lang))), &r); err != nil {
			t.Fatal(err)
		}
		if r.Error != "" || r.Status != tc.want || len(r.Checks) != len(x.Checks) || r.MaxScore != x.Points {
			t.Fatalf("%s %s: %+v, want %s with %d checks out of %d", tc.id, tc.who, r, tc.want, len(x.Checks), x.Points)
		}
		for _, c := range r.Checks {
			switch {
			case c.Status == "PASS" && (len(c.Feedback) > 0 || c.Points != c.MaxPoints):
				t.Errorf("%s %s %s: passed with feedback %q, %d/%d points", tc.id, tc.who, c.ID, c.Feedback, c.Points, c.MaxPoints)
			case c.Status != "PASS" && len(c.Feedback) == 0:
				t.Errorf("%s %s %s: %s without feedback", tc.id, tc.who, c.ID, c.Status)
			case c.StatusText == "" || c.Title == "":
				t.Errorf("%s %s %s: no status text or title", tc.id, tc.who, c.ID)
			}
		}
		if tc.lang == "th" && tc.want == "FAIL" && !strings.Contains(toJSON(r), "คำแนะนำ:") {
			t.Errorf("%s: Thai feedback without a Thai hint: %s", tc.id, toJSON(r))
		}
	}
}

// TestGradeHidesHiddenChecks: given a lesson's full form, the page still
// sees and is graded on the visible checks only, as the public form
// (kscript publish) has them.
func TestGradeHidesHiddenChecks(t *testing.T) {
	full, err := fs.ReadFile(os.DirFS("../../lessons"), "01_kmalloc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	starter, _ := fs.ReadFile(lessons.FS(), "exercises/01_kmalloc.star")
	// A hidden check appended to the exercise's checks.
	hidden := strings.Replace(string(full), "  checks:\n", `  checks:
    - id: secret-check
      points: 5
      hidden: true
      title: {en: "SECRET TITLE", th: "SECRET TITLE"}
      hint: {en: "SECRET HINT", th: "SECRET HINT"}
      expect:
        dmesg: ["SECRET LINE"]
`, 1)
	if hidden == string(full) {
		t.Fatal("01_kmalloc.yaml has no checks: line to add to")
	}
	fsys := fstest.MapFS{
		"01_kmalloc.yaml":           {Data: []byte(hidden)},
		"exercises/01_kmalloc.star": {Data: starter},
	}
	x, err := exerciseInfo(fsys, "01_kmalloc")
	if err != nil || x == nil {
		t.Fatalf("exercise: %v, %v", x, err)
	}
	r := gradeExercise(fsys, "01_kmalloc", string(starter), "en")
	for _, s := range []string{toJSON(x), toJSON(r)} {
		if strings.Contains(s, "SECRET") || strings.Contains(s, "secret-check") {
			t.Errorf("the page is shown a hidden check: %s", s)
		}
	}
	if r.Error != "" || len(r.Checks) != len(x.Checks) || len(r.Checks) == 0 {
		t.Errorf("graded %d checks (%s), want the %d visible ones", len(r.Checks), r.Error, len(x.Checks))
	}
}

// TestLessonTitles: the picker's titles, read from the title: block alone,
// are the titles the full decoding gives.
func TestLessonTitles(t *testing.T) {
	ls := listLessons()
	names, _ := fs.Glob(lessonFS, "*.yaml")
	if len(ls) != len(names) {
		t.Fatalf("%d lessons listed, %d lesson files", len(ls), len(names))
	}
	for _, info := range ls {
		l, err := loadLesson(info.ID)
		if err != nil {
			t.Fatal(err)
		}
		if info.ID != l.ID || info.Title["en"] != l.Title.In("en") || info.Title["th"] != l.Title.In("th") {
			t.Errorf("%s: listed as %s %q, decoded %s %q/%q", info.ID, info.ID, info.Title, l.ID, l.Title.In("en"), l.Title.In("th"))
		}
	}
	if _, ok := lessonTitle([]byte("id: x\nexplain: |\n  no title\n")); ok {
		t.Error("a lesson without a title: block has a title")
	}
}

// TestBundle: the bundle the page gets holds no hidden check (lesson 01 has
// one) and no solution, and keeps every lesson's expectations and files.
func TestBundle(t *testing.T) {
	files, err := Bundle(lessons.FS())
	if err != nil {
		t.Fatal(err)
	}
	// A lesson folder's full forms make a bundle as public.
	fromFull, err := Bundle(os.DirFS("../../lessons"))
	if err != nil {
		t.Fatal(err)
	}
	all := toJSON(files) + toJSON(fromFull)
	for _, needle := range hiddenTexts(t) {
		if strings.Contains(all, needle) {
			t.Errorf("the bundle holds hidden text %q", needle)
		}
	}
	if strings.Contains(all, ".solution.star") {
		t.Error("the bundle names a solution")
	}
	for _, want := range []string{"01_kmalloc.yaml", "01_kmalloc.star", "exercises/01_kmalloc.star", "exercises/08_copy_from_user.programs.star"} {
		if files[want] == "" {
			t.Errorf("the bundle has no %s", want)
		}
	}
	l, err := loadLesson("01_kmalloc")
	if err != nil || !l.Public || l.Expect == nil || len(l.Expect.Dmesg) == 0 {
		t.Errorf("01_kmalloc in the bundle: public %v, expectations %v (%v)", l != nil && l.Public, l != nil && l.Expect != nil, err)
	}
}

// hiddenTexts returns the titles and hints of every check that is not
// visible, from the full lessons (the repository's lesson folder: the
// embedded ones are public forms); the test fails if there is none to
// look for.
func hiddenTexts(t *testing.T) []string {
	full := os.DirFS("../../lessons")
	names, _ := fs.Glob(full, "*.yaml")
	var out []string
	for _, n := range names {
		src, _ := fs.ReadFile(full, n)
		l, err := lesson.Decode(n, src)
		if err != nil {
			t.Fatal(err)
		}
		if l.Exercise == nil {
			continue
		}
		for _, c := range l.Exercise.Checks {
			if c.VisibilityOf() != "visible" {
				out = append(out, c.Title.In("en"), c.Title.In("th"), c.Hint.In("en"), c.Hint.In("th"))
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no lesson has a hidden check to look for")
	}
	return out
}
