package scenario

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/shell"
)

// CheckResult is one expectation's outcome: what was expected and, when it
// failed, what happened instead.
type CheckResult struct {
	Name string // "dmesg", "insmod", "clean", "calls kmalloc"…
	Pass bool
	Want string
	Got  string
}

// check evaluates every expectation of e, in the schema's order.
func (r *runner) check(e *lesson.Expect) []CheckResult {
	var out []CheckResult
	logLines := r.logLines()
	out = append(out, ordered("dmesg", e.Dmesg, logLines, "the kernel log")...)
	out = append(out, absent("dmesg_not", e.DmesgNot, logLines)...)
	out = append(out, ordered("stdout", e.Stdout, r.programLines(), "the programs' output")...)
	if e.Insmod != nil {
		out = append(out, r.checkInsmod(e.Insmod))
	}
	for _, cmd := range e.ExitCommands() {
		out = append(out, r.checkExit(cmd, e.ExitCode[cmd]))
	}
	out = append(out, r.checkHealth(e)...)
	for i := range e.Bugs {
		out = append(out, r.checkBug(&e.Bugs[i]))
	}
	for i := range e.Proc {
		out = append(out, r.checkProc(&e.Proc[i])...)
	}
	calls := r.m.Calls()
	for i := range e.Calls {
		out = append(out, checkCalls(&e.Calls[i], calls))
	}
	return out
}

// logLines returns the text of every log record the run produced, cleared
// by dmesg -C or not.
func (r *runner) logLines() []string {
	var out []string
	for _, rec := range r.m.Kernel().LogSince(r.startSeq) {
		out = append(out, rec.Text)
	}
	return out
}

// programLines returns the lines the user programs printed, in order.
func (r *runner) programLines() []string {
	var out []string
	for _, rec := range r.sh.Records() {
		if rec.Program && rec.Output != "" {
			out = append(out, strings.Split(strings.TrimSuffix(rec.Output, "\n"), "\n")...)
		}
	}
	return out
}

// ordered checks that each matcher matches a line after the previous
// one's line.
func ordered(name string, ms []lesson.Matcher, lines []string, where string) []CheckResult {
	var out []CheckResult
	next, prev := 0, ""
	for i := range ms {
		m := &ms[i]
		res := CheckResult{Name: name, Want: m.String(), Pass: true}
		found := -1
		for j := next; j < len(lines); j++ {
			if m.Match(lines[j]) {
				found = j
				break
			}
		}
		if found >= 0 {
			next, prev = found+1, lines[found]
			out = append(out, res)
			continue
		}
		res.Pass = false
		res.Got = "no such line in " + where
		for j := 0; j < next && j < len(lines); j++ {
			if m.Match(lines[j]) {
				res.Got = fmt.Sprintf("the line is there, but before %q", prev)
				break
			}
		}
		out = append(out, res)
	}
	return out
}

// absent checks that no line matches any of ms.
func absent(name string, ms []lesson.Matcher, lines []string) []CheckResult {
	var out []CheckResult
	for i := range ms {
		res := CheckResult{Name: name, Want: "no line " + ms[i].String(), Pass: true}
		for _, l := range lines {
			if ms[i].Match(l) {
				res.Pass, res.Got = false, l
				break
			}
		}
		out = append(out, res)
	}
	return out
}

// checkInsmod: "ok" wants every insmod to succeed; otherwise the first
// failing insmod's message must contain the text.
func (r *runner) checkInsmod(m *lesson.Matcher) CheckResult {
	res := CheckResult{Name: "insmod", Want: m.String()}
	ran := false
	for _, rec := range r.sh.Records() {
		if rec.Name != "insmod" {
			continue
		}
		ran = true
		if rec.Status == 0 {
			continue
		}
		msg := "exit status " + strconv.Itoa(rec.Status)
		if rec.Err != nil {
			msg = rec.Err.Error()
		}
		res.Pass, res.Got = !m.IsOK() && m.Contains(msg), msg
		return res
	}
	switch {
	case !ran:
		res.Got = "insmod never ran"
	case m.IsOK():
		res.Pass = true
	default:
		res.Got = "every insmod succeeded"
	}
	return res
}

// checkExit compares the status of the last run of cmd.
func (r *runner) checkExit(cmd string, want int) CheckResult {
	res := CheckResult{Name: "exit_code " + cmd, Want: strconv.Itoa(want), Got: cmd + " never ran"}
	recs := r.sh.Records()
	for i := len(recs) - 1; i >= 0; i-- {
		if sameCommand(recs[i].Name, cmd) {
			res.Got = strconv.Itoa(recs[i].Status)
			res.Pass = recs[i].Status == want
			break
		}
	}
	return res
}

// sameCommand matches a command as typed against an exit_code: key:
// "./user_app", "user_app" and the full path name the same program.
func sameCommand(typed, key string) bool {
	norm := func(s string) string {
		return strings.TrimPrefix(strings.TrimPrefix(s, shell.Dir+"/"), "./")
	}
	return norm(typed) == norm(key)
}

// checkHealth evaluates clean, no_leaks, no_bugs and memory_restored.
func (r *runner) checkHealth(e *lesson.Expect) []CheckResult {
	h := r.res.Health
	noBugs := len(h.Bugs) == 0
	restored := h.Memory.Checked && h.Memory.Restored
	// no_leaks is kmemleak's verdict: what the module allocated and did
	// not free. Free memory that did not come back for another reason (page
	// cache a GFP_KERNEL allocation reclaimed) is memory_restored's business.
	noLeaks := len(h.Leaks) == 0
	var out []CheckResult
	add := func(name string, want *bool, got bool, detail func() string) {
		if want == nil {
			return
		}
		res := CheckResult{Name: name, Want: strconv.FormatBool(*want), Pass: got == *want}
		if !res.Pass {
			res.Got = strconv.FormatBool(got) + ": " + detail()
		}
		out = append(out, res)
	}
	add("clean", e.Clean, noBugs && noLeaks && restored, h.problems)
	add("no_leaks", e.NoLeaks, noLeaks, h.problems)
	add("no_bugs", e.NoBugs, noBugs, h.problems)
	add("memory_restored", e.MemoryRestored, restored, h.problems)
	return out
}

// problems summarises what is wrong with the kernel, for expected-versus-actual.
func (h Health) problems() string {
	var ps []string
	for _, b := range h.Bugs {
		ps = append(ps, b.Title)
	}
	if len(h.Leaks) > 0 {
		ps = append(ps, fmt.Sprintf("%d leak reports", len(h.Leaks)))
	}
	switch {
	case !h.Memory.Checked:
		ps = append(ps, "memory not compared ("+h.Memory.Reason+")")
	case !h.Memory.Restored:
		ps = append(ps, h.Memory.Diffs...)
	}
	if len(ps) == 0 {
		return "no reports, memory restored"
	}
	return strings.Join(ps, "; ")
}

// checkBug looks for a report of the expected class (and line and title).
func (r *runner) checkBug(b *lesson.BugExpect) CheckResult {
	want := b.Class
	if b.Line > 0 {
		want += fmt.Sprintf(" at line %d", b.Line)
	}
	res := CheckResult{Name: "bugs", Want: want}
	var seen []string
	for _, rep := range r.m.Kernel().Reports() {
		seen = append(seen, rep.Class)
		if rep.Class == b.Class && (b.Line == 0 || reportLine(rep) == b.Line) && b.TitleMatch(rep.Title) {
			res.Pass = true
			return res
		}
	}
	res.Got = "reports: " + strings.Join(seen, ", ")
	if len(seen) == 0 {
		res.Got = "no report"
	}
	return res
}

// checkProc checks a /proc file as read after its step, or now.
func (r *runner) checkProc(p *lesson.ProcExpect) []CheckResult {
	name := "proc " + p.File
	if p.Step > 0 {
		name += fmt.Sprintf(" after step %d", p.Step)
	}
	text, ok := r.procAt[p]
	if p.Step == 0 {
		var err error
		text, err = r.m.Kernel().ReadProc(p.File)
		if err != nil {
			return []CheckResult{{Name: name, Want: "the file", Got: errText(err)}}
		}
	} else if !ok {
		return []CheckResult{{Name: name, Want: "the file", Got: "the step did not run"}}
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	var out []CheckResult
	for i := range p.Has {
		res := CheckResult{Name: name, Want: p.Has[i].String(), Got: "no such line"}
		for _, l := range lines {
			if p.Has[i].Match(l) {
				res.Pass, res.Got = true, ""
				break
			}
		}
		out = append(out, res)
	}
	return append(out, absent(name, p.NotHas, lines)...)
}

// checkCalls counts the recorded calls that match c.
func checkCalls(c *lesson.CallExpect, calls []kruntime.Call) CheckResult {
	n := 0
	for _, call := range calls {
		if callMatches(c, call) {
			n++
		}
	}
	lo, hi := c.Bounds()
	res := CheckResult{Name: "calls " + strings.Join(c.Fn, "|"), Want: describeBounds(c, lo, hi)}
	res.Pass = n >= lo && (hi < 0 || n <= hi)
	if !res.Pass {
		res.Got = fmt.Sprintf("%d calls", n)
	}
	return res
}

func callMatches(c *lesson.CallExpect, call kruntime.Call) bool {
	fnOK := false
	for _, fn := range c.Fn {
		fnOK = fnOK || fn == call.Fn
	}
	mask := c.GFPMask()
	ctxOK := c.Context == "" || c.Context == call.Context ||
		(c.Context == "atomic" && call.Context != "process")
	return fnOK && uint32(call.GFP)&mask == mask && ctxOK
}

func describeBounds(c *lesson.CallExpect, lo, hi int) string {
	var q []string
	if c.GFP != "" {
		q = append(q, "with "+c.GFP)
	}
	if c.Context != "" {
		q = append(q, "in "+c.Context+" context")
	}
	var count string
	switch {
	case lo == hi:
		count = fmt.Sprintf("exactly %d calls", lo)
	case hi < 0:
		count = fmt.Sprintf("at least %d calls", lo)
	default:
		count = fmt.Sprintf("%d to %d calls", lo, hi)
	}
	return strings.TrimSpace(count + " " + strings.Join(q, " "))
}

// errText is an error's message: strerror's text for an errno.
func errText(err error) string {
	var e kernelsim.Errno
	if errors.As(err, &e) {
		return e.Error()
	}
	return err.Error()
}
