// Package lesson reads kscript's lesson files (lessons/NN_name.yaml, DESIGN
// §8): the scenario a lesson's module script runs through, what the run must
// show, the explanation in Thai and English, and, for exercises, the
// autograding checks.
//
// Files are decoded strictly: an unknown key, a wrong type, a regular
// expression that does not compile or a scenario step that does not parse is
// an *Error naming the file, line and column, with the source line — never a
// panic. The schema, field by field, is in lessons/README.md and below.
package lesson

import (
	"regexp"

	"kscript.dev/kscript/runtime/lazyre"

	"kscript.dev/kscript/runtime/shell"
)

// Lesson is one lesson file.
type Lesson struct {
	// ID names the lesson ("03_atomic"); required.
	ID string `yaml:"id"`
	// Module is the module name insmod, lsmod and reports use; empty means
	// the script file's stem.
	Module string `yaml:"module"`
	// Title and Explain are the lesson's name and text, in both languages.
	Title   Text `yaml:"title"`
	Explain Text `yaml:"explain"`
	// Scenario is the list of shell steps; empty means the default scenario
	// (make, insmod, user programs, rmmod, dmesg).
	Scenario []Step `yaml:"scenario"`
	// Expect is what the run must show; nil expects nothing beyond a
	// healthy kernel.
	Expect *Expect `yaml:"expect"`
	// Programs are the lesson's programs files (harness), relative to the
	// lesson file: the user programs its scenario and its checks run. They
	// are loaded beside whatever script runs (the lesson's own, a starter,
	// a submission), and replace any user program that script declares
	// under the same name.
	Programs StringList `yaml:"programs"`
	// Exercise makes the lesson an autograded exercise.
	Exercise *Exercise `yaml:"exercise"`
	// Machine holds the lesson's boot settings (machine.go); nil boots the
	// default machine.
	Machine *Machine `yaml:"machine"`
	// Public marks a lesson's public form (kscript publish): what students
	// get, without the hidden checks, the solution and the lesson's own
	// script. It grades a student's work on the visible checks only;
	// kscript test needs the full form.
	Public bool `yaml:"public"`

	// File is the path the lesson was read from; Script the module script
	// beside it (NN_name.star), whether or not it exists.
	File   string `yaml:"-"`
	Script string `yaml:"-"`
	src    []byte
	memo   *validateMemo // while validate runs
}

// ProgramFiles returns the paths of the lesson's programs files, resolved
// relative to the lesson file.
func (l *Lesson) ProgramFiles() []string {
	var out []string
	for _, p := range l.Programs {
		out = append(out, l.Rel(p))
	}
	return out
}

// Pos is a position in a lesson file.
type Pos struct {
	Line, Col int
}

// Text is a text in both of kscript's languages.
type Text struct {
	EN  string `yaml:"en"`
	TH  string `yaml:"th"`
	Pos Pos    `yaml:"-"` // of the text (its en: key, when it is a mapping)
	// THPos is where the Thai text is written: its th: key.
	THPos Pos `yaml:"-"`
}

// In returns the text in lang ("th" or "en"), falling back to the other.
func (t Text) In(lang string) string {
	if lang == "th" && t.TH != "" || t.EN == "" {
		return t.TH
	}
	return t.EN
}

// Step is one scenario step: a command line, and the values to capture from
// its output into shell variables for later steps ($MAJOR).
//
//	scenario:
//	  - sudo insmod hello.ko                       # a string
//	  - run: sudo dmesg | grep "major number"      # or a mapping
//	    capture: {MAJOR: 'major number (\d+)'}
type Step struct {
	Run     string
	Capture []Capture
	Pos     Pos // of the step
	RunPos  Pos // of the command text's first character
	Script  *shell.Script
}

// Capture sets shell variable Name to the first submatch of Pattern (the
// whole match when it has no group) in a step's output.
type Capture struct {
	Name    string
	Pattern string
	Re      *regexp.Regexp
	Pos     Pos
}

// Expect is what a run must show (DESIGN §8). Every field is optional; a
// boolean expectation asserts both ways (clean: false expects a report).
type Expect struct {
	// Dmesg lines must appear in the kernel log, in this order (other lines
	// may come between). DmesgNot lines must not appear at all.
	Dmesg    []Matcher `yaml:"dmesg"`
	DmesgNot []Matcher `yaml:"dmesg_not"`
	// Stdout lines must appear, in order, in what user space printed: the
	// user programs' output and what cat read from device nodes.
	Stdout []Matcher `yaml:"stdout"`
	// Insmod is "ok" (every insmod succeeded) or the text of insmod's
	// error (matched as a substring, or {re: …}).
	Insmod *Matcher `yaml:"insmod"`
	// ExitCode maps a command as typed ("insmod", "./user_app") to the exit
	// status its last run must have had.
	ExitCode map[string]int `yaml:"exit_code"`
	// Clean is NoLeaks and NoBugs and MemoryRestored together.
	Clean          *bool `yaml:"clean"`
	NoLeaks        *bool `yaml:"no_leaks"`
	NoBugs         *bool `yaml:"no_bugs"`
	MemoryRestored *bool `yaml:"memory_restored"`
	// Bugs are report classes that must have been reported.
	Bugs []BugExpect `yaml:"bugs"`
	// Proc checks /proc files at the end of the run.
	Proc []ProcExpect `yaml:"proc"`
	// Calls checks the kernel's record of the API calls scripts made.
	Calls []CallExpect `yaml:"calls"`
	// Reads checks what user space read from device files, as the
	// kernel delivered it.
	Reads []ReadExpect `yaml:"reads"`
	// Objects checks what the module's kmem_cache objects hold when a
	// step begins: the bytes the module wrote into them.
	Objects []ObjectExpect `yaml:"objects"`
	// NoDangling is a step at whose start no pointer the module keeps in
	// its static() records may point into memory it freed: after kfree(p),
	// p = NULL (lesson 2).
	NoDangling *StepRef `yaml:"no_dangling"`

	Pos Pos `yaml:"-"`
}

// Matcher matches one line: exact text, where {{addr}}, {{num}}, {{hex}}
// and {{any}} stand for values that vary, or a regular expression
// ({re: '…'}, found anywhere in the line).
type Matcher struct {
	Text string
	Re   string
	Pos  Pos
	re   *lazyre.Regexp // compiled on first use
	// For a text: its literal start, before any placeholder, which a
	// matching line must begin with, and whether that is the whole text
	// (no placeholder: the line must equal it). Most lines are told apart
	// by these without running the regular expression.
	lit      string
	litWhole bool
	// checks names the text's checked placeholders ({{pfn}}, {{kptr}}),
	// the regular expression's groups in order.
	checks []string
	// For a regular expression that is only literal text or a choice of
	// literals ("Oops|BUG:|KASAN"): the literals, any of which a matching
	// line contains.
	anyOf []string
}

// BugExpect is a kernel report that must have been made: its class
// ("double-free"), and optionally the script line it names and a regular
// expression its title must match.
//
//	bugs: [double-free]                     # or
//	bugs: [{class: use-after-free, line: 23}]
type BugExpect struct {
	Class string `yaml:"class"`
	Line  int    `yaml:"line"`
	Title string `yaml:"title"`
	Pos   Pos    `yaml:"-"`
	title *regexp.Regexp
}

// ProcExpect checks a /proc file's contents, at the end of the run or right
// after scenario step Step (1-based): every Has line must match some line of
// the file, no NotHas line may. Re is a shorthand for one Has regexp.
//
//	proc:
//	  - {file: /proc/slabinfo, step: 4, re: "^student_cache +100 "}
//	  - {file: /proc/modules, not: [{re: "^hello "}]}
type ProcExpect struct {
	File   string    `yaml:"file"`
	Step   int       `yaml:"step"`
	Re     string    `yaml:"re"`
	Has    []Matcher `yaml:"has"`
	NotHas []Matcher `yaml:"not"`
	Pos    Pos       `yaml:"-"`
}

// CallExpect checks the kernel's record of API calls (DESIGN §8 calls:):
// the calls to any of Fn, with at least the GFP flags named (GFP_KERNEL also
// matches GFP_KERNEL|__GFP_ZERO), in the context named ("process",
// "softirq", "hardirq", or "atomic" for any of the non-process ones), with
// the size argument Size if given (bytes for kmalloc and vmalloc, the order
// for alloc_pages and __get_free_pages) if given, a size argument of at
// least MinSize if given (a copy of 15 or 16 bytes, not of 1), must number
// at least Min (default
// 1) and at most Max; Count sets both.
//
// Only calls that did the work count: a free of NULL, a user copy that
// copied no byte and kmalloc(0) never do. LiveAt counts only allocations
// whose object was still allocated when that scenario step began (made in
// an earlier step, not freed before it); FreedBy only allocations whose
// object was freed by one of those functions, matching the allocation (the
// same order for pages, the same cache for kmem_cache objects); Written
// only allocations whose object held data the module wrote into it (a
// byte that is not zero: the memory comes back zeroed) when it was freed,
// so kfree(kmalloc(n)) does not count; Holds only allocations whose object
// started with exactly that C string when it was freed (what %s of it
// printed), so a line printed from a literal beside a buffer holding
// anything else does not count. Has, for memory and string helpers
// (writeFuncs: memcpy, strscpy, snprintf…), counts only calls whose
// destination, read back from the kernel's memory right after the call,
// holds those bytes within what the call wrote (its first 128 bytes at
// most): a copy of a buffer onto itself, or of another text, does not
// count as copying the text. Into, for the same helpers, counts only
// calls whose destination lay in the static_buffer the module bound to
// that global (into: name_buf): the same text copied into another buffer
// is not the fix of this one. Failed, when given, counts only
// calls that failed (true: the allocation returned NULL, the copy left
// bytes uncopied) or only calls that succeeded (false). Noop counts the
// calls that did nothing instead, and only those: a free of NULL (the
// exit function's kfree of a pointer the module set to NULL), a copy of 0
// bytes; without it they never count. MaxTotal bounds the size arguments
// of the calls that count added together (lesson 8: the copies from user
// space of one 40-byte write add up to at most 32 bytes, however many
// pieces they are made in). Read counts only allocations whose object
// the module read before it was freed (an index, a slice, %s of the
// pointer): lesson 11's uaf prints the first byte it read, before kfree,
// not a byte typed in. Step counts only calls made while that scenario
// step ran (step: insmod, the module's init): an allocation a timer or a
// work item makes after insmod, out of reach of the fault injection of a
// check whose scenario ends with insmod, is not the buffer init made.
//
//	calls:
//	  - {fn: vmalloc}
//	  - {fn: alloc_pages, size: 2}
//	  - {fn: [kmalloc, kzalloc], gfp: GFP_KERNEL, context: atomic, count: 0}
//	  - {fn: vmalloc, live_at: rmmod, freed_by: vfree}
type CallExpect struct {
	Fn       StringList `yaml:"fn"`
	GFP      string     `yaml:"gfp"`
	Context  string     `yaml:"context"`
	Size     *uint64    `yaml:"size"`
	MinSize  *uint64    `yaml:"min_size"`
	Count    *int       `yaml:"count"`
	Min      *int       `yaml:"min"`
	Max      *int       `yaml:"max"`
	LiveAt   *StepRef   `yaml:"live_at"`
	FreedBy  StringList `yaml:"freed_by"`
	Written  bool       `yaml:"written"`
	Holds    *string    `yaml:"holds"`
	Has      *string    `yaml:"has"`
	Into     *string    `yaml:"into"`
	Failed   *bool      `yaml:"failed"`
	Noop     bool       `yaml:"noop"`
	MaxTotal *uint64    `yaml:"max_total"`
	Read     bool       `yaml:"read"`
	Step     *StepRef   `yaml:"step"`
	Pos      Pos        `yaml:"-"`
	gfp      uint32
}

// ReadExpect checks the kernel's record of what user space read from a
// device file: the bytes one open file's read() calls returned, in order,
// each written into the reader's buffer by the read handler during that
// read (copy_to_user, put_user, clear_user) — not what a program printed.
// Some file opened by the name Dev (any device when empty), first read in
// step Step (any when nil), must have returned exactly Text, or bytes
// containing Has.
//
//	reads:
//	  - {dev: /dev/kmsg_dev, step: ./reader, text: "Data from kernel\n"}
//	  - {dev: /dev/uaccess_dev, has: "Hello kernel, from userspace!"}
type ReadExpect struct {
	Dev  string   `yaml:"dev"`
	Step *StepRef `yaml:"step"`
	Text *string  `yaml:"text"`
	Has  string   `yaml:"has"`
	Pos  Pos      `yaml:"-"`
}

// ObjectExpect checks the module's objects of one kmem_cache when a step
// begins: some object the module allocated from cache Cache, still
// allocated then, holds the bytes Has (a C string the module wrote, say).
// The kernel's memory is read, not the log: a module that prints what the
// objects should hold without writing it does not pass.
type ObjectExpect struct {
	Cache string   `yaml:"cache"`
	Step  *StepRef `yaml:"step"`
	Has   string   `yaml:"has"`
	Pos   Pos      `yaml:"-"`
}

// StepRef names a scenario step: by number (1-based), or by its command
// ("rmmod", "./reader", "cat": the first step whose command, after a
// leading sudo, is that word).
type StepRef struct {
	N   int
	Cmd string
	Pos Pos
}

// Exercise is the autograding part of a lesson (DESIGN §8, §9).
type Exercise struct {
	// Starter and Solution are .star files, relative to the lesson file.
	Starter  string `yaml:"starter"`
	Solution string `yaml:"solution"`
	// Points is the declared total; lint checks the checks add up to it.
	// Zero means the sum of the checks' points.
	Points int     `yaml:"points"`
	Checks []Check `yaml:"checks"`
	Pos    Pos     `yaml:"-"`
}

// Check is one autograding check.
type Check struct {
	ID     string `yaml:"id"`
	Points int    `yaml:"points"`
	Title  Text   `yaml:"title"`
	Hint   Text   `yaml:"hint"`
	// Hidden hides the check from students (visibility: hidden);
	// Visibility is Gradescope's: visible, hidden, after_due_date,
	// after_published. Give one or the other.
	Hidden     bool   `yaml:"hidden"`
	Visibility string `yaml:"visibility"`
	// Needs lists checks that must pass first; when one fails this check
	// is skipped, not failed.
	Needs StringList `yaml:"needs"`
	// Fail holds fault-injection specs for this check ("kmalloc:nth=1").
	Fail StringList `yaml:"fail"`
	// FailEach, with a fail: spec TARGET:nth=N, also fails each other call
	// of that kind in turn (nth=1, 2, … until the scenario makes no more
	// such calls, systematic fault injection as syzkaller does with
	// /proc/self/fail-nth): the check passes only when none of those runs
	// has a kernel report (and, when the check expects memory_restored,
	// each restores memory). So a throwaway allocation made first cannot
	// take the injected failure for the one the module uses.
	FailEach bool `yaml:"fail_each"`
	// FailKept, with a fail: spec TARGET:nth=N, ties the injected failure
	// to an allocation the module keeps: when the Nth call of that kind
	// is not one whose object is still allocated at the end of the
	// check's steps, as the same steps run without fault injection show
	// (a throwaway allocation, made and freed first, took it), the check
	// also fails, in a run of its own, the first call after the Nth whose
	// object the module keeps (else the last one before it). That run
	// must end as fail_each:'s runs do. A module that checks the
	// throwaways and not the allocations it keeps loses the check.
	FailKept bool `yaml:"fail_kept"`
	// Scenario replaces the lesson's for this check.
	Scenario []Step  `yaml:"scenario"`
	Expect   *Expect `yaml:"expect"`
	Pos      Pos     `yaml:"-"`
}

// VisibilityOf returns the check's Gradescope visibility.
func (c *Check) VisibilityOf() string {
	switch {
	case c.Visibility != "":
		return c.Visibility
	case c.Hidden:
		return "hidden"
	}
	return "visible"
}

// StringList is a list of strings that may be written as one string.
type StringList []string
