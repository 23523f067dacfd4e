package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/picture"
	"kscript.dev/kscript/runtime/plainfile"
	"kscript.dev/kscript/runtime/scenario"
)

func (a *app) runCommand() *command {
	var lessonFile, report string
	c := &command{
		use:   "run FILE.star...",
		short: "Run a module script through its lesson's scenario (or the default one)",
		long: `run loads FILE.star as a kernel module on a fresh simulated machine and
runs it through the scenario of the lesson beside it (FILE.yaml), or through
the default scenario: make, insmod, the user programs, rmmod, dmesg. It prints
the session as a terminal transcript, then a health summary and, with a
lesson, each expectation. Exit 0 only if the kernel found no bug and every
expectation held.

With --lesson L.yaml, FILE.star (a student's module, a starter, a solution)
runs as that lesson's module through the lesson's scenario, with the
lesson's own user programs (its programs: files, which replace any
user_program of the same name in FILE.star). The lesson's expectations are
for its own script and are not checked: kscript grade judges a submission.

With --report FILE.html, the run is also written as one self-contained HTML
file with pictures of memory after every step.

Several files run one after another in one process, each on a fresh
machine of its own: the output of each is exactly what running it alone
prints, and the exit status is the first non-zero status of the files, in
order (0 when every run passed). One process for several files saves each
file the start of a process.`,
		example: "  kscript run lessons/01_kmalloc.star\n  kscript run lessons/01_kmalloc.star lessons/03_atomic.star lessons/04_alloc_pages.star\n  kscript run --seed 7 --lang th lessons/03_atomic.star\n  kscript run --lesson lessons/08_copy_from_user.yaml my_driver.star\n  kscript run --report run.html lessons/04_alloc_pages.star",
		args:    minimumNArgs(1),
		run:     func(_ *command, args []string) error { return a.runFiles(args, lessonFile, report) },
	}
	c.defineFlags = func(fs *flagSet) {
		fs.stringVar(&lessonFile, "lesson", "", "run FILE.star as the module of this lesson, with its scenario and user programs").exts = []string{"yaml", "yml"}
		fs.stringVar(&report, "report", "", "also write the run as one self-contained HTML `FILE` with a picture of memory per step")
	}
	return c
}

// runFiles runs each file as kscript run FILE would, one after another,
// each on a fresh machine of its own, so that the output is the output of
// separate runs.
//
// With several files, each file's machine is copied from the boot image
// into the memory of the previous file's machine (kclone.CacheLane), which
// nothing uses once that file's output is written: the pages of the
// image's mapped arenas the previous file wrote are the process's own
// already and get the image's bytes back, and the arenas in the heap are
// reused, where a fresh copy would take a copy-on-write fault for each
// page it writes again and allocate its heap arenas anew. The five
// workshop modules in one run: 1,470 -> 1,320 page faults (perf stat -r
// 20), the same output byte for byte (TestRunSeveralFiles).
func (a *app) runFiles(files []string, lessonFile, report string) error {
	applyGCPolicy(a.getenv)
	// Compiled scripts are kept beside the boot images (star-*.bin).
	kruntime.SetProgramCacheDir(a.boot.Dir())
	if len(files) == 1 {
		return a.run(files[0], lessonFile, report)
	}
	if report != "" {
		return usage("run: --report writes the run of one FILE, got %d files", len(files))
	}
	a.opts.NewKernel = a.boot.Lane().NewKernel
	first := 0
	for _, file := range files {
		err := a.run(file, lessonFile, report)
		var ee *exitError
		switch {
		case err == nil:
			continue
		case !errors.As(err, &ee):
			return err
		}
		if ee.msg != "" {
			fmt.Fprintln(a.stderr, ee.msg)
		}
		if first == 0 {
			first = ee.code
		}
	}
	if first != 0 {
		return &exitError{code: first}
	}
	return nil
}

func (a *app) run(file, lessonFile, report string) error {
	prefaultHeap(prefaultHeapBytes)
	in, err := a.runInput(file, lessonFile)
	if err != nil {
		return err
	}
	cfg := a.config()
	var rec *picture.Recorder
	if report != "" {
		rec = &picture.Recorder{}
		cfg.Observer = rec
	}
	res, err := scenario.Run(cfg, in)
	if err != nil {
		return a.withNotes(setupError(err), err, in.Src)
	}
	if rec != nil {
		if err := a.writeReport(report, in.Script, in.Lesson, res, rec); err != nil {
			return err
		}
	}
	// The transcript and the summary go out in one write when nothing
	// comes between them (WriteSummary writes a line at a time: a dozen
	// write(2)s otherwise); the bytes, and their order with stderr's, are
	// the same.
	var out bytes.Buffer
	if !a.flags.quiet {
		out.WriteString(res.Transcript)
	}
	if res.Stopped != nil {
		// The error that stopped the run is shown once, after the
		// transcript that led to it.
		if out.Len() > 0 {
			a.stdout.Write(out.Bytes())
			out.Reset()
		}
		fmt.Fprintln(a.stderr, scenario.StoppedMessage(res.Stopped))
		a.writeNotes(res.Stopped, in.Src)
	}
	res.WriteSummary(&out, a.lang, painter())
	a.stdout.Write(out.Bytes())
	if code := res.ExitCode(); code != 0 {
		return &exitError{code: code}
	}
	return nil
}

// writeReport writes the HTML report of a run to file.
func (a *app) writeReport(file, script string, l *lesson.Lesson, res *scenario.Result, rec *picture.Recorder) error {
	var summary bytes.Buffer
	res.WriteSummary(&summary, a.lang, nil)
	r := picture.Report{Lang: a.lang, Title: filepath.Base(script), Script: script, Steps: rec.Steps,
		Summary: summary.String(), Machine: rec.Machine}
	if l != nil {
		r.Title = l.Title.In(a.lang)
		r.Explain = l.Explain.In(a.lang)
	}
	var out bytes.Buffer
	if err := picture.WriteHTML(&out, r); err != nil {
		return fail(exitInternal, "kscript: run: --report: %v", err)
	}
	if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
		return fail(exitUsage, "kscript: run: --report: %s", fileError(err))
	}
	return nil
}

// runInput is what run runs: the script (its source read), with the lesson
// beside it, or as the module of the --lesson named.
func (a *app) runInput(file, lessonFile string) (scenario.Input, error) {
	if lessonFile == "" {
		script, l, err := a.loadInput(file)
		if err != nil {
			return scenario.Input{}, err
		}
		src, err := plainfile.ReadFile(script)
		if err != nil {
			return scenario.Input{}, fail(exitUsage, "kscript: run: %s", fileError(err))
		}
		return scenario.Input{Script: script, Src: src, Lesson: l}, nil
	}
	src, err := plainfile.ReadFile(file)
	if err != nil {
		return scenario.Input{}, fail(exitUsage, "kscript: run: %s", fileError(err))
	}
	l, err := lesson.Load(lessonFile)
	if err != nil {
		return scenario.Input{}, inputError(err)
	}
	programs, err := scenario.ReadPrograms(l)
	if err != nil {
		return scenario.Input{}, fail(exitInput, "%s", err)
	}
	if programs == nil {
		programs = []scenario.ProgramFile{}
	}
	// Not Lesson: the lesson's expectations judge its own script.
	return scenario.Input{Script: file, Src: src, Module: l.ModuleName(), Steps: l.Scenario, Programs: programs}, nil
}

// loadInput resolves what run was given: a script, with the lesson beside
// it if there is one, or a lesson file, with its script.
func (a *app) loadInput(file string) (string, *lesson.Lesson, error) {
	file, exists, err := resolveLessonArg(file, ".star")
	if err != nil {
		return "", nil, err
	}
	script, yamlFile := file, ""
	switch filepath.Ext(file) {
	case ".yaml", ".yml":
		yamlFile = file
		script = strings.TrimSuffix(file, filepath.Ext(file)) + ".star"
	default:
		if !exists {
			if _, err := os.Stat(file); err != nil {
				return "", nil, fail(exitUsage, "kscript: run: %s", fileError(err))
			}
		}
		yamlFile = lesson.ForScript(file)
	}
	if yamlFile == "" {
		return script, nil, nil
	}
	l, err := lesson.Load(yamlFile)
	if err != nil {
		return "", nil, inputError(err)
	}
	// Only a public lesson needs its script looked for.
	if l.Public && !fileExists(script) {
		return "", nil, fail(exitUsage, "kscript: run: %s is a lesson's public form, without the lesson's own script: run your module with kscript run --lesson %s FILE.star", yamlFile, yamlFile)
	}
	return script, l, nil
}

// fileExists reports whether os.Stat finds name.
func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

func (a *app) config() scenario.Config {
	return scenario.Config{Options: a.opts, NewMachine: a.newMachine}
}

// writeNotes prints kscript's notes under a script error: the message in
// Thai with --lang th, and a hint for a Python or C habit.
func (a *app) writeNotes(err error, src []byte) {
	for _, n := range kruntime.ErrorNotes(err, src) {
		if s := n.In(a.lang); s != "" {
			fmt.Fprintln(a.stderr, "kscript: "+s)
		}
	}
}

// withNotes adds kscript's notes about cause to the message of a failed
// run's exit error.
func (a *app) withNotes(err, cause error, src []byte) error {
	var ee *exitError
	if !errors.As(err, &ee) {
		return err
	}
	for _, n := range kruntime.ErrorNotes(cause, src) {
		if s := n.In(a.lang); s != "" {
			ee.msg += "\nkscript: " + s
		}
	}
	return ee
}

// inputError turns a lesson or script error into exit 3 (a missing file
// into exit 2).
func inputError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fail(exitUsage, "kscript: %s", fileError(err))
	}
	return fail(exitInput, "%s", err)
}

// setupError maps an error that kept a run from starting to its exit code.
func setupError(err error) error {
	var me *scenario.MachineError
	var se *kruntime.ScriptError
	var le *kruntime.LimitError
	switch {
	case errors.As(err, &me):
		return usage("%v", me.Err)
	case errors.As(err, &se):
		return fail(exitInput, "%s", se.Error())
	case errors.As(err, &le):
		return fail(exitLimit, "%s", le.Error())
	}
	return fail(exitInternal, "kscript: internal error: %v", err)
}

// fileError words a file error as "NAME: no such file".
func fileError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(err, os.ErrNotExist) {
			msg = "no such file"
		}
		return pe.Path + ": " + msg
	}
	return err.Error()
}
