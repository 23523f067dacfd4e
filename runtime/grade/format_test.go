package grade

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"kscript.dev/kscript/runtime/i18n"
)

// gradeAll grades every test submission with jobs at a time.
func gradeAll(t testing.TB, cfg Config, jobs int) *Batch {
	t.Helper()
	cfg.Jobs = jobs
	return newGrader(t, cfg, "testdata/hello.yaml").Grade(Submissions([]string{"testdata/subs"}))
}

func render(t testing.TB, b *Batch, format, lang string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, b, WriteOptions{Format: format, Lang: lang}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDeterministic grades the same submissions twice, one at a time and
// three at a time: every format must come out byte for byte the same.
func TestDeterministic(t *testing.T) {
	first := gradeAll(t, realConfig(), 1)
	second := gradeAll(t, realConfig(), 3)
	for _, f := range Formats {
		for _, lang := range []string{"en", "th"} {
			a, b := render(t, first, f, lang), render(t, second, f, lang)
			if !bytes.Equal(a, b) {
				t.Errorf("%s/%s differs between two gradings:\n%s\n----\n%s", f, lang, a, b)
			}
		}
	}
	// Progress counts every submission, in order of completion.
	cfg := realConfig()
	var seen []int
	cfg.Progress = func(p Progress) {
		if len(seen) == 0 || seen[len(seen)-1] != p.Done*100+p.Total {
			seen = append(seen, p.Done*100+p.Total)
		}
	}
	gradeAll(t, cfg, 2)
	if fmt.Sprint(seen) != "[8 108 208 308 408 508 608 708 808]" {
		t.Errorf("progress calls: %v", seen)
	}
}

// The documented schema of Gradescope's results.json (autograder
// specifications, "Output format").
var (
	gsTopKeys  = set("score", "execution_time", "output", "output_format", "test_output_format", "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard")
	gsTestKeys = set("score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags", "visibility", "extra_data")
	gsVisible  = set("visible", "hidden", "after_due_date", "after_published")
	gsFormats  = set("text", "html", "simple_format", "md", "ansi")
	gsStatus   = set("passed", "failed")
)

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// validateGradescope checks a decoded results.json against the schema:
// known keys only, the right JSON types, enumerations, a score at the top
// or on every test, and a top score that adds up.
func validateGradescope(v map[string]any) error {
	for k := range v {
		if !gsTopKeys[k] {
			return fmt.Errorf("unknown top-level key %q", k)
		}
	}
	score, hasScore := v["score"].(float64)
	if err := checkEnums(v, map[string]map[string]bool{"visibility": gsVisible, "stdout_visibility": gsVisible,
		"output_format": gsFormats, "test_output_format": gsFormats, "test_name_format": gsFormats}); err != nil {
		return err
	}
	if o, ok := v["output"]; ok {
		if _, ok := o.(string); !ok {
			return fmt.Errorf("output: %T, want a string", o)
		}
	}
	tests, _ := v["tests"].([]any)
	if v["tests"] != nil && tests == nil {
		return fmt.Errorf("tests: %T, want an array", v["tests"])
	}
	sum := 0.0
	for i, x := range tests {
		tc, ok := x.(map[string]any)
		if !ok {
			return fmt.Errorf("tests[%d]: %T, want an object", i, x)
		}
		s, err := validateTest(tc, hasScore)
		if err != nil {
			return fmt.Errorf("tests[%d]: %v", i, err)
		}
		sum += s
	}
	if !hasScore && len(tests) == 0 {
		return fmt.Errorf("no score: need a top-level score or tests with scores")
	}
	if hasScore && len(tests) > 0 && score != sum {
		return fmt.Errorf("score %v, but the tests add up to %v", score, sum)
	}
	return nil
}

func validateTest(tc map[string]any, topScore bool) (float64, error) {
	for k := range tc {
		if !gsTestKeys[k] {
			return 0, fmt.Errorf("unknown key %q", k)
		}
	}
	score, ok := tc["score"].(float64)
	if !ok && !topScore {
		return 0, fmt.Errorf("score missing and no top-level score")
	}
	if m, ok := tc["max_score"]; ok {
		if ms, ok := m.(float64); !ok || score > ms {
			return 0, fmt.Errorf("max_score %v for score %v", m, score)
		}
	}
	for _, k := range []string{"name", "number", "output"} {
		if x, ok := tc[k]; ok {
			if _, ok := x.(string); !ok {
				return 0, fmt.Errorf("%s: %T, want a string", k, x)
			}
		}
	}
	if tags, ok := tc["tags"]; ok {
		list, ok := tags.([]any)
		for _, tag := range list {
			if _, isStr := tag.(string); !isStr {
				ok = false
			}
		}
		if !ok {
			return 0, fmt.Errorf("tags: want an array of strings")
		}
	}
	return score, checkEnums(tc, map[string]map[string]bool{"status": gsStatus, "visibility": gsVisible,
		"name_format": gsFormats, "output_format": gsFormats})
}

func checkEnums(v map[string]any, enums map[string]map[string]bool) error {
	for k, allowed := range enums {
		x, ok := v[k]
		if !ok {
			continue
		}
		if s, _ := x.(string); !allowed[s] {
			return fmt.Errorf("%s: %v is not one of the documented values", k, x)
		}
	}
	return nil
}

func TestGradescopeSchema(t *testing.T) {
	b := gradeAll(t, realConfig(), 2)
	for _, r := range b.Results {
		one := &Batch{Lesson: b.Lesson, Module: b.Module, Title: b.Title, MaxScore: b.MaxScore, Results: []*Result{r}}
		for _, lang := range []string{"en", "th"} {
			var v map[string]any
			if err := json.Unmarshal(render(t, one, "gradescope", lang), &v); err != nil {
				t.Fatalf("%s: %v", r.Submission, err)
			}
			if err := validateGradescope(v); err != nil {
				t.Errorf("%s (%s): %v", r.Submission, lang, err)
			}
			tests := v["tests"].([]any)
			if len(tests) != 5 || tests[3].(map[string]any)["visibility"] != "hidden" {
				t.Errorf("%s: tests %v", r.Submission, tests)
			}
		}
	}
	// Several submissions (one upload with two .star files): one valid
	// results.json Gradescope can read, score 0, saying why, with every
	// file's checks named after their file.
	for _, lang := range []string{"en", "th"} {
		var v map[string]any
		if err := json.Unmarshal(render(t, b, "gradescope", lang), &v); err != nil {
			t.Fatal(err)
		}
		if err := validateGradescope(v); err != nil {
			t.Fatalf("several (%s): %v", lang, err)
		}
		if v["score"] != 0.0 {
			t.Errorf("several (%s): score %v, want 0", lang, v["score"])
		}
		out := v["output"].(string)
		want := fmt.Sprintf("this upload holds %d .star files", len(b.Results))
		if lang == "th" {
			want = fmt.Sprintf("มีไฟล์ .star %d ไฟล์", len(b.Results))
		}
		if !strings.Contains(out, want) {
			t.Errorf("several (%s): output does not say why the score is 0:\n%s", lang, out)
		}
		tests := v["tests"].([]any)
		n := 0
		for i, r := range b.Results {
			if !strings.Contains(out, r.Submission+": ") {
				t.Errorf("several (%s): output does not name %s", lang, r.Submission)
			}
			for j, c := range r.Checks {
				tc := tests[n].(map[string]any)
				n++
				if name := tc["name"].(string); !strings.HasPrefix(name, r.Submission+": "+c.ID+": ") {
					t.Errorf("several (%s): test %d is %q", lang, n, name)
				}
				if num := tc["number"]; num != fmt.Sprintf("%d.%d", i+1, j+1) {
					t.Errorf("several (%s): test %d numbered %v", lang, n, num)
				}
				if tc["score"] != 0.0 || tc["max_score"] != float64(c.MaxPoints) {
					t.Errorf("several (%s): test %d scores %v/%v, want 0/%d", lang, n, tc["score"], tc["max_score"], c.MaxPoints)
				}
				would := fmt.Sprintf(" %d/%d ", c.Points, c.MaxPoints)
				if lang == "en" {
					would = fmt.Sprintf(" would earn %d/%d here", c.Points, c.MaxPoints)
				}
				if o := tc["output"].(string); !strings.Contains(strings.SplitN(o, "\n", 2)[0], would) {
					t.Errorf("several (%s): test %d does not say what it would earn (%q):\n%s", lang, n, would, o)
				}
			}
		}
		if n != len(tests) {
			t.Errorf("several (%s): %d tests for %d checks", lang, len(tests), n)
		}
	}
	// No submission at all: still a results.json.
	var none map[string]any
	if err := json.Unmarshal(render(t, &Batch{Lesson: b.Lesson, Module: b.Module, Title: b.Title, MaxScore: b.MaxScore}, "gradescope", "en"), &none); err != nil {
		t.Fatal(err)
	}
	if err := validateGradescope(none); err != nil || none["score"] != 0.0 {
		t.Errorf("no submission: %v, %v", err, none)
	}
	// A broken lesson still gives a valid results.json.
	var v map[string]any
	if err := json.Unmarshal(render(t, LessonError("x.yaml", fmt.Errorf("x.yaml:1:1: bad")), "gradescope", "en"), &v); err != nil {
		t.Fatal(err)
	}
	if err := validateGradescope(v); err != nil || v["score"] != 0.0 {
		t.Errorf("lesson error: %v, %v", err, v)
	}
}

// TestJUnit parses the XML back and checks its counts.
func TestJUnit(t *testing.T) {
	b := gradeAll(t, realConfig(), 2)
	out := render(t, b, "junit", "th")
	var doc struct {
		Tests  int `xml:"tests,attr"`
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Errors   int    `xml:"errors,attr"`
			Skipped  int    `xml:"skipped,attr"`
			Cases    []struct {
				Name    string    `xml:"name,attr"`
				Failure *string   `xml:"failure"`
				Error   *string   `xml:"error"`
				Skipped *xml.Name `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, out)
	}
	if len(doc.Suites) != len(b.Results) {
		t.Fatalf("%d testsuites for %d submissions", len(doc.Suites), len(b.Results))
	}
	total := 0
	for i, s := range doc.Suites {
		r := b.Results[i]
		var f, e, sk int
		for j, c := range s.Cases {
			switch r.Checks[j].Status {
			case Fail:
				f++
				if c.Failure == nil {
					t.Errorf("%s %s: no <failure>", s.Name, c.Name)
				}
			case Skip:
				sk++
			case Error, Timeout:
				e++
				if c.Error == nil {
					t.Errorf("%s %s: no <error>", s.Name, c.Name)
				}
			}
		}
		if s.Name != r.Submission || s.Tests != len(r.Checks) || s.Failures != f || s.Errors != e || s.Skipped != sk {
			t.Errorf("testsuite %+v", s)
		}
		total += s.Tests
	}
	if doc.Tests != total {
		t.Errorf("testsuites tests=%d, want %d", doc.Tests, total)
	}
}

// TestTAP checks the KTAP structure: version lines, plans that match the
// results at each level, four-space subtest indentation.
func TestTAP(t *testing.T) {
	b := gradeAll(t, realConfig(), 2)
	out := string(render(t, b, "tap", "en"))
	if err := checkKTAP(out); err != nil {
		t.Errorf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "    not ok 2 allocates\n") || !strings.Contains(out, "# SKIP skipped: needs loads") {
		t.Errorf("KTAP lacks the expected lines:\n%s", out)
	}
}

var ktapResult = regexp.MustCompile(`^(not )?ok (\d+) [^#]*( # .*)?$`)

// checkKTAP verifies that every level's results are numbered 1..N as its
// plan says.
func checkKTAP(doc string) error {
	type level struct{ plan, next int }
	var stack []level
	for i, line := range strings.Split(strings.TrimSuffix(doc, "\n"), "\n") {
		body := strings.TrimLeft(line, " ")
		depth := (len(line) - len(body)) / 4
		switch {
		case body == "KTAP version 1":
			if depth != len(stack) {
				return fmt.Errorf("line %d: version line at depth %d, want %d", i+1, depth, len(stack))
			}
			stack = append(stack, level{plan: -1, next: 1})
		case strings.HasPrefix(body, "1.."):
			n, err := strconv.Atoi(body[3:])
			if err != nil || depth != len(stack)-1 {
				return fmt.Errorf("line %d: bad plan %q", i+1, line)
			}
			stack[depth].plan = n
		case strings.HasPrefix(body, "#"):
		case ktapResult.MatchString(body):
			for len(stack) > depth+1 {
				top := stack[len(stack)-1]
				if top.next-1 != top.plan {
					return fmt.Errorf("line %d: subtests ended after %d results, plan %d", i+1, top.next-1, top.plan)
				}
				stack = stack[:len(stack)-1]
			}
			n, _ := strconv.Atoi(ktapResult.FindStringSubmatch(body)[2])
			if depth >= len(stack) || n != stack[depth].next {
				return fmt.Errorf("line %d: result %q out of order", i+1, line)
			}
			stack[depth].next++
		default:
			return fmt.Errorf("line %d: not KTAP: %q", i+1, line)
		}
	}
	if len(stack) != 1 || stack[0].next-1 != stack[0].plan {
		return fmt.Errorf("document ends with %d open levels", len(stack))
	}
	return nil
}

// checkLineRe is a check's line of the text format: status, id, points.
var checkLineRe = regexp.MustCompile(`^  \S+ +([a-z-]+) +\d+/\d+ `)

func TestTextAndJSON(t *testing.T) {
	b := newGrader(t, fakeConfig(), "testdata/hello.yaml").Grade(Submissions([]string{"testdata/subs/fake_output.star"}))
	text := string(render(t, b, "text", "th"))
	for _, want := range []string{"testdata/subs/fake_output.star: คะแนน 3/10: ไม่ผ่าน", "ข้าม: ต้องผ่าน allocates ก่อน", "คำแนะนำ: เรียก kmalloc(64, GFP_KERNEL)", "(ซ่อนไว้)"} {
		if !strings.Contains(text, want) {
			t.Errorf("Thai text lacks %q:\n%s", want, text)
		}
	}
	// The check lines' columns line up on a terminal: the check id starts
	// at the same display column whatever the Thai status (ผ่าน, ไม่ผ่าน,
	// ข้าม carry combining marks that take no column).
	col := -1
	for _, line := range strings.Split(text, "\n") {
		m := checkLineRe.FindStringSubmatchIndex(line)
		if m == nil {
			continue
		}
		w := i18n.Width(line[:m[2]])
		if col >= 0 && w != col {
			t.Errorf("check id %s at column %d, another at %d:\n%s", line[m[2]:m[3]], w, col, text)
		}
		col = w
	}
	if col < 0 {
		t.Errorf("no check lines in:\n%s", text)
	}
	var doc jsonBatch
	if err := json.Unmarshal(render(t, b, "json", "en"), &doc); err != nil {
		t.Fatal(err)
	}
	c := doc.Submissions[0].Checks[1]
	if doc.Version != 1 || doc.Module != "hello" || doc.Summary.Failed != 1 || c.ID != "allocates" || c.Status != Fail ||
		len(c.Expectations) != 1 || c.Expectations[0].Actual != "0 calls" || c.Hint != "Call kmalloc(64, GFP_KERNEL)." {
		t.Errorf("json: %+v", doc)
	}
	if err := Write(&bytes.Buffer{}, b, WriteOptions{Format: "xml"}); err == nil {
		t.Error("Write of an unknown format: no error")
	}
}

// TestSnapshotSameResults: grading on copies of one booted kernel gives
// the same results, byte for byte, as booting a kernel for every run.
func TestSnapshotSameResults(t *testing.T) {
	fresh := realConfig()
	fresh.FreshBoot = true
	a, b := gradeAll(t, realConfig(), 2), gradeAll(t, fresh, 2)
	for _, f := range []string{"json", "text"} {
		if x, y := render(t, a, f, "en"), render(t, b, f, "en"); !bytes.Equal(x, y) {
			t.Errorf("%s: copies and fresh boots differ:\n%s\n----\n%s", f, x, y)
		}
	}
}

// TestGradescopeOutputHidesHiddenChecks: results.json's top-level output
// is shown to students with the submission, so it says nothing of the
// checks Gradescope keeps from them (hidden, after_due_date,
// after_published): its score counts the visible checks only, and it is
// the same text whether those checks passed or failed. The top-level score
// stays the whole score (Gradescope shows it as the assignment says), and
// each test keeps its own visibility.
func TestGradescopeOutputHidesHiddenChecks(t *testing.T) {
	result := func(later Status) *Result {
		r := &Result{Submission: "a.star", MaxScore: 10, Checks: []*CheckResult{
			{ID: "loads", Title: i18n.Text{EN: "Loads"}, Status: Pass, Points: 4, MaxPoints: 4, Visibility: "visible"},
			{ID: "frees", Title: i18n.Text{EN: "Frees"}, Status: Pass, Points: 3, MaxPoints: 3, Visibility: "visible"},
			{ID: "secret-leak", Title: i18n.Text{EN: "Secret leak check"}, Status: later, MaxPoints: 2, Visibility: "hidden"},
			{ID: "secret-late", Title: i18n.Text{EN: "Secret late check"}, Status: later, MaxPoints: 1, Visibility: "after_due_date"},
		}}
		for _, c := range r.Checks[2:] {
			if later == Pass {
				c.Points = c.MaxPoints
			}
		}
		r.finish()
		return r
	}
	outputs := map[string]string{}
	for _, later := range []Status{Pass, Fail, Timeout} {
		for _, lang := range []string{"en", "th"} {
			r := result(later)
			b := &Batch{Lesson: "hello", Module: "hello", MaxScore: 10, Results: []*Result{r}}
			var v struct {
				Score  int    `json:"score"`
				Output string `json:"output"`
				Tests  []struct {
					Visibility string `json:"visibility"`
				} `json:"tests"`
			}
			if err := json.Unmarshal(render(t, b, "gradescope", lang), &v); err != nil {
				t.Fatal(err)
			}
			if v.Score != r.Score || len(v.Tests) != 4 || v.Tests[2].Visibility != "hidden" || v.Tests[3].Visibility != "after_due_date" {
				t.Errorf("%s/%s: score %d (want %d), tests %+v", later, lang, v.Score, r.Score, v.Tests)
			}
			for _, leak := range []string{"secret", "Secret", "/10", "FAIL", "TIMEOUT", "ไม่ผ่าน", "หมดเวลา"} {
				if strings.Contains(v.Output, leak) {
					t.Errorf("%s/%s: output gives away %q:\n%s", later, lang, leak, v.Output)
				}
			}
			want := map[string]string{"en": "a.star: score 7/7 on the visible checks: PASS\n3 more points are in 2 checks not shown here",
				"th": "a.star: คะแนน 7/7 จากรายการตรวจที่มองเห็นได้: ผ่าน\nอีก 3 คะแนนอยู่ในรายการตรวจ 2 รายการ"}[lang]
			if !strings.Contains(v.Output, want) {
				t.Errorf("%s/%s: output\n%s\nwant it to contain\n%s", later, lang, v.Output, want)
			}
			if o, ok := outputs[lang]; ok && o != v.Output {
				t.Errorf("%s: the output depends on the hidden checks' results:\n%s\n----\n%s", lang, o, v.Output)
			}
			outputs[lang] = v.Output
		}
	}
	// A visible check that fails shows as FAIL; with no hidden check the
	// line is the whole score, as in the text format.
	r := result(Pass)
	r.Checks[1].Status, r.Checks[1].Points = Fail, 0
	r.finish()
	out := render(t, &Batch{Lesson: "hello", Module: "hello", MaxScore: 10, Results: []*Result{r}}, "gradescope", "en")
	if !bytes.Contains(out, []byte("score 4/7 on the visible checks: FAIL")) {
		t.Errorf("visible failure:\n%s", out)
	}
	r.Checks, r.MaxScore = r.Checks[:2], 7
	r.finish()
	out = render(t, &Batch{Lesson: "hello", Module: "hello", MaxScore: 7, Results: []*Result{r}}, "gradescope", "en")
	if !bytes.Contains(out, []byte(`a.star: score 4/7: FAIL"`)) {
		t.Errorf("no hidden checks:\n%s", out)
	}
}

// BenchmarkWriteText1000: the text results of a thousand submissions of
// lesson 03 (its solution's result, and a cheat's with feedback), the
// last thing a batch does before it exits.
func BenchmarkWriteText1000(b *testing.B) {
	g := newGrader(b, realConfig(), "../../lessons/03_atomic.yaml")
	batch := g.Grade(Submissions([]string{"../../lessons/exercises/03_atomic.solution.star", "testdata/cheats/03_atomic/print_only.star"}))
	for len(batch.Results) < 1000 {
		batch.Results = append(batch.Results, batch.Results[:2]...)
	}
	b.ResetTimer()
	for range b.N {
		if err := Write(io.Discard, batch, WriteOptions{Format: "text", Lang: "en"}); err != nil {
			b.Fatal(err)
		}
	}
}
