package scenario

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/i18n"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/shell"
)

// CheckResult is one expectation's outcome: what was expected and, when it
// failed, what happened instead, in both languages.
type CheckResult struct {
	Name string // "dmesg", "insmod", "clean", "calls kmalloc"…
	Pass bool
	Want i18n.Text
	Got  i18n.Text
}

// check evaluates every expectation of e, in the schema's order.
func (r *runner) check(e *lesson.Expect) []CheckResult {
	var out []CheckResult
	logLines := r.logLines()
	dmesg := ordered("dmesg", e.Dmesg, logLines, "missing-log", "log-empty", r.verifier())
	if lost := r.logLost(); lost > 0 {
		for i := range dmesg {
			if !dmesg[i].Pass {
				dmesg[i].Got = i18n.Join([]i18n.Text{dmesg[i].Got, messages.T("log-lost", lost)}, "; ")
			}
		}
	}
	out = append(out, dmesg...)
	out = append(out, absent("dmesg_not", e.DmesgNot, logLines)...)
	out = append(out, ordered("stdout", e.Stdout, r.programLines(), "missing-stdout", "stdout-empty", nil)...)
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
		out = append(out, r.checkCalls(&e.Calls[i], calls))
	}
	for i := range e.Objects {
		out = append(out, r.checkObjects(&e.Objects[i]))
	}
	if e.NoDangling != nil {
		out = append(out, r.checkDangling(e))
	}
	if len(e.Reads) > 0 {
		reads := r.reads()
		for i := range e.Reads {
			out = append(out, r.checkRead(&e.Reads[i], reads))
		}
	}
	r.noteFacilities(out)
	return out
}

// noteFacilities adds to each failed dmesg or bugs expectation that only a
// debugging facility this kernel lacks could have met which facility that
// is: on --kernel stock, "BUG: KASAN: …" is never printed, and the lesson
// is not wrong for expecting it on the debug build.
func (r *runner) noteFacilities(out []CheckResult) {
	kasan, kmemleak, mightSleep := r.m.Kernel().Facilities()
	for i := range out {
		c := &out[i]
		if c.Pass || (c.Name != "dmesg" && c.Name != "bugs") {
			continue
		}
		var need string
		switch w := c.Want.EN; {
		case !kasan && (strings.Contains(w, "KASAN") || c.Name == "bugs" && kasanClass(w)):
			need = "KASAN (CONFIG_KASAN)"
		case !kmemleak && strings.Contains(w, "kmemleak"):
			need = "kmemleak (CONFIG_DEBUG_KMEMLEAK)"
		case !mightSleep && (strings.Contains(w, "sleeping function called from invalid context") || c.Name == "bugs" && strings.HasPrefix(w, "sleeping-in-atomic")):
			need = "might_sleep (CONFIG_DEBUG_ATOMIC_SLEEP)"
		}
		if need != "" {
			c.Got = i18n.Join([]i18n.Text{c.Got, messages.T("needs-facility", need)}, "; ")
		}
	}
}

// kasanClass reports whether a bugs: expectation names a class only KASAN
// reports (kasan.go's classes; double and invalid frees are caught without
// it too).
func kasanClass(want string) bool {
	for _, c := range []string{"slab-out-of-bounds", "use-after-free", "global-out-of-bounds", "vmalloc-out-of-bounds"} {
		if strings.HasPrefix(want, c) {
			return true
		}
	}
	return false
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

// logLost returns how many of the run's log records the printk ring
// buffer (128 KiB, as Debian's CONFIG_LOG_BUF_SHIFT=17) has overwritten:
// a module that logs without end keeps only its newest lines, as on Linux.
func (r *runner) logLost() uint64 {
	recs := r.m.Kernel().LogSince(r.startSeq)
	if len(recs) == 0 {
		return r.m.Kernel().NextSeq() - r.startSeq
	}
	return recs[0].Seq - r.startSeq
}

// programLines returns the lines user space printed, in order: the user
// programs' output, and what cat read from device nodes.
func (r *runner) programLines() []string {
	var out []string
	for _, rec := range r.sh.Records() {
		if (rec.Program || rec.Device) && rec.Output != "" {
			out = append(out, strings.Split(strings.TrimSuffix(rec.Output, "\n"), "\n")...)
		}
	}
	return out
}

// ordered checks that each matcher matches a line after the previous
// one's line; missing is the message key for a line that is not there,
// empty for lines that are none at all; v checks the values of {{pfn}}
// and {{kptr}}.
func ordered(name string, ms []lesson.Matcher, lines []string, missing, empty string, v lesson.Verifier) []CheckResult {
	var out []CheckResult
	next, prev := 0, ""
	for i := range ms {
		m := &ms[i]
		res := CheckResult{Name: name, Want: i18n.Plain(m.String()), Pass: true}
		found := -1
		var rej *lesson.Rejected
		for j := next; j < len(lines); j++ {
			ok, r := m.MatchVerified(lines[j], v)
			if ok {
				found = j
				break
			}
			if rej == nil {
				rej = r
			}
		}
		if found >= 0 {
			next, prev = found+1, lines[found]
			out = append(out, res)
			continue
		}
		res.Pass = false
		res.Got = i18n.Join([]i18n.Text{messages.T(missing), closest(m, lines, empty)}, "; ")
		if rej != nil {
			res.Got = rejected(rej)
		}
		for j := 0; j < next && j < len(lines); j++ {
			if ok, _ := m.MatchVerified(lines[j], v); ok {
				res.Got = messages.T("out-of-order", prev)
				break
			}
		}
		out = append(out, res)
	}
	return out
}

// rejected says why a line of the right form did not count: the value of
// a {{pfn}} or {{kptr}} was none the module's allocations gave it.
func rejected(r *lesson.Rejected) i18n.Text {
	key := "rejected-pfn"
	switch {
	case r.Repeated:
		key = "rejected-pfn-repeated"
	case r.Placeholder == "kptr":
		key = "rejected-kptr"
	}
	return messages.T(key, strconv.Quote(clip(r.Line)), r.Value)
}

// heldMachine is a machine that keeps the record of what the module's
// allocations gave it (kruntime.Machine).
type heldMachine interface {
	HeldPFN(pfn uint64) bool
	HeldPointer(printed uint64) bool
}

// heldVerifier checks {{pfn}} and {{kptr}} values against a machine's
// record.
type heldVerifier struct{ m heldMachine }

// verifier returns the checker of {{pfn}} and {{kptr}} for this run's
// machine; nil (every such value refused) when it keeps no record.
func (r *runner) verifier() lesson.Verifier {
	if hm, ok := r.m.(heldMachine); ok {
		return heldVerifier{hm}
	}
	return nil
}

func (v heldVerifier) HeldPFN(s string) bool {
	n, err := strconv.ParseUint(s, 10, 64)
	return err == nil && v.m.HeldPFN(n)
}

func (v heldVerifier) HeldPointer(s string) bool {
	n, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
	return err == nil && v.m.HeldPointer(n)
}

// absent checks that no line matches any of ms.
func absent(name string, ms []lesson.Matcher, lines []string) []CheckResult {
	var out []CheckResult
	for i := range ms {
		res := CheckResult{Name: name, Want: messages.T("no-line", ms[i].String()), Pass: true}
		for _, l := range lines {
			if ms[i].Match(l) {
				res.Pass, res.Got = false, i18n.Plain(l)
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
	res := CheckResult{Name: "insmod", Want: i18n.Plain(m.String())}
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
		res.Pass, res.Got = !m.IsOK() && m.Contains(msg), i18n.Plain(msg)
		return res
	}
	switch {
	case !ran:
		res.Got = messages.T("never-ran", "insmod")
	case m.IsOK():
		res.Pass = true
	default:
		res.Got = messages.T("insmod-ok")
	}
	return res
}

// checkExit compares the status of the last run of cmd.
func (r *runner) checkExit(cmd string, want int) CheckResult {
	res := CheckResult{Name: "exit_code " + cmd, Want: i18n.Plain(strconv.Itoa(want)), Got: messages.T("never-ran", cmd)}
	recs := r.sh.Records()
	for i := len(recs) - 1; i >= 0; i-- {
		if sameCommand(recs[i].Name, cmd) {
			res.Got = i18n.Plain(strconv.Itoa(recs[i].Status))
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
	// no_leaks is kscript's own leak check at module removal: what the module allocated and did
	// not free. Free memory that did not come back for another reason (page
	// cache a GFP_KERNEL allocation reclaimed) is memory_restored's business.
	noLeaks := len(h.Leaks) == 0
	var out []CheckResult
	add := func(name string, want *bool, got bool, detail func() i18n.Text) {
		if want == nil {
			return
		}
		res := CheckResult{Name: name, Want: i18n.Plain(strconv.FormatBool(*want)), Pass: got == *want}
		if !res.Pass {
			res.Got = messages.T("bool-detail", strconv.FormatBool(got), detail())
		}
		out = append(out, res)
	}
	add("clean", e.Clean, noBugs && noLeaks && restored, h.Problems)
	add("no_leaks", e.NoLeaks, noLeaks, h.Problems)
	add("no_bugs", e.NoBugs, noBugs, h.Problems)
	add("memory_restored", e.MemoryRestored, restored, h.Problems)
	return out
}

// Problems summarises what is wrong with the kernel, for expected-versus-actual.
func (h Health) Problems() i18n.Text {
	var ps []i18n.Text
	for _, b := range h.Bugs {
		ps = append(ps, i18n.Plain(b.Title))
	}
	if len(h.Leaks) > 0 {
		ps = append(ps, messages.T("leak-reports", len(h.Leaks)))
	}
	switch {
	case !h.Memory.Checked:
		ps = append(ps, messages.T("memory-"+h.Memory.Reason))
	case !h.Memory.Restored:
		ps = append(ps, h.Memory.Diffs...)
	}
	for _, f := range h.Findings {
		ps = append(ps, f.Text)
	}
	if len(ps) == 0 {
		return messages.T("healthy")
	}
	return i18n.Join(ps, "; ")
}

// checkBug looks for a report of the expected class (and line and title).
func (r *runner) checkBug(b *lesson.BugExpect) CheckResult {
	want := i18n.Plain(b.Class)
	if b.Line > 0 {
		want = messages.T("bug-at-line", b.Class, b.Line)
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
	res.Got = messages.T("reports-seen", strings.Join(seen, ", "))
	if len(seen) == 0 {
		res.Got = messages.T("no-report")
	}
	return res
}

// checkProc checks a /proc file as read after its step, or now.
func (r *runner) checkProc(p *lesson.ProcExpect) []CheckResult {
	name := "proc " + p.File
	if p.Step > 0 {
		name += fmt.Sprintf(" (step %d)", p.Step)
	}
	text, ok := r.procAt[p]
	if p.Step == 0 {
		var err error
		text, err = r.m.Kernel().ReadProc(p.File)
		if err != nil {
			return []CheckResult{{Name: name, Want: messages.T("the-file"), Got: i18n.Plain(errText(err))}}
		}
	} else if !ok {
		return []CheckResult{{Name: name, Want: messages.T("the-file"), Got: messages.T("step-not-run")}}
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	var out []CheckResult
	for i := range p.Has {
		res := CheckResult{Name: name, Want: i18n.Plain(p.Has[i].String()), Got: messages.T("missing-line")}
		for _, l := range lines {
			if p.Has[i].Match(l) {
				res.Pass, res.Got = true, i18n.Text{}
				break
			}
		}
		out = append(out, res)
	}
	return append(out, absent(name, p.NotHas, lines)...)
}

// checkCalls counts the recorded calls that match c. When the count is
// wrong, the feedback shows the calls to the same functions that did not
// count (other arguments, another context, freed too early, did nothing).
func (r *runner) checkCalls(c *lesson.CallExpect, calls []kruntime.Call) CheckResult {
	at := stepsAt{}
	if c.LiveAt != nil {
		at.live = c.LiveAt.Resolve(r.steps)
	}
	if c.Step != nil {
		at.made = c.Step.Resolve(r.steps)
	}
	n := 0
	var total uint64
	folded := false
	for _, call := range calls {
		if callMatches(c, call, at) {
			n += call.Count
			total = addSizes(total, call.Size, call.Count)
			folded = folded || call.Folded
		}
	}
	lo, hi := c.Bounds()
	res := CheckResult{Name: "calls " + strings.Join(c.Fn, "|"), Want: describeBounds(c, lo, hi)}
	res.Pass = n >= lo && (hi < 0 || n <= hi)
	// A record whose sizes were dropped (folded) cannot show the total is
	// small enough.
	overTotal := c.MaxTotal != nil && (folded || total > *c.MaxTotal)
	switch {
	case c.LiveAt != nil && at.live == 0:
		res.Pass, res.Got = false, messages.T("no-step", c.LiveAt.String())
	case c.Step != nil && at.made == 0:
		res.Pass, res.Got = false, messages.T("no-step", c.Step.String())
	case res.Pass && overTotal && folded:
		res.Pass, res.Got = false, messages.T("total-folded", n)
	case res.Pass && overTotal:
		res.Pass, res.Got = false, messages.T("total-over", n, total)
	case !res.Pass:
		res.Got = i18n.Join(append([]i18n.Text{messages.T("n-calls", n)}, otherCalls(c, calls, at)...), "; ")
	}
	return res
}

// stepsAt are the steps a calls: expectation names, resolved: live, the
// step its objects must be live at (live_at:), and made, the step the
// calls must have been made in (step:); 0 when not asked.
type stepsAt struct{ live, made int }

// callMatches reports whether call counts for c.
func callMatches(c *lesson.CallExpect, call kruntime.Call, at stepsAt) bool {
	return call.Count > 0 && call.Noop == c.Noop && fnMatches(c, call) && argsMatch(c, call) &&
		(c.Step == nil || int(call.Step) == at.made) && fateMatches(c, call, at.live)
}

func fnMatches(c *lesson.CallExpect, call kruntime.Call) bool {
	for _, fn := range c.Fn {
		if fn == call.Fn {
			return true
		}
	}
	return false
}

// argsMatch checks the flags, context and size.
func argsMatch(c *lesson.CallExpect, call kruntime.Call) bool {
	mask := c.GFPMask()
	ctxOK := c.Context == "" || c.Context == call.Context ||
		(c.Context == "atomic" && call.Context != "process")
	sizeOK := c.Size == nil || call.Size == *c.Size && !call.Folded
	sizeOK = sizeOK && (c.MinSize == nil || call.Size >= *c.MinSize && !call.Folded)
	failedOK := c.Failed == nil || *c.Failed == call.Failed
	return uint32(call.GFP)&mask == mask && ctxOK && sizeOK && failedOK
}

// fateMatches checks what became of an allocation's object: live when
// step live began (made before it, not freed before it), freed by one of
// c.FreedBy matching the allocation.
func fateMatches(c *lesson.CallExpect, call kruntime.Call, live int) bool {
	if c.LiveAt != nil && !(call.Object && call.Step < live && (!call.Freed || call.FreedStep >= live)) {
		return false
	}
	if c.Written && !(call.Object && call.Freed && call.Written) {
		return false
	}
	if c.Read && !(call.Object && call.Freed && call.Read) {
		return false
	}
	if c.Holds != nil && !(call.Object && call.Freed && call.Held == *c.Holds) {
		return false
	}
	if c.Has != nil && !(!call.Object && strings.Contains(call.Held, *c.Has)) {
		return false
	}
	if c.Into != nil && !(!call.Object && call.Into == *c.Into) {
		return false
	}
	if len(c.FreedBy) > 0 {
		return call.Object && call.Freed && call.FreeMatch && member(c.FreedBy, call.FreedBy)
	}
	return true
}

func member(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// mergeUnasked merges the records that differ only in what c does not
// ask about (whether the object was written), so that feedback lists "100×"
// once, not "1×" and "99×" with the same words.
func mergeUnasked(c *lesson.CallExpect, calls []kruntime.Call) []kruntime.Call {
	if c.Written && (c.Holds != nil || c.Has != nil) {
		return calls
	}
	var out []kruntime.Call
	at := map[kruntime.Call]int{}
	for _, call := range calls {
		if !c.Written {
			call.Written = false
		}
		if !c.Read {
			call.Read = false
		}
		if c.Holds == nil && c.Has == nil {
			call.Held = ""
		}
		if c.Into == nil {
			call.Into = ""
		}
		key := call
		key.Count = 0
		if i, ok := at[key]; ok {
			out[i].Count += call.Count
			continue
		}
		at[key] = len(out)
		out = append(out, call)
	}
	return out
}

// maxOtherCalls bounds the calls that feedback lists.
const maxOtherCalls = 4

// otherCalls describes the calls to c's functions that did not count, and
// why: what a student needs to see to fix the call.
func otherCalls(c *lesson.CallExpect, calls []kruntime.Call, at stepsAt) []i18n.Text {
	var out []i18n.Text
	more := 0
	for _, call := range mergeUnasked(c, calls) {
		if call.Count == 0 || !fnMatches(c, call) || callMatches(c, call, at) {
			continue
		}
		if len(out) == maxOtherCalls {
			more += call.Count
			continue
		}
		out = append(out, describeCall(c, call, at))
	}
	if more > 0 {
		out = append(out, messages.T("calls-more", more))
	}
	return out
}

// describeCall says what a call was and why it did not count.
func describeCall(c *lesson.CallExpect, call kruntime.Call, at stepsAt) i18n.Text {
	live := at.live
	args := []i18n.Text{}
	if call.GFP != 0 && !call.Folded {
		args = append(args, i18n.Plain(call.GFP.String()))
	}
	if !call.Folded && (call.Size != 0 || c.Size != nil || c.MinSize != nil) {
		args = append(args, messages.T("calls-size", call.Size))
	}
	args = append(args, messages.T("calls-in", call.Context))
	var why i18n.Text
	switch {
	case c.Noop && !call.Noop:
		why = messages.T("why-not-noop")
	case call.Noop && !c.Noop:
		why = messages.T("why-noop")
	case c.Failed != nil && *c.Failed != call.Failed && call.Failed:
		why = messages.T("why-failed")
	case c.Failed != nil && *c.Failed != call.Failed:
		why = messages.T("why-succeeded")
	case c.MinSize != nil && !call.Folded && call.Size < *c.MinSize && (c.Size == nil || *c.Size == call.Size):
		why = messages.T("why-small", *c.MinSize)
	case !argsMatch(c, call):
		why = messages.T("why-args")
	case c.Step != nil && int(call.Step) != at.made:
		why = messages.T("why-other-step", call.Step, c.Step.String())
	case c.Has != nil && !call.Object && !strings.Contains(call.Held, *c.Has):
		why = messages.T("why-has", call.Held)
	case c.Into != nil && !call.Object && call.Into == "":
		why = messages.T("why-into-other", *c.Into)
	case c.Into != nil && !call.Object && call.Into != *c.Into:
		why = messages.T("why-into", call.Into, *c.Into)
	case (c.LiveAt != nil || len(c.FreedBy) > 0) && !call.Object:
		why = messages.T("why-no-object")
	case c.LiveAt != nil && call.Step >= live:
		why = messages.T("why-late", call.Step, c.LiveAt.String())
	case c.LiveAt != nil && call.Freed && call.FreedStep < live:
		why = messages.T("why-freed-early", call.FreedStep, c.LiveAt.String())
	case !call.Freed:
		why = messages.T("why-not-freed")
	case c.Written && !call.Written:
		why = messages.T("why-unwritten")
	case c.Read && !call.Read:
		why = messages.T("why-unread")
	case c.Holds != nil && call.Held != *c.Holds:
		why = messages.T("why-held", call.Held)
	default:
		why = messages.T("why-freed-by", call.FreedBy)
	}
	return messages.T("call-seen", call.Count, call.Fn, i18n.Join(args, ", "), call.Pos, why)
}

func describeBounds(c *lesson.CallExpect, lo, hi int) i18n.Text {
	var count i18n.Text
	switch {
	case lo == hi:
		count = messages.T("calls-exactly", lo)
	case hi < 0:
		count = messages.T("calls-at-least", lo)
	default:
		count = messages.T("calls-between", lo, hi)
	}
	parts := []i18n.Text{count}
	if c.GFP != "" {
		parts = append(parts, messages.T("calls-with", c.GFP))
	}
	if c.Size != nil {
		parts = append(parts, messages.T("calls-size", *c.Size))
	}
	if c.MinSize != nil {
		parts = append(parts, messages.T("calls-min-size", *c.MinSize))
	}
	if c.Context != "" {
		parts = append(parts, messages.T("calls-in", c.Context))
	}
	if c.Noop {
		parts = append(parts, messages.T("calls-noop"))
	}
	if c.MaxTotal != nil {
		parts = append(parts, messages.T("calls-max-total", *c.MaxTotal))
	}
	if c.Failed != nil && *c.Failed {
		parts = append(parts, messages.T("calls-failed"))
	} else if c.Failed != nil {
		parts = append(parts, messages.T("calls-succeeded"))
	}
	freedBy := strings.Join(c.FreedBy, " | ")
	switch {
	case c.LiveAt != nil && len(c.FreedBy) > 0:
		parts = append(parts, messages.T("calls-live-freed", c.LiveAt.String(), freedBy))
	case c.LiveAt != nil:
		parts = append(parts, messages.T("calls-live-at", c.LiveAt.String()))
	case len(c.FreedBy) > 0:
		parts = append(parts, messages.T("calls-freed-by", freedBy))
	}
	if c.Step != nil {
		parts = append(parts, messages.T("calls-made-in", c.Step.String()))
	}
	if c.Written {
		parts = append(parts, messages.T("calls-written"))
	}
	if c.Read {
		parts = append(parts, messages.T("calls-read"))
	}
	if c.Holds != nil {
		parts = append(parts, messages.T("calls-holds", *c.Holds))
	}
	switch {
	case c.Has != nil && c.Into != nil:
		parts = append(parts, messages.T("calls-has-into", *c.Has, *c.Into))
	case c.Has != nil:
		parts = append(parts, messages.T("calls-has", *c.Has))
	case c.Into != nil:
		parts = append(parts, messages.T("calls-into", *c.Into))
	}
	return i18n.Join(parts, " ")
}

// reads returns the machine's record of device reads, if it keeps one.
func (r *runner) reads() []kruntime.Read {
	if m, ok := r.m.(interface{ Reads() []kruntime.Read }); ok {
		return m.Reads()
	}
	return nil
}

// checkRead looks for a file whose reads returned what e expects, every
// byte written by the read handler.
func (r *runner) checkRead(e *lesson.ReadExpect, reads []kruntime.Read) CheckResult {
	name := "reads"
	if e.Dev != "" {
		name += " " + e.Dev
	}
	step := 0
	if e.Step != nil {
		name += " in step " + e.Step.String()
		if step = e.Step.Resolve(r.steps); step == 0 {
			return CheckResult{Name: name, Want: wantRead(e), Got: messages.T("no-step", e.Step.String())}
		}
	}
	res := CheckResult{Name: name, Want: wantRead(e)}
	var seen []i18n.Text
	for _, rd := range reads {
		if e.Dev != "" && rd.Path != e.Dev || step != 0 && rd.Step != step {
			continue
		}
		data := string(rd.Data)
		ok := e.Text != nil && data == *e.Text && !rd.Truncated || e.Text == nil && strings.Contains(data, e.Has)
		if ok && rd.Forged == 0 {
			res.Pass = true
			return res
		}
		seen = append(seen, describeRead(rd))
	}
	if len(seen) == 0 {
		res.Got = messages.T("no-reads")
	} else {
		res.Got = i18n.Join(seen, "; ")
	}
	return res
}

// checkObjects looks at what the objects of a cache held when the
// expectation's step began.
func (r *runner) checkObjects(e *lesson.ObjectExpect) CheckResult {
	res := CheckResult{Name: "objects " + e.Cache + " at step " + e.Step.String(),
		Want: messages.T("objects-has", e.Cache, strconv.Quote(e.Has))}
	seen, ok := r.objAt[e]
	switch {
	case !ok:
		res.Got = messages.T("step-not-run")
	case seen.holding > 0:
		res.Pass = true
	case seen.objects == 0:
		res.Got = messages.T("objects-none", e.Cache)
	default:
		res.Got = messages.T("objects-lack", seen.objects, e.Cache)
	}
	return res
}

// checkDangling looks at the pointers the module kept when the
// no_dangling: step began.
func (r *runner) checkDangling(e *lesson.Expect) CheckResult {
	res := CheckResult{Name: "no_dangling at step " + e.NoDangling.String(), Want: messages.T("no-dangling")}
	names, ok := r.dangAt[e]
	switch {
	case !ok:
		res.Got = messages.T("step-not-run")
	case len(names) == 0:
		res.Pass = true
	default:
		res.Got = messages.T("dangling", strings.Join(names, ", "))
	}
	return res
}

func wantRead(e *lesson.ReadExpect) i18n.Text {
	if e.Text != nil {
		return messages.T("read-text", strconv.Quote(*e.Text))
	}
	return messages.T("read-has", strconv.Quote(e.Has))
}

// maxShownRead bounds the bytes of a read that feedback quotes.
const maxShownRead = 80

// describeRead says what one file's reads returned.
func describeRead(rd kruntime.Read) i18n.Text {
	data := rd.Data
	more := ""
	if len(data) > maxShownRead || rd.Truncated {
		data, more = data[:min(len(data), maxShownRead)], "…"
	}
	t := messages.T("read-got", rd.Path, rd.Step, strconv.Quote(string(data))+more)
	if rd.Forged > 0 {
		t = i18n.Join([]i18n.Text{t, messages.T("read-forged", rd.Forged)}, " ")
	}
	return t
}

// errText is an error's message: strerror's text for an errno.
func errText(err error) string {
	var e kernelsim.Errno
	if errors.As(err, &e) {
		return e.Error()
	}
	return err.Error()
}

// addSizes returns total + size*count for max_total, saturating at the
// largest uint64: a wrapped sum would let huge size arguments (a copy of
// 2^64-8 bytes, which fails) add up to a small total.
func addSizes(total, size uint64, count int) uint64 {
	hi, prod := bits.Mul64(size, uint64(max(count, 0)))
	sum, carry := bits.Add64(total, prod, 0)
	if hi != 0 || carry != 0 {
		return math.MaxUint64
	}
	return sum
}
