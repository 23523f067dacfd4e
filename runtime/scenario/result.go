package scenario

import (
	"errors"
	"fmt"
	"io"
	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/explain"
	"strings"

	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
)

// Result is what a run produced.
type Result struct {
	// Transcript is the session as the terminal shows it: "$ command"
	// lines, each followed by the command's output.
	Transcript string
	// Stopped is the error that ended the run early (a script error during
	// insmod, a sandbox limit); nil when every step ran.
	Stopped error
	Health  Health
	// Checks are the expectations' outcomes, with failed captures.
	Checks     []CheckResult
	Expect     *lesson.Expect
	LessonFile string
}

// Failed returns the expectations that failed.
func (r *Result) Failed() []CheckResult {
	var out []CheckResult
	for _, c := range r.Checks {
		if !c.Pass {
			out = append(out, c)
		}
	}
	return out
}

// ExitCode is kscript run's exit status: 3 for a script error, 4 for a
// sandbox limit, 1 when the kernel found a bug or leak or an expectation
// failed, else 0. A lesson that expects a bug (bugs:, no_bugs: false,
// clean: false…) lets its expectations decide instead of the health summary.
func (r *Result) ExitCode() int {
	if r.Stopped != nil {
		return stoppedCode(r.Stopped)
	}
	if len(r.Failed()) > 0 {
		return 1
	}
	e := r.Expect
	judgesBugs := e != nil && (len(e.Bugs) > 0 || e.NoBugs != nil || e.Clean != nil)
	judgesLeaks := e != nil && (e.NoLeaks != nil || e.Clean != nil || expectsBug(e, "memory-leak"))
	judgesMemory := e != nil && (e.MemoryRestored != nil || e.Clean != nil)
	h := r.Health
	switch {
	case !judgesBugs && len(h.Bugs) > 0:
		return 1
	case !judgesLeaks && len(h.Leaks) > 0:
		return 1
	case !judgesMemory && h.Memory.Checked && !h.Memory.Restored:
		return 1
	}
	return 0
}

// expectsBug reports whether e's bugs: list names class.
func expectsBug(e *lesson.Expect, class string) bool {
	for _, b := range e.Bugs {
		if b.Class == class {
			return true
		}
	}
	return false
}

// writeExplanations prints kscript's explanation of each kernel report and
// of the first leak — what went wrong, at which script line, the usual fix —
// once per kind of mistake and line, under its own heading: kscript's words,
// not the kernel's.
func (r *Result) writeExplanations(w io.Writer, lang string, paint Painter) {
	reports := append(append([]kernelsim.Report(nil), r.Health.Bugs...), r.Health.Leaks...)
	seen := map[string]bool{}
	var blocks []string
	for _, rep := range reports {
		key := explain.Key(rep) + "@" + scriptLine(rep)
		if seen[key] {
			continue
		}
		seen[key] = true
		blocks = append(blocks, explain.For(rep, lang))
	}
	if len(blocks) == 0 {
		return
	}
	fmt.Fprintln(w, paint(Heading, "== kscript: "+msg(lang, "explanations")+" =="))
	for _, b := range blocks {
		for _, l := range strings.Split(strings.TrimRight(b, "\n"), "\n") {
			fmt.Fprintln(w, paint(Detail, "  "+l))
		}
	}
}

// Style is how a summary line is shown; the CLI colours by it.
type Style int

// The styles of summary lines.
const (
	Plain   Style = iota
	Heading       // a "== kscript: … ==" line
	Good          // a passed check, a healthy fact
	Bad           // a failed check, a report
	Detail        // expected/actual lines
)

// Painter styles a line of kscript's own output; nil means plain text.
type Painter func(Style, string) string

// WriteSummary writes the health summary and the expectations in lang
// ("en" or "th"). Every line is kscript's own, under "== kscript: … ==" headings.
func (r *Result) WriteSummary(w io.Writer, lang string, paint Painter) {
	if paint == nil {
		paint = func(_ Style, s string) string { return s }
	}
	t := func(key string, args ...any) string { return fmt.Sprintf(msg(lang, key), args...) }
	line := func(s Style, text string) { fmt.Fprintln(w, paint(s, text)) }

	fmt.Fprintln(w)
	line(Heading, "== kscript: "+t("health")+" ==")
	r.writeHealth(line, t)
	r.writeExplanations(w, lang, paint)
	if len(r.Checks) > 0 {
		head := t("expectations")
		if r.LessonFile != "" {
			head += " (" + r.LessonFile + ")"
		}
		line(Heading, "== kscript: "+head+" ==")
		for _, c := range r.Checks {
			r.writeCheck(line, t, c)
		}
	}
	verdict, style := t("pass"), Good
	if r.ExitCode() != 0 {
		verdict, style = t("fail"), Bad
	}
	line(style, "== kscript: "+verdict+" ==")
}

func (r *Result) writeHealth(line func(Style, string), t func(string, ...any) string) {
	h := r.Health
	if len(h.Bugs) == 0 {
		line(Good, "  "+t("reports-none"))
	} else {
		line(Bad, "  "+t("reports", len(h.Bugs)))
		for _, rep := range h.Bugs {
			at := scriptLine(rep)
			if at != "" {
				at = " (" + at + ")"
			}
			line(Bad, fmt.Sprintf("    %s: %s%s", rep.Class, rep.Title, at))
		}
	}
	for _, rep := range h.Warns {
		line(Plain, "  "+t("alloc-failure", rep.Title))
	}
	if len(h.Leaks) == 0 {
		line(Good, "  "+t("leaks-none"))
	} else {
		line(Bad, "  "+t("leaks", len(h.Leaks)))
	}
	switch m := h.Memory; {
	case !m.Checked:
		line(Plain, "  "+t("memory-"+m.Reason))
	case m.Restored:
		line(Good, "  "+t("memory-restored"))
	default:
		line(Bad, "  "+t("memory-lost"))
		for _, d := range m.Diffs {
			line(Bad, "    "+d)
		}
	}
}

func (r *Result) writeCheck(line func(Style, string), t func(string, ...any) string, c CheckResult) {
	if c.Pass {
		line(Good, fmt.Sprintf("  %s  %s: %s", t("ok"), c.Name, c.Want))
		return
	}
	line(Bad, fmt.Sprintf("  %s  %s: %s", t("FAIL"), c.Name, c.Want))
	line(Detail, "        "+t("expected")+" "+c.Want)
	line(Detail, "        "+t("actual")+" "+c.Got)
}

// messages holds kscript's own summary lines in English and Thai.
var messages = map[string][2]string{
	"health":           {"health summary", "สรุปสุขภาพของเคอร์เนล"},
	"explanations":     {"what went wrong, and how to fix it", "เกิดอะไรขึ้น และแก้อย่างไร"},
	"reports-none":     {"kernel reports: none (no BUG, WARNING, Oops or KASAN report)", "รายงานจากเคอร์เนล: ไม่มี (ไม่มี BUG, WARNING, Oops หรือ KASAN)"},
	"reports":          {"kernel reports: %d", "รายงานจากเคอร์เนล: %d รายการ"},
	"alloc-failure":    {"allocation failure (not a bug by itself): %s", "การจองหน่วยความจำล้มเหลว (ไม่ใช่บั๊กในตัวเอง): %s"},
	"leaks-none":       {"leaks: none reported", "หน่วยความจำรั่ว: ไม่พบ"},
	"leaks":            {"leaks: %d reported by kmemleak", "หน่วยความจำรั่ว: kmemleak รายงาน %d รายการ"},
	"memory-restored":  {"memory: free blocks of every order and MemFree are back to their values before insmod", "หน่วยความจำ: จำนวนบล็อกว่างทุก order และ MemFree กลับมาเท่ากับก่อน insmod"},
	"memory-lost":      {"memory: free memory did not come back to its value before insmod", "หน่วยความจำ: หน่วยความจำว่างไม่กลับมาเท่ากับก่อน insmod"},
	"memory-no-insmod": {"memory: not compared (no insmod ran)", "หน่วยความจำ: ไม่ได้เปรียบเทียบ (ไม่มีการ insmod)"},
	"memory-still-loaded": {"memory: not compared (the module is still loaded)",
		"หน่วยความจำ: ไม่ได้เปรียบเทียบ (โมดูลยังโหลดอยู่)"},
	"expectations": {"expectations", "ผลที่คาดหวัง"},
	"ok":           {"ok  ", "ผ่าน"},
	"FAIL":         {"FAIL", "ตก  "},
	"expected":     {"expected:", "คาดว่า:"},
	"actual":       {"actual:  ", "ได้จริง:"},
	"pass":         {"PASS", "ผ่าน"},
	"fail":         {"FAIL", "ไม่ผ่าน"},
}

// msg returns message key in lang, English when lang is not Thai.
func msg(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == "th" {
		return m[1]
	}
	return m[0]
}

// StoppedMessage is how a run's fatal error reaches the user, once:
// "file.star:LINE:COL: message".
// kscript's own bugs say so: "kscript: internal error: …".
func StoppedMessage(err error) string {
	var ie *kruntime.InternalError
	if errors.As(err, &ie) {
		return "kscript: " + ie.Error()
	}
	return strings.TrimSpace(err.Error())
}
