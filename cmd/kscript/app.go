package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/grade/kclone"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario"
)

// Exit codes of the CLI (TEAM.md): usage errors, script and lesson input
// errors, kernel bugs and failed expectations, sandbox limits and kscript's
// own bugs are told apart.
const (
	exitOK       = 0
	exitFailed   = 1 // a kernel BUG/Oops/KASAN/leak, or an expectation failed
	exitUsage    = 2 // a bad flag or argument, a missing file
	exitInput    = 3 // a script or lesson that does not parse or type-check
	exitLimit    = 4 // a sandbox limit stopped a script
	exitInternal = 70
	exitIO       = 74 // kscript's output could not be written (sysexits.h EX_IOERR)
)

// exitError ends a command with an exit code; its message, if any, is
// printed once by kscriptMain.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func fail(code int, format string, args ...any) error {
	return &exitError{code: code, msg: fmt.Sprintf(format, args...)}
}

// app is one invocation of the CLI: its streams, its global flags and how it
// boots machines.
type app struct {
	stdin  io.Reader
	stdout io.Writer // out, or what tests give
	out    *outWriter
	stderr io.Writer
	getenv func(string) string
	// newMachine boots a simulated machine; tests may use a fake.
	newMachine func(kruntime.Options) (scenario.Machine, error)

	flags globalFlags
	lang  string // resolved --lang
	opts  kruntime.Options
	// boot holds the boot images machines are copied from (kclone.Cache):
	// opts.NewKernel copies one when the configuration was booted before.
	boot *kclone.Cache
}

// globalFlags are DESIGN §3's common flags.
type globalFlags struct {
	lang     string
	ram      string
	seed     uint64
	color    string
	maxSteps uint64
	timeout  time.Duration
	fail     []string
	trace    bool
	quiet    bool
	pcp      bool
	kernel   string
	cmdline  string
}

// kscriptMain is the real entry point: it returns the exit code, and every
// error has been printed exactly once when it returns.
func kscriptMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return newApp(stdin, stdout, stderr).main(args)
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	out := &outWriter{w: stdout}
	return &app{stdin: stdin, stdout: out, out: out, stderr: stderr, getenv: os.Getenv,
		newMachine: func(o kruntime.Options) (scenario.Machine, error) { return kruntime.NewMachine(o) }}
}

// outWriter is kscript's standard output. It remembers the first write
// that failed, so that output lost to a full disk or a closed file is
// reported and the exit status says so, as cat and the other coreutils do
// ("write error: No space left on device", exit status not 0), instead of
// a transcript or a grade sheet silently missing with exit 0. (A closed
// pipe needs nothing: Go ends the process with SIGPIPE, as C tools die.)
type outWriter struct {
	w   io.Writer
	mu  sync.Mutex // grading writes results while its progress goroutine runs
	err error
}

func (o *outWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil {
		o.mu.Lock()
		if o.err == nil {
			o.err = err
		}
		o.mu.Unlock()
	}
	return n, err
}

// file is the *os.File under o, if it is one: the terminal checks need it.
func (o *outWriter) file() (*os.File, bool) {
	f, ok := o.w.(*os.File)
	return f, ok
}

// lost is the error a command returns when writing its output to
// standard output failed with err: exit status 74 and the write error,
// reported once by exit, if the failure was the output's; else err as an
// internal error of the command named.
func (a *app) lost(name string, err error) error {
	if a.out.writeError() != nil {
		return &exitError{code: exitIO}
	}
	return fail(exitInternal, "kscript: %s: %v", name, err)
}

// writeError is the first failed write's error, or nil.
func (o *outWriter) writeError() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

func (a *app) main(args []string) int {
	return a.exit(func() error { return a.rootCommand().execute(args) })
}

// exit runs a parsed command line and returns its exit code, having
// printed its error, if any.
func (a *app) exit(execute func() error) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(a.stderr, "kscript: internal error: %v\n", r)
			if a.getenv("KSCRIPT_DEBUG") != "" {
				a.stderr.Write(debug.Stack())
			}
			code = exitInternal
		}
	}()
	err := execute()
	defer func() {
		// Output that could not be written is an error whatever the run
		// found: whoever reads the status must not take a lost transcript
		// or grade sheet for a complete one.
		if werr := a.out.writeError(); werr != nil && (code < exitUsage || code == exitIO) {
			var pe *fs.PathError
			if errors.As(werr, &pe) {
				werr = pe.Err // "write /dev/stdout: " says nothing here
			}
			fmt.Fprintf(a.stderr, "kscript: write error: %v\n", werr)
			code = exitIO
		}
	}()
	// The first run of a configuration (per kscript binary) booted its
	// kernel: its image is written now, after the output, for the runs to
	// come. A folder that cannot be written costs nothing.
	_ = a.boot.Save()
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintln(a.stderr, ee.msg)
		}
		return ee.code
	}
	// Everything else comes from parsing the command line (cli.go): a
	// usage error.
	fmt.Fprintf(a.stderr, "kscript: %v\nRun 'kscript --help' for usage.\n", err)
	return exitUsage
}

func (a *app) rootCommand() *command {
	root := &command{
		use:   "kscript",
		short: "Linux kernel modules as Starlark scripts, on a simulated Linux 6.1 kernel",
		long: `kscript runs Starlark scripts that are Linux kernel modules on kernelsim,
a simulated Linux 6.1 x86-64 kernel, through the shell steps of a workshop
lesson, and reports what the kernel saw: dmesg, /proc, leaks and bugs.`,
		example: `  kscript run lessons/01_kmalloc.star
  kscript shell lessons/01_kmalloc.star -c 'make; sudo insmod hello_kmalloc.ko; dmesg | tail -n 3'
  kscript lint lessons/
  kscript explain 03_atomic --lang th`,
		preRun: a.setup,
		// --version prints versionString, made only then: reading the
		// build information costs every other command's start-up for
		// nothing.
		version: true,
		stdout:  a.stdout,
		stderr:  a.stderr,
	}
	a.addGlobalFlags(root)
	root.addCommand(a.runCommand(), a.shellCommand(), a.lessonsCommand(), a.explainCommand(),
		a.lintCommand(), a.gradeCommand(), a.gradeWorkerCommand(), a.testCommand(), a.newCommand(), a.docCommand(),
		a.publishCommand())
	return root
}

func (a *app) addGlobalFlags(root *command) {
	f := &root.persistent
	g := &a.flags
	f.stringVar(&g.lang, "lang", "", "language of kscript's messages: en or th (default from KSCRIPT_LANG, then LANG)")
	f.stringVar(&g.ram, "ram", "512M", "simulated RAM, e.g. 512M, 4G, 16G")
	f.uint64Var(&g.seed, "seed", 0, "seed of the simulation: same seed, same output byte for byte")
	f.stringVar(&g.color, "color", "auto", "colour: auto, always or never (NO_COLOR is honoured)")
	f.uint64Var(&g.maxSteps, "max-steps", 0, "step budget: Starlark steps one run (one graded submission) may take in all, callbacks and user programs included (default "+strconv.FormatUint(kruntime.DefaultMaxSteps, 10)+")")
	f.durationVar(&g.timeout, "timeout", 0, "wall-time backstop per call into a script; reaching it is an internal error, exit 70 (default "+kruntime.DefaultTimeout.String()+")")
	f.stringArrayVar(&g.fail, "fail", nil, "fault injection, e.g. kmalloc:nth=3 (repeatable)")
	f.boolVar(&g.trace, "trace", false, "log allocator events to stderr")
	f.boolVar(&g.quiet, "quiet", false, "print only the summary, not the transcript")
	f.boolVar(&g.pcp, "pcp", true, "per-CPU page lists, as on Linux; --pcp=false shows every small allocation in /proc/buddyinfo")
	f.stringVar(&g.kernel, "kernel", "debug", "the simulated build: debug (Debian 6.1 with KASAN, kmemleak, SLUB debug, DEBUG_ATOMIC_SLEEP) or stock (Debian 6.1 as shipped)")
	f.stringVar(&g.cmdline, "cmdline", "", "boot parameters added to the kernel command line, e.g. 'kasan_multi_shot slub_debug=P init_on_alloc=0'")
}

// setup validates the global flags and prepares the machine options and
// the colour setting, once per invocation.
func (a *app) setup() error {
	g := &a.flags
	lang, err := resolveLang(g.lang, a.getenv)
	if err != nil {
		return usage("%v", err)
	}
	a.lang = lang
	ram, err := parseSize(g.ram)
	if err != nil {
		return usage("--ram: %v", err)
	}
	if g.timeout < 0 {
		return usage("--timeout: %v: want a positive duration", g.timeout)
	}
	for _, spec := range g.fail {
		if _, err := kernelsim.ParseFailSpec(spec); err != nil {
			return usage("--%v", err)
		}
	}
	if g.kernel != "debug" && g.kernel != "stock" {
		return usage("--kernel: %q: want debug or stock", g.kernel)
	}
	kcfg := kernelsim.Config{RAM: ram, Seed: g.seed, NoPCP: !g.pcp, Stock: g.kernel == "stock", Cmdline: g.cmdline}
	if err := kernelsim.CheckConfig(kcfg); err != nil {
		return usage("--%v", err)
	}
	if err := a.setColor(); err != nil {
		return err
	}
	a.opts = kruntime.Options{
		Kernel:   kcfg,
		MaxSteps: g.maxSteps, Timeout: g.timeout, Fail: g.fail, Trace: g.trace, Lang: lang,
	}
	if g.trace {
		a.opts.TraceOut = a.stderr
	}
	a.boot = kclone.OpenCache(bootCacheDir(a.getenv))
	a.boot.Warm = warmImage
	// Decoded lessons are kept beside the boot images (lesson-*.bin).
	lesson.SetCacheDir(a.boot.Dir())
	a.opts.NewKernel = a.boot.NewKernel
	return nil
}

// bootCacheDir is the folder of the boot images: KSCRIPT_BOOT_CACHE, "off"
// for none, else the user's cache folder's kscript/boot.
func bootCacheDir(getenv func(string) string) string {
	switch d := getenv("KSCRIPT_BOOT_CACHE"); d {
	case "off":
		return ""
	case "":
		return kclone.DefaultCacheDir()
	default:
		return d
	}
}

// usage is a usage error (exit 2) with the hint to --help.
func usage(format string, args ...any) error {
	return fail(exitUsage, "kscript: %s\nRun 'kscript --help' for usage.", fmt.Sprintf(format, args...))
}

// resolveLang picks the language: --lang, then KSCRIPT_LANG, then LANG
// (th_* is Thai), else English.
func resolveLang(flag string, getenv func(string) string) (string, error) {
	if flag != "" {
		if flag != "en" && flag != "th" {
			return "", fmt.Errorf("--lang: %q: want en or th", flag)
		}
		return flag, nil
	}
	if l := getenv("KSCRIPT_LANG"); l == "en" || l == "th" {
		return l, nil
	}
	if strings.HasPrefix(getenv("LANG"), "th") {
		return "th", nil
	}
	return "en", nil
}

// parseSize parses a RAM size: a number with K, M, G or T (powers of 1024,
// optionally followed by "iB" or "B"), or a plain number of bytes.
func parseSize(s string) (uint64, error) {
	t := strings.TrimSuffix(strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(s)), "B"), "I")
	shift := 0
	if t != "" {
		switch t[len(t)-1] {
		case 'K':
			shift = 10
		case 'M':
			shift = 20
		case 'G':
			shift = 30
		case 'T':
			shift = 40
		}
		if shift > 0 {
			t = t[:len(t)-1]
		}
	}
	// A canonical decimal number only ("012", "+5" and "5 " are not), as
	// fmt.Sscanf's %d then a comparison with fmt.Sprint accepted; strconv
	// does it without fmt's scanner, whose code a run otherwise faults in
	// for this one number (some 20 µs).
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != t || n == 0 {
		return 0, fmt.Errorf("%q: want a size such as 512M or 16G", s)
	}
	if shift > 0 && n > 1<<(64-shift)-1 {
		return 0, fmt.Errorf("%q: too large", s)
	}
	return n << shift, nil
}

// setColor sets color.NoColor once from --color, NO_COLOR and the terminal.
func (a *app) setColor() error {
	switch a.flags.color {
	case "always":
		color.NoColor = false
	case "never":
		color.NoColor = true
	case "auto":
		f, ok := a.out.file()
		tty := ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
		color.NoColor = !tty || a.getenv("NO_COLOR") != "" || a.getenv("TERM") == "dumb"
	default:
		return usage("--color: %q: want auto, always or never", a.flags.color)
	}
	return nil
}

// painter colours kscript's summary lines.
func painter() scenario.Painter {
	if color.NoColor {
		// No colours (not a terminal, NO_COLOR, --color never): the text
		// as it is, without color.Sprint's fmt.Sprint copy of every line
		// (a graded batch's results are some thousands of them).
		return func(_ scenario.Style, text string) string { return text }
	}
	styles := map[scenario.Style]*color.Color{
		scenario.Heading: color.New(color.Bold, color.FgCyan),
		scenario.Good:    color.New(color.FgGreen),
		scenario.Bad:     color.New(color.Bold, color.FgRed),
		scenario.Detail:  color.New(color.FgYellow),
	}
	for _, c := range styles {
		// color.New disables a colour whenever NO_COLOR is set; the
		// decision setColor made (--color always beats NO_COLOR) wins.
		c.EnableColor()
	}
	return func(s scenario.Style, text string) string {
		if c, ok := styles[s]; ok {
			return c.Sprint(text)
		}
		return text
	}
}

// warmModule is the module warmImage loads: what most lessons' modules do
// at least (allocate in init, print, free in exit).
const warmModule = `MODULE_LICENSE("GPL")
g = static(buf = NULL)

def warm_init():
    g.buf = kmalloc(128, GFP_KERNEL)
    if not g.buf:
        return -ENOMEM
    pr_info("warm: %p\n", g.buf)
    return 0

def warm_exit():
    kfree(g.buf)

module_init(warm_init)
module_exit(warm_exit)
`

// warmImage runs the default scenario (make, insmod, rmmod, dmesg) of
// warmModule on k, a copy of a boot image about to be written, so that
// the image records the pages of its mapped arenas such a run writes
// (kclone.Cache.Warm). The run and its output go nowhere: the image's
// contents are not changed by it, only which of its pages a copy makes its
// own at once.
func warmImage(k *kernelsim.Kernel) {
	cfg := scenario.Config{Options: kruntime.Options{Kernel: k.Config(), Lang: "en",
		NewKernel: func(kernelsim.Config) (*kernelsim.Kernel, error) { return k, nil }}}
	_, _ = scenario.Run(cfg, scenario.Input{Script: "warm.star", Src: []byte(warmModule)})
}
