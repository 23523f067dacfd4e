package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"kscript.dev/kscript/runtime/grade"
	"kscript.dev/kscript/runtime/lesson"
)

type gradeFlags struct {
	lesson string
	format string
	jobs   int
	output string
}

func (a *app) gradeCommand() *cobra.Command {
	var f gradeFlags
	c := &cobra.Command{
		Use:   "grade --lesson L.yaml SUBMISSION…",
		Short: "Autograde submissions of a lesson's exercise",
		Long: `grade runs each submission (a .star file; a folder stands for every .star
file in it, sorted) on fresh simulated machines through every check of the
lesson's exercise: the check's scenario, its fault injection, its
expectations, including calls: checks on the kernel's own record of API
calls, which printing the expected text cannot fake. A submission takes the
lesson's module name whatever its file is called.

Each check earns its points or none; a check whose prerequisites (needs:)
did not pass is skipped. Feedback, in --lang, shows the failed expectation
as expected versus actual, the kernel report that explains it with its
script line, and the lesson's hint. A submission that does not parse is an
ERROR with file:line:col, one that loops forever a TIMEOUT (the step limit
decides, so results never depend on the machine's speed), one that crashes
the simulated kernel a normal, explained result. The batch always finishes
and always writes its results.

Formats: text (the default; coloured on a terminal), json (kscript's own
schema, lessons/README.md), gradescope (results.json for one submission; for
several, {"submissions": [{"file", "results"}]}), junit (one testsuite per
submission), tap (KTAP). Results are byte-identical for the same inputs,
whatever --jobs is. Exit 0 when every check of every submission passed,
1 otherwise, 3 when the lesson file is broken.`,
		Example: `  kscript grade --lesson lessons/01_kmalloc.yaml alice.star bob.star
  kscript grade --lesson lessons/01_kmalloc.yaml submissions/ --jobs 2 --format json -o results.json
  kscript grade --lesson lessons/01_kmalloc.yaml /autograder/submission/ --format gradescope -o /autograder/results/results.json
  kscript grade --lesson lessons/01_kmalloc.yaml --lang th alice.star`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error { return a.grade(f, args) },
	}
	c.Flags().StringVar(&f.lesson, "lesson", "", "the lesson file whose exercise grades the submissions (required)")
	c.Flags().StringVarP(&f.format, "format", "f", "text", "results format: "+strings.Join(grade.Formats, ", "))
	c.Flags().IntVarP(&f.jobs, "jobs", "j", 1, "submissions graded at once")
	c.Flags().StringVarP(&f.output, "output", "o", "", "write the results to FILE instead of standard output")
	_ = c.MarkFlagRequired("lesson")
	_ = c.MarkFlagFilename("lesson", "yaml", "yml")
	_ = c.RegisterFlagCompletionFunc("format", fixedCompletion(grade.Formats...))
	return c
}

func (a *app) grade(f gradeFlags, args []string) error {
	if !member(grade.Formats, f.format) {
		return usage("grade: --format: %q: want one of %s", f.format, strings.Join(grade.Formats, ", "))
	}
	if f.jobs < 1 {
		return usage("grade: --jobs: %d: want at least 1", f.jobs)
	}
	l, err := lesson.Load(f.lesson)
	if err == nil && l.Exercise == nil {
		err = fmt.Errorf("%s: no exercise: section to grade by", f.lesson)
	}
	if err != nil {
		// A results file is written even now, saying why nothing was graded.
		if werr := a.writeResults(f, grade.LessonError(f.lesson, err)); werr != nil {
			return werr
		}
		return inputError(err)
	}
	if a.getenv("GOGC") == "" {
		// A batch allocates a few MiB per run and keeps little: collecting
		// less often nearly doubles the throughput on two cores.
		debug.SetGCPercent(400)
	}
	subs := grade.Submissions(args)
	cfg := grade.Config{Options: a.opts, NewMachine: a.newMachine, Jobs: f.jobs, Progress: a.progressBar(len(subs))}
	if cfg.Progress != nil {
		defer fmt.Fprint(a.stderr, "\r\033[K")
	}
	g, err := grade.New(cfg, l)
	if err != nil {
		return fail(exitInput, "kscript: grade: %v", err)
	}
	b := g.Grade(subs)
	if a.getenv("KSCRIPT_DEBUG") != "" {
		for _, r := range b.Results {
			if r.Stack != "" {
				fmt.Fprintf(a.stderr, "%s: %s\n%s", r.Submission, r.Message.EN, r.Stack)
			}
		}
	}
	if err := a.writeResults(f, b); err != nil {
		return err
	}
	if !b.AllPassed() {
		return &exitError{code: exitFailed}
	}
	return nil
}

// writeResults writes the batch in the chosen format to -o FILE, or to
// standard output (the text format coloured there).
func (a *app) writeResults(f gradeFlags, b *grade.Batch) error {
	o := grade.WriteOptions{Format: f.format, Lang: a.lang}
	if f.output == "" {
		if f.format == "text" {
			o.Paint = painter()
		}
		return grade.Write(a.stdout, b, o)
	}
	var buf bytes.Buffer
	if err := grade.Write(&buf, b, o); err != nil {
		return fail(exitInternal, "kscript: grade: %v", err)
	}
	if err := os.WriteFile(f.output, buf.Bytes(), 0o644); err != nil {
		return fail(exitUsage, "kscript: grade: -o: %s", fileError(err))
	}
	return nil
}

// progressBar returns a progress callback drawing a bar on standard error
// when it is a terminal and there is more than one submission; else nil.
func (a *app) progressBar(total int) func(done, total int) {
	f, ok := a.stderr.(*os.File)
	if !ok || total < 2 || !(isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		return nil
	}
	return func(done, total int) { drawBar(a.stderr, done, total) }
}

// drawBar draws "[#########           ]  45/100" over the current line.
func drawBar(w io.Writer, done, total int) {
	const width = 30
	n := done * width / max(total, 1)
	fmt.Fprintf(w, "\r[%s%s] %*d/%d", strings.Repeat("#", n), strings.Repeat(" ", width-n), len(fmt.Sprint(total)), done, total)
}

func member(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fixedCompletion completes a flag from a fixed list of values.
func fixedCompletion(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}
