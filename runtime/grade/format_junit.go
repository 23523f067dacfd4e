package grade

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The JUnit XML report, as Jenkins, GitLab and GitHub's test reporters
// read it: one <testsuite> per submission, one <testcase> per check. A
// failed check is a <failure>, a skipped one <skipped>, an ERROR or
// TIMEOUT an <error> whose type says which, as is a check NOT_GRADED
// because the batch was interrupted (its suite then has the property
// complete=false). There are no time attributes: results never depend on
// the grading machine's speed. Every text in it went through cleanResult,
// so it holds no character XML 1.0 forbids.
//
// The document is written by hand (junitWriter), not by encoding/xml: that
// package's init builds tables every kscript process paid for at start-up.
// The struct tags say what encoding/xml would write; the tests check that
// the two agree byte for byte.
type junitSuites struct {
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
	bw := bufio.NewWriter(w)
	jw := junitWriter{w: bw}
	jw.WriteString(xmlHeader)
	jw.suites(junitReport(b, lang))
	jw.WriteString("\n")
	return bw.Flush()
}

// junitReport is the JUnit document of a batch.
func junitReport(b *Batch, lang string) junitSuites {
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
	return out
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

// xmlHeader is encoding/xml's Header.
const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// junitWriter writes a junitSuites as encoding/xml's Encoder with
// Indent("", "  ") does: every start tag on a line of its own, indented
// two spaces a level; an end tag right after its start tag, or after
// character data, on the same line; attributes in the order of the struct
// fields; an element's own text as one CDATA section.
type junitWriter struct {
	w *bufio.Writer
	// As encoding/xml's printer: depth is the current nesting, indentedIn
	// says that the last thing written is a start tag, putNewline that a
	// newline comes before the next indentation (not before the first).
	depth      int
	indentedIn bool
	putNewline bool
}

func (p *junitWriter) WriteString(s string) { p.w.WriteString(s) }

// indent is encoding/xml's printer.writeIndent.
func (p *junitWriter) indent(delta int) {
	if delta < 0 {
		p.depth--
		if p.indentedIn {
			p.indentedIn = false
			return
		}
	}
	if p.putNewline {
		p.w.WriteByte('\n')
	} else {
		p.putNewline = true
	}
	for range p.depth {
		p.w.WriteString("  ")
	}
	if delta > 0 {
		p.depth++
		p.indentedIn = true
	}
}

// start writes <name and leaves the tag open for attributes; close it
// with startDone.
func (p *junitWriter) start(name string) {
	p.indent(1)
	p.w.WriteByte('<')
	p.w.WriteString(name)
}

func (p *junitWriter) startDone() { p.w.WriteByte('>') }

func (p *junitWriter) end(name string) {
	p.indent(-1)
	p.w.WriteString("</")
	p.w.WriteString(name)
	p.w.WriteByte('>')
}

func (p *junitWriter) attr(name, value string) {
	p.w.WriteByte(' ')
	p.w.WriteString(name)
	p.w.WriteString(`="`)
	xmlEscape(p.w, value)
	p.w.WriteByte('"')
}

func (p *junitWriter) intAttr(name string, n int) {
	p.attr(name, strconv.Itoa(n))
}

func (p *junitWriter) suites(s junitSuites) {
	p.start("testsuites")
	p.attr("name", s.Name)
	p.intAttr("tests", s.Tests)
	p.intAttr("failures", s.Failures)
	p.intAttr("errors", s.Errors)
	p.intAttr("skipped", s.Skipped)
	p.startDone()
	for _, suite := range s.Suites {
		p.suite(suite)
	}
	p.end("testsuites")
}

func (p *junitWriter) suite(s junitSuite) {
	p.start("testsuite")
	p.attr("name", s.Name)
	p.intAttr("tests", s.Tests)
	p.intAttr("failures", s.Failures)
	p.intAttr("errors", s.Errors)
	p.intAttr("skipped", s.Skipped)
	p.startDone()
	// encoding/xml opens the parent of properties>property even for no
	// property: an empty <properties></properties>.
	p.start("properties")
	p.startDone()
	for _, pr := range s.Properties {
		p.start("property")
		p.attr("name", pr.Name)
		p.attr("value", pr.Value)
		p.startDone()
		p.end("property")
	}
	p.end("properties")
	for _, c := range s.Cases {
		p.start("testcase")
		p.attr("name", c.Name)
		p.attr("classname", c.Classname)
		p.startDone()
		p.problem("failure", c.Failure)
		p.problem("error", c.Error)
		p.problem("skipped", c.Skipped)
		p.end("testcase")
	}
	p.end("testsuite")
}

func (p *junitWriter) problem(name string, pr *junitProblem) {
	if pr == nil {
		return
	}
	p.start(name)
	p.attr("message", pr.Message)
	if pr.Type != "" {
		p.attr("type", pr.Type)
	}
	p.startDone()
	xmlCDATA(p.w, pr.Text)
	p.end(name)
}

// xmlEscape writes s escaped as encoding/xml escapes attribute values:
// the five markup characters and tab, newline and carriage return as
// references, and each character XML 1.0 forbids (control characters,
// surrogates, U+FFFE, U+FFFF) or byte that is not UTF-8 as U+FFFD.
func xmlEscape(w *bufio.Writer, s string) {
	last := 0
	for i := 0; i < len(s); {
		r, width := utf8.DecodeRuneInString(s[i:])
		i += width
		var esc string
		switch r {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			if !xmlChar(r) || r == utf8.RuneError && width == 1 {
				esc = "\uFFFD"
				break
			}
			continue
		}
		w.WriteString(s[last : i-width])
		w.WriteString(esc)
		last = i
	}
	w.WriteString(s[last:])
}

// xmlChar reports whether XML 1.0 allows r (its production Char).
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// xmlCDATA writes s as encoding/xml writes a ",cdata" field: nothing for
// an empty s, else one CDATA section, a "]]>" inside split across two.
// Like encoding/xml it does not escape: the texts went through
// cleanResult, which leaves no character XML forbids.
func xmlCDATA(w *bufio.Writer, s string) {
	if s == "" {
		return
	}
	w.WriteString("<![CDATA[")
	for {
		before, after, ok := strings.Cut(s, "]]>")
		if !ok {
			break
		}
		w.WriteString(before)
		w.WriteString("]]]]><![CDATA[>")
		s = after
	}
	w.WriteString(s)
	w.WriteString("]]>")
}
