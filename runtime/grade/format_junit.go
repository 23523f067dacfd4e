package grade

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// The JUnit XML report, as Jenkins, GitLab and GitHub's test reporters
// read it: one <testsuite> per submission, one <testcase> per check. A
// failed check is a <failure>, a skipped one <skipped>, an ERROR or
// TIMEOUT an <error> whose type says which, as is a check NOT_GRADED
// because the batch was interrupted (its suite then has the property
// complete=false). There are no time attributes: results never depend on
// the grading machine's speed. Every text in it went through cleanResult,
// so it holds no character XML 1.0 forbids.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitProblem `xml:"skipped"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

func writeJUnit(w io.Writer, b *Batch, lang string) error {
	out := junitSuites{Name: "kscript grade " + b.Lesson}
	if !b.Error.IsZero() {
		out.Errors = 1
		out.Suites = []junitSuite{{Name: b.LessonFile, Tests: 1, Errors: 1, Cases: []junitCase{{
			Name: "lesson", Classname: b.LessonFile, Error: &junitProblem{Message: b.Error.In(lang), Type: string(Error)}}}}}
	}
	for _, r := range b.Results {
		s := junitSuite{Name: r.Submission, Properties: []junitProperty{
			{"lesson", b.Lesson}, {"module", b.Module}, {"status", string(r.Status)},
			{"score", strconv.Itoa(r.Score)}, {"max_score", strconv.Itoa(r.MaxScore)},
		}}
		if !r.Message.IsZero() {
			s.Properties = append(s.Properties, junitProperty{"message", r.Message.In(lang)})
		}
		if !b.Complete() {
			s.Properties = append(s.Properties, junitProperty{"complete", "false"}, junitProperty{"interrupted", b.Interrupted})
		}
		for _, n := range r.Notes {
			s.Properties = append(s.Properties, junitProperty{"note", n.In(lang)})
		}
		for _, c := range r.Checks {
			s.Cases = append(s.Cases, junitTestcase(b, c, lang, &s))
		}
		s.Tests = len(s.Cases)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitTestcase(b *Batch, c *CheckResult, lang string, s *junitSuite) junitCase {
	tc := junitCase{Name: c.ID, Classname: b.Lesson}
	feedback := strings.Join(c.Feedback(lang), "\n")
	msg := c.Title.In(lang) + ": " + messages.T("points", c.Points, c.MaxPoints).In(lang)
	p := &junitProblem{Message: msg, Type: string(c.Status), Text: feedback}
	switch c.Status {
	case Pass:
	case Fail:
		tc.Failure = p
		s.Failures++
	case Skip:
		tc.Skipped = &junitProblem{Message: c.Reason.In(lang)}
		s.Skipped++
	default:
		tc.Error = p
		s.Errors++
	}
	return tc
}
