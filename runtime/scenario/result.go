package scenario

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/explain"
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
	// Log is the kernel log the run produced (cleared by dmesg -C or not).
	Log []kernelsim.LogRecord
	// Checks are the expectations' outcomes, with failed captures.
	Checks []CheckResult
	Expect *lesson.Expect
	// Sets are the outcomes of Input.Sets, each with the failed captures.
	Sets       []Set
	LessonFile string
	// Shadowed are the user programs the script declares that the
	// lesson's programs files replace: the lesson's ran instead.
	Shadowed []string
	// Held is what the module held of page blocks and vmalloc areas
	// during the run, when Input.KeepHeld asked for it.
	Held *kruntime.HeldMemory
}

// Set is the outcome of one more set of expectations on the same run.
type Set struct {
	Expect *lesson.Expect
	Checks []CheckResult
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
func (r *Result) ExitCode() int { return r.Verdict(r.Expect, r.Checks) }

// Verdict is ExitCode for the run judged by expectations e, whose outcomes
// are checks: the run's or one of its Sets.
func (r *Result) Verdict(e *lesson.Expect, checks []CheckResult) int {
	if r.Stopped != nil {
		return stoppedCode(r.Stopped)
	}
	for _, c := range checks {
		if !c.Pass {
			return 1
		}
	}
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
	case e == nil && len(h.Findings) > 0:
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
		key := explain.Key(rep) + "@" + ScriptLine(rep)
		if seen[key] {
			continue
		}
		seen[key] = true
		blocks = append(blocks, explain.For(rep, lang))
	}
	if len(blocks) == 0 {
		return
	}
	fmt.Fprintln(w, paint(Heading, "== kscript: "+messages.T("explanations").In(lang)+" =="))
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
	t := func(key string, args ...any) string { return messages.T(key, args...).In(lang) }
	line := func(s Style, text string) { fmt.Fprintln(w, paint(s, text)) }

	fmt.Fprintln(w)
	line(Heading, "== kscript: "+t("health")+" ==")
	for _, name := range r.Shadowed {
		line(Plain, "  "+t("program-ignored", name))
	}
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
	kernel, own := splitKscript(h.Bugs)
	if len(kernel) == 0 {
		line(Good, "  "+t("reports-none"))
	} else {
		line(Bad, "  "+t("reports", len(kernel)))
		writeReports(line, t, kernel)
	}
	if len(own) > 0 {
		line(Bad, "  "+t("kscript-findings", len(own)))
		writeReports(line, t, own)
	}
	for _, rep := range h.Warns {
		line(Plain, "  "+t("alloc-failure", rep.Title))
	}
	switch {
	case len(h.Leaks) == 0 && !h.Memory.Checked && h.Memory.Reason == "still-loaded":
		// kscript looks for leaks when the module is removed: it was not.
		line(Plain, "  "+t("leaks-still-loaded"))
	case len(h.Leaks) == 0:
		line(Good, "  "+t("leaks-none"))
	default:
		line(Bad, "  "+t("leaks", len(h.Leaks)))
	}
	for _, f := range h.Findings {
		line(Bad, "  "+f.Text.In(t("lang")))
	}
	switch m := h.Memory; {
	case !m.Checked:
		line(Plain, "  "+t("memory-"+m.Reason))
	case m.Restored && m.ReclaimedKB > 0:
		line(Good, "  "+t("memory-restored-reclaim", m.ReclaimedKB))
	case m.Restored && m.PCP:
		line(Good, "  "+t("memory-restored-pcp"))
	case m.Restored:
		line(Good, "  "+t("memory-restored"))
	default:
		line(Bad, "  "+t("memory-lost"))
		for _, d := range m.Diffs {
			line(Bad, "    "+d.In(t("lang")))
		}
	}
}

// splitKscript separates the kernel's reports from kscript's own findings
// (Report.Kscript), which the health summary never counts as kernel reports.
func splitKscript(reps []kernelsim.Report) (kernel, own []kernelsim.Report) {
	for _, rep := range reps {
		if rep.Kscript {
			own = append(own, rep)
		} else {
			kernel = append(kernel, rep)
		}
	}
	return kernel, own
}

// maxReportLines caps the distinct report lines of the health summary: a
// bug inside a loop can make hundreds of thousands of reports.
const maxReportLines = 20

// writeReports lists the kernel's reports one a line, a run of the same
// report (class, title and script line) collapsed into one line and a
// count, at most maxReportLines lines and then how many were left out.
func writeReports(line func(Style, string), t func(string, ...any) string, reps []kernelsim.Report) {
	shown := 0
	for i := 0; i < len(reps); {
		rep := reps[i]
		at := ScriptLine(rep)
		j := i + 1
		for j < len(reps) && reps[j].Class == rep.Class && reps[j].Title == rep.Title && ScriptLine(reps[j]) == at {
			j++
		}
		if shown == maxReportLines {
			line(Bad, "    "+t("reports-more", len(reps)-i))
			return
		}
		if at != "" && !strings.Contains(rep.Title, at) {
			at = " (" + WhereIn(at, t("lang")) + ")"
		} else {
			at = "" // a report about what rmmod left names its lines itself
		}
		line(Bad, fmt.Sprintf("    %s: %s%s", rep.Class, rep.Title, at))
		if j-i > 1 {
			line(Bad, "      "+t("reports-same", j-i-1))
		}
		shown++
		i = j
	}
}

func (r *Result) writeCheck(line func(Style, string), t func(string, ...any) string, c CheckResult) {
	lang := t("lang")
	if c.Pass {
		line(Good, fmt.Sprintf("  %s  %s: %s", t("ok"), c.Name, c.Want.In(lang)))
		return
	}
	line(Bad, fmt.Sprintf("  %s  %s: %s", t("FAIL"), c.Name, c.Want.In(lang)))
	line(Detail, "        "+t("expected")+" "+c.Want.In(lang))
	line(Detail, "        "+t("actual")+" "+c.Got.In(lang))
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
