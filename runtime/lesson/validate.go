package lesson

import (
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/shell"
)

// The forms of names and specs a lesson gives, matched by hand: compiling
// their regular expressions cost every lesson run more than matching
// (TestNameForms checks each against its expression).
//
//	isIdent      ^[A-Za-z_][A-Za-z0-9_]*$
//	isCheckID    ^[A-Za-z0-9][A-Za-z0-9_.-]*$
//	isFailSpec   ^[a-z_]+(:[a-z_]+=[^,\s]+(,[a-z_]+=[^,\s]+)*)?$
//	isFailNth    ^[a-z_]+:nth=[1-9][0-9]*$   (the one spec fail_each: and fail_kept: work with)

func isLower(c byte) bool { return c >= 'a' && c <= 'z' || c == '_' }
func isAlpha(c byte) bool { return isLower(c) || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// all reports whether s is not empty and every byte of it is ok.
func all(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return s != ""
}

func isIdent(s string) bool {
	return s != "" && isAlpha(s[0]) && (len(s) == 1 || all(s[1:], func(c byte) bool { return isAlpha(c) || isDigit(c) }))
}

func isCheckID(s string) bool {
	return s != "" && (isAlpha(s[0]) && s[0] != '_' || isDigit(s[0])) &&
		(len(s) == 1 || all(s[1:], func(c byte) bool { return isAlpha(c) || isDigit(c) || c == '.' || c == '-' }))
}

func isFailSpec(s string) bool {
	name, args, hasArgs := strings.Cut(s, ":")
	if !all(name, isLower) {
		return false
	}
	if !hasArgs {
		return true
	}
	for _, kv := range strings.Split(args, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !all(k, isLower) || !all(v, func(c byte) bool { return !strings.ContainsRune("\t\n\f\r ", rune(c)) }) {
			return false
		}
	}
	return true
}

func isFailNth(s string) bool {
	name, n, ok := strings.Cut(s, ":nth=")
	return ok && all(name, isLower) && n != "" && n[0] != '0' && all(n, isDigit)
}

// contexts are the execution contexts a calls: expectation may name.
var contexts = []string{"process", "softirq", "hardirq", "atomic"}

// visibilities are Gradescope's test visibility levels.
var visibilities = []string{"visible", "hidden", "after_due_date", "after_published"}

// validate checks what a run relies on and prepares the compiled forms
// (step scripts, regexps, GFP masks). It returns every problem found.
func (l *Lesson) validate() ErrorList {
	// Steps and captures written alike (a lesson's checks repeat "make",
	// "sudo insmod x.ko", `dmesg | grep "major number"`) are parsed and
	// compiled once: a parsed script and a compiled expression are only
	// read afterwards (the shell runs a script without changing it), so
	// the steps may share them.
	l.memo = &validateMemo{scripts: map[string]*shell.Script{}, res: map[string]*regexp.Regexp{}}
	defer func() { l.memo = nil }()
	var errs ErrorList
	if strings.TrimSpace(l.ID) == "" {
		errs = append(errs, l.errorAt(Pos{1, 1}, "id: missing: every lesson needs an id such as 01_kmalloc"))
	}
	if l.Module != "" && !isIdent(l.Module) {
		errs = append(errs, l.errorAt(l.keyPos("module"), "module: %q is not a module name (letters, digits and _)", l.Module))
	}
	errs = append(errs, l.checkMachine()...)
	for _, p := range l.Programs {
		if !strings.HasSuffix(p, ".star") {
			errs = append(errs, l.errorAt(l.keyPos("programs"), "programs: %q: want a .star file of user programs", p))
		}
	}
	errs = append(errs, l.checkSteps(l.Scenario)...)
	errs = append(errs, l.checkExpect(l.Expect, l.stepsOf(nil))...)
	if x := l.Exercise; x != nil {
		errs = append(errs, l.checkExercise(x)...)
	}
	return errs
}

func (l *Lesson) checkSteps(steps []Step) ErrorList {
	var errs ErrorList
	for i := range steps {
		errs = append(errs, l.checkStep(&steps[i])...)
	}
	return errs
}

// checkStep parses a step's command text and compiles its captures.
func (l *Lesson) checkStep(s *Step) ErrorList {
	if strings.TrimSpace(s.Run) == "" {
		return ErrorList{l.errorAt(s.Pos, "scenario step: empty command")}
	}
	m := l.memo
	if m == nil { // not from validate
		m = &validateMemo{scripts: map[string]*shell.Script{}, res: map[string]*regexp.Regexp{}}
	}
	script := m.scripts[s.Run]
	if script == nil {
		var err error
		script, err = shell.Parse(s.Run)
		var se *shell.SyntaxError
		if errors.As(err, &se) {
			return ErrorList{l.errorAt(l.stepPos(s, se.Pos), "scenario step: %s", se.Msg)}
		}
		m.scripts[s.Run] = script
	}
	s.Script = script
	var errs ErrorList
	for i := range s.Capture {
		c := &s.Capture[i]
		if !isIdent(c.Name) {
			errs = append(errs, l.errorAt(c.Pos, "capture: %q is not a shell variable name", c.Name))
			continue
		}
		re := m.res[c.Pattern]
		if re == nil {
			var err error
			re, err = regexp.Compile(c.Pattern)
			if err != nil {
				errs = append(errs, l.errorAt(c.Pos, "capture %s: %s", c.Name, reError(err)))
				continue
			}
			m.res[c.Pattern] = re
		}
		c.Re = re
	}
	return errs
}

// validateMemo holds what validate parsed and compiled, by text.
type validateMemo struct {
	scripts map[string]*shell.Script
	res     map[string]*regexp.Regexp
}

// stepPos maps a position in a step's command text to the file.
func (l *Lesson) stepPos(s *Step, p shell.Pos) Pos {
	if s.RunPos.Line == 0 {
		return s.Pos
	}
	if s.RunPos.Col == 0 { // a block scalar: the text starts on its own lines
		line := s.RunPos.Line + p.Line - 1
		src := l.SourceLine(line)
		indent := len(src) - len(strings.TrimLeft(src, " "))
		return Pos{line, indent + p.Col}
	}
	if p.Line == 1 {
		return Pos{s.RunPos.Line, s.RunPos.Col + p.Col - 1}
	}
	return Pos{s.RunPos.Line + p.Line - 1, p.Col}
}

func (l *Lesson) checkMatchers(key string, ms []Matcher) ErrorList {
	var errs ErrorList
	for i := range ms {
		if err := ms[i].compile(); err != nil {
			errs = append(errs, l.errorAt(ms[i].Pos, "%s: %s", key, err))
		} else if key != "dmesg" && len(ms[i].checks) > 0 {
			errs = append(errs, l.errorAt(ms[i].Pos, "%s: {{%s}} is checked against the module's allocations: only dmesg: lines may use it", key, ms[i].checks[0]))
		}
	}
	return errs
}

// checkExpect compiles an expectation; own is the scenario it applies to
// (nil for the default scenario, which has at least 5 steps).
func (l *Lesson) checkExpect(e *Expect, own []Step) ErrorList {
	if e == nil {
		return nil
	}
	steps := len(own)
	if own == nil {
		steps = 5
	}
	var errs ErrorList
	errs = append(errs, l.checkMatchers("dmesg", e.Dmesg)...)
	errs = append(errs, l.checkMatchers("dmesg_not", e.DmesgNot)...)
	errs = append(errs, l.checkMatchers("stdout", e.Stdout)...)
	if e.Insmod != nil {
		if err := e.Insmod.compile(); err != nil {
			errs = append(errs, l.errorAt(e.Insmod.Pos, "insmod: %s", err))
		} else if len(e.Insmod.checks) > 0 {
			errs = append(errs, l.errorAt(e.Insmod.Pos, "insmod: {{%s}} is checked against the module's allocations: only dmesg: lines may use it", e.Insmod.checks[0]))
		}
	}
	for _, cmd := range e.ExitCommands() {
		if code := e.ExitCode[cmd]; strings.TrimSpace(cmd) == "" || code < 0 || code > 255 {
			errs = append(errs, l.errorAt(e.Pos, "exit_code: %q: %d: want a command and a status 0 to 255", cmd, code))
		}
	}
	for i := range e.Bugs {
		errs = append(errs, l.checkBug(&e.Bugs[i])...)
	}
	for i := range e.Proc {
		errs = append(errs, l.checkProc(&e.Proc[i], steps)...)
	}
	for i := range e.Calls {
		errs = append(errs, l.checkCall(&e.Calls[i], own)...)
	}
	for i := range e.Reads {
		errs = append(errs, l.checkRead(&e.Reads[i], own)...)
	}
	for i := range e.Objects {
		errs = append(errs, l.checkObjects(&e.Objects[i], own)...)
	}
	switch r := e.NoDangling; {
	case r == nil:
	case r.Cmd == "true" || r.Cmd == "false":
		errs = append(errs, l.errorAt(r.Pos, "no_dangling: %s: give the step at whose start the module's pointers are looked at, such as rmmod, not a boolean", r))
	case !stepExists(*r, l.stepsOf(own)):
		errs = append(errs, l.errorAt(r.Pos, "no_dangling: %s: no such step in the scenario; give a step number or a command such as rmmod", r))
	}
	return errs
}

func (l *Lesson) checkObjects(o *ObjectExpect, own []Step) ErrorList {
	var errs ErrorList
	if o.Cache == "" {
		errs = append(errs, l.errorAt(o.Pos, "objects: cache: give the name of the module's kmem_cache, such as student_cache"))
	}
	if o.Has == "" {
		errs = append(errs, l.errorAt(o.Pos, "objects: has: give the bytes an object must hold, such as \"student0\""))
	}
	if o.Step == nil {
		errs = append(errs, l.errorAt(o.Pos, "objects: step: give the step at whose start the objects are read, such as rmmod"))
	} else if !stepExists(*o.Step, l.stepsOf(own)) {
		errs = append(errs, l.errorAt(o.Step.Pos, "objects: step: %s: no such step in the scenario; give a step number or a command such as rmmod", o.Step))
	}
	return errs
}

func (l *Lesson) checkBug(b *BugExpect) ErrorList {
	if strings.TrimSpace(b.Class) == "" {
		return ErrorList{l.errorAt(b.Pos, "bugs: class: missing: name a report class such as double-free")}
	}
	if b.Line < 0 {
		return ErrorList{l.errorAt(b.Pos, "bugs: line: %d: want a script line number", b.Line)}
	}
	if b.Title != "" {
		re, err := regexp.Compile(b.Title)
		if err != nil {
			return ErrorList{l.errorAt(b.Pos, "bugs: title: %s", reError(err))}
		}
		b.title = re
	}
	return nil
}

func (l *Lesson) checkProc(p *ProcExpect, steps int) ErrorList {
	var errs ErrorList
	if !strings.HasPrefix(p.File, "/proc/") {
		errs = append(errs, l.errorAt(p.Pos, "proc: file: %q: want a /proc file such as /proc/slabinfo", p.File))
	}
	if p.Step < 0 || p.Step > steps {
		errs = append(errs, l.errorAt(p.Pos, "proc: step: %d: want a scenario step from 1 to %d", p.Step, steps))
	}
	if p.Re != "" {
		p.Has = append([]Matcher{{Re: p.Re, Pos: p.Pos}}, p.Has...)
		p.Re = ""
	}
	if len(p.Has) == 0 && len(p.NotHas) == 0 {
		errs = append(errs, l.errorAt(p.Pos, "proc: give re:, has: or not: lines to check in %s", p.File))
	}
	errs = append(errs, l.checkMatchers("proc has", p.Has)...)
	errs = append(errs, l.checkMatchers("proc not", p.NotHas)...)
	return errs
}

func (l *Lesson) checkCall(c *CallExpect, steps []Step) ErrorList {
	var errs ErrorList
	if c.LiveAt != nil && !stepExists(*c.LiveAt, steps) {
		errs = append(errs, l.errorAt(c.LiveAt.Pos, "calls: live_at: %s: no such step in the scenario; give a step number or a command such as rmmod", c.LiveAt))
	}
	if c.Step != nil && !stepExists(*c.Step, steps) {
		errs = append(errs, l.errorAt(c.Step.Pos, "calls: step: %s: no such step in the scenario; give a step number or a command such as insmod", c.Step))
	}
	for _, fn := range c.FreedBy {
		if !member(freeFuncs, fn) {
			errs = append(errs, l.errorAt(c.Pos, "calls: freed_by: %q: want one of %s", fn, strings.Join(freeFuncs, ", ")))
		}
	}
	if len(c.Fn) == 0 {
		errs = append(errs, l.errorAt(c.Pos, "calls: fn: missing: name the kernel function, e.g. fn: vmalloc"))
	}
	if c.GFP != "" {
		mask, err := parseGFP(c.GFP)
		if err != nil {
			errs = append(errs, l.errorAt(c.Pos, "calls: gfp: %s", err))
		}
		c.gfp = mask
	}
	if c.Context != "" && !member(contexts, c.Context) {
		errs = append(errs, l.errorAt(c.Pos, "calls: context: %q: want one of %s", c.Context, strings.Join(contexts, ", ")))
	}
	for _, n := range []*int{c.Count, c.Min, c.Max} {
		if n != nil && *n < 0 {
			errs = append(errs, l.errorAt(c.Pos, "calls: a count cannot be negative"))
		}
	}
	if c.Has != nil {
		for _, fn := range c.Fn {
			if !member(writeFuncs, fn) {
				errs = append(errs, l.errorAt(c.Pos, "calls: has: %q is not a memory or string helper: has: checks what one of %s wrote at its destination (for what an allocation's object held when it was freed, use holds:)", fn, strings.Join(writeFuncs, ", ")))
			}
		}
		switch {
		case *c.Has == "":
			errs = append(errs, l.errorAt(c.Pos, "calls: has: empty: give the bytes the destination must hold"))
		case len(*c.Has) > maxHas:
			errs = append(errs, l.errorAt(c.Pos, "calls: has: %d bytes: kscript keeps the first %d bytes a helper wrote", len(*c.Has), maxHas))
		}
	}
	if c.Into != nil {
		for _, fn := range c.Fn {
			if !member(writeFuncs, fn) {
				errs = append(errs, l.errorAt(c.Pos, "calls: into: %q is not a memory or string helper: into: checks where one of %s wrote", fn, strings.Join(writeFuncs, ", ")))
			}
		}
		if !isIdent(*c.Into) {
			errs = append(errs, l.errorAt(c.Pos, "calls: into: %q: give the name of the module's global that holds the static_buffer (into: name_buf)", *c.Into))
		}
	}
	if c.Noop && (c.LiveAt != nil || len(c.FreedBy) > 0 || c.Written || c.Read || c.Holds != nil || c.Has != nil || c.Into != nil || c.Failed != nil || c.MinSize != nil) {
		errs = append(errs, l.errorAt(c.Pos, "calls: noop: true counts calls that did nothing (a free of NULL, a copy of 0 bytes): it cannot also ask for an object, what was written, a size of at least N or a failure"))
	}
	if c.Count != nil && (c.Min != nil || c.Max != nil) {
		errs = append(errs, l.errorAt(c.Pos, "calls: give count or min/max, not both"))
	}
	if c.Min != nil && c.Max != nil && *c.Min > *c.Max {
		errs = append(errs, l.errorAt(c.Pos, "calls: min %d is above max %d", *c.Min, *c.Max))
	}
	return errs
}

// parseGFP parses "GFP_KERNEL|__GFP_ZERO" or a number into a mask, with
// Linux 6.1's values.
func parseGFP(s string) (uint32, error) {
	var mask uint32
	for _, name := range strings.Split(s, "|") {
		name = strings.TrimSpace(name)
		if v, err := strconv.ParseUint(name, 0, 32); err == nil {
			mask |= uint32(v)
			continue
		}
		found := false
		for _, f := range kernelsim.GFPFlagNames() {
			if f.Name == name {
				mask |= uint32(f.Mask)
				found = true
			}
		}
		if !found {
			return 0, errors.New("unknown GFP flag " + strconv.Quote(name))
		}
	}
	return mask, nil
}

func (l *Lesson) checkExercise(x *Exercise) ErrorList {
	var errs ErrorList
	seen := map[string]bool{}
	for i := range x.Checks {
		c := &x.Checks[i]
		switch {
		case !isCheckID(c.ID):
			errs = append(errs, l.errorAt(c.Pos, "checks: id: %q: want a name such as handles-enomem", c.ID))
		case seen[c.ID]:
			errs = append(errs, l.errorAt(c.Pos, "checks: id %q is used twice", c.ID))
		}
		seen[c.ID] = true
		errs = append(errs, l.checkCheck(c)...)
	}
	if x.Points < 0 {
		errs = append(errs, l.errorAt(x.Pos, "exercise: points: %d: want a positive total", x.Points))
	}
	return errs
}

func (l *Lesson) checkCheck(c *Check) ErrorList {
	var errs ErrorList
	if c.Points < 0 {
		errs = append(errs, l.errorAt(c.Pos, "check %s: points: %d: want 0 or more", c.ID, c.Points))
	}
	if c.Visibility != "" && !member(visibilities, c.Visibility) {
		errs = append(errs, l.errorAt(c.Pos, "check %s: visibility: %q: want one of %s", c.ID, c.Visibility, strings.Join(visibilities, ", ")))
	}
	if c.Hidden && c.Visibility != "" && c.Visibility != "hidden" {
		errs = append(errs, l.errorAt(c.Pos, "check %s: hidden: true contradicts visibility: %s", c.ID, c.Visibility))
	}
	for _, spec := range c.Fail {
		if !isFailSpec(spec) {
			errs = append(errs, l.errorAt(c.Pos, "check %s: fail: %q: want a spec such as kmalloc:nth=1", c.ID, spec))
		}
	}
	if c.FailEach && (len(c.Fail) != 1 || !isFailNth(c.Fail[0])) {
		errs = append(errs, l.errorAt(c.Pos, "check %s: fail_each: true needs one fail: spec TARGET:nth=N, e.g. kmalloc:nth=1", c.ID))
	}
	if c.FailKept && (len(c.Fail) != 1 || !isFailNth(c.Fail[0])) {
		errs = append(errs, l.errorAt(c.Pos, "check %s: fail_kept: true needs one fail: spec TARGET:nth=N, e.g. kmalloc:nth=50", c.ID))
	}
	errs = append(errs, l.checkSteps(c.Scenario)...)
	errs = append(errs, l.checkExpect(c.Expect, l.stepsOf(c.Scenario))...)
	return errs
}

func member(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ExitCommands returns the commands of exit_code:, sorted.
func (e *Expect) ExitCommands() []string {
	cmds := make([]string, 0, len(e.ExitCode))
	for c := range e.ExitCode {
		cmds = append(cmds, c)
	}
	sort.Strings(cmds)
	return cmds
}

func (l *Lesson) checkRead(r *ReadExpect, steps []Step) ErrorList {
	var errs ErrorList
	if r.Dev != "" && !strings.HasPrefix(r.Dev, "/dev/") {
		errs = append(errs, l.errorAt(r.Pos, "reads: dev: %q: want a device file such as /dev/kmsg_dev", r.Dev))
	}
	if r.Step != nil && !stepExists(*r.Step, steps) {
		errs = append(errs, l.errorAt(r.Step.Pos, "reads: step: %s: no such step in the scenario; give a step number or a command such as ./reader", r.Step))
	}
	if (r.Text == nil) == (r.Has == "") {
		errs = append(errs, l.errorAt(r.Pos, "reads: give text: (every byte read) or has: (bytes the reads contain), one of them"))
	}
	return errs
}

// stepsOf returns the steps of an expectation's scenario: the check's own,
// else the lesson's, else nil for the default scenario.
func (l *Lesson) stepsOf(own []Step) []Step {
	if len(own) > 0 {
		return own
	}
	return l.Scenario
}

// freeFuncs are the functions freed_by: may name.
var freeFuncs = []string{"__free_page", "__free_pages", "free_page", "free_pages", "kfree", "kfree_sensitive",
	"kmem_cache_free", "krealloc", "kvfree", "vfree"}

// writeFuncs are the memory and string helpers whose calls record what
// they wrote at their destination (calls: has:).
var writeFuncs = []string{"memcpy", "memmove", "memset", "snprintf", "sprintf", "strcpy", "strncpy", "strscpy"}

// maxHas is how many bytes of what a helper wrote its call's record keeps
// (runtime's maxHeld).
const maxHas = 128

// defaultCommands are the commands of the default scenario (make, insmod,
// the user programs, rmmod, dmesg).
var defaultCommands = []string{"make", "insmod", "rmmod", "dmesg"}

// stepExists reports whether s names a step of steps (nil: the default
// scenario, whose user programs are not known before the script loads).
func stepExists(s StepRef, steps []Step) bool {
	if steps == nil {
		return s.Cmd == "" && s.N >= 1 && s.N <= 5 || member(defaultCommands, s.Cmd) || strings.HasPrefix(s.Cmd, "./")
	}
	return s.Resolve(steps) > 0
}
