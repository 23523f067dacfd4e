package grade

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"kscript.dev/kscript/runtime/i18n"
)

// xmlSuites is junitSuites as encoding/xml marshals it: the reference the
// hand-written writer must match byte for byte.
type xmlSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	junitSuites
}

// encodingXMLJUnit is what writeJUnit wrote with encoding/xml.
func encodingXMLJUnit(t testing.TB, b *Batch, lang string) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(xmlSuites{junitSuites: junitReport(b, lang)}); err != nil {
		t.Fatal(err)
	}
	buf.WriteString("\n")
	return buf.Bytes()
}

func checkSameAsEncodingXML(t *testing.T, name string, b *Batch) {
	t.Helper()
	for _, lang := range []string{"en", "th"} {
		got := render(t, b, "junit", lang)
		want := encodingXMLJUnit(t, b, lang)
		if !bytes.Equal(got, want) {
			t.Errorf("%s/%s: the JUnit writer and encoding/xml differ:\n%s\n---- encoding/xml:\n%s", name, lang, got, want)
		}
	}
}

// TestJUnitSameAsEncodingXML checks the hand-written JUnit writer against
// encoding/xml on graded batches (hostile submissions included), a broken
// lesson, an interrupted batch, and random texts full of markup, control
// characters, bytes that are not UTF-8 and CDATA ends.
func TestJUnitSameAsEncodingXML(t *testing.T) {
	checkSameAsEncodingXML(t, "graded", gradeAll(t, realConfig(), 2))
	checkSameAsEncodingXML(t, "hostile", newGrader(t, realConfig(), "testdata/hello.yaml").Grade(Submissions([]string{"testdata/hostile"})))
	checkSameAsEncodingXML(t, "lesson error", LessonError("x.yaml", fmt.Errorf("x.yaml:1:1: <bad> & \"worse\"")))
	checkSameAsEncodingXML(t, "empty", &Batch{Lesson: "01"})

	rnd := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "ก", "<", ">", "&", "\"", "'", "\t", "\n", "\r", "\x00", "\x1b", "\x7f", "\xff", "\xc3",
		"]]>", "]]", "]", "\ufffd", "\ufffe", "\uffff", "\u2028", "\U0001F600", "\xed\xa0\x80", " ", "&amp;", "<![CDATA["}
	text := func() string {
		var sb strings.Builder
		for range rnd.IntN(12) {
			sb.WriteString(pieces[rnd.IntN(len(pieces))])
		}
		return sb.String()
	}
	tx := func() i18n.Text { return i18n.Text{EN: text(), TH: text()} }
	statuses := []Status{Pass, Fail, Skip, Error, Timeout, NotGraded}
	for i := range 300 {
		b := &Batch{Lesson: text(), LessonFile: text(), Module: text(), Title: tx()}
		if rnd.IntN(4) == 0 {
			b.Interrupted = text()
		}
		if rnd.IntN(8) == 0 {
			b.Error = tx()
		}
		for range rnd.IntN(4) {
			r := &Result{Submission: text(), Status: statuses[rnd.IntN(len(statuses))], Score: rnd.IntN(20) - 5, MaxScore: rnd.IntN(20)}
			if rnd.IntN(2) == 0 {
				r.Message = tx()
			}
			for range rnd.IntN(3) {
				r.Notes = append(r.Notes, tx())
			}
			for range rnd.IntN(5) {
				c := &CheckResult{ID: text(), Title: tx(), Status: statuses[rnd.IntN(len(statuses))], Points: rnd.IntN(5), MaxPoints: rnd.IntN(5),
					Reason: tx(), Hint: tx()}
				for range rnd.IntN(3) {
					c.Failures = append(c.Failures, Expectation{Name: text(), Want: tx(), Got: tx()})
				}
				if rnd.IntN(3) == 0 {
					c.Report = &Report{Class: text(), Title: text(), Where: text(), Explain: tx()}
				}
				r.Checks = append(r.Checks, c)
			}
			b.Results = append(b.Results, r)
		}
		checkSameAsEncodingXML(t, fmt.Sprint("random ", i), b)
		if t.Failed() {
			return
		}
	}
}
