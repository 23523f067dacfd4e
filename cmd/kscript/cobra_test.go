package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// kscript parsed its command line with cobra v1.10.2 and pflag v1.0.9
// until it had a parser of its own (cli.go). These tests build kscript's
// commands as the cobra tree kscript had, run cobra over it and cli.go
// over the same commands, and compare what each prints on stdout and
// stderr and its exit status: for a table of command lines, and for the
// command lines a fuzzer makes (go test -fuzz FuzzCLI).

func init() {
	// The old root command's version template called it.
	cobra.AddTemplateFunc("kscriptVersion", versionString)
}

// cobraTree is c (a tree of rootCommand's) as the cobra command tree
// kscript had: the same texts, flags, argument checks, completions and
// runs, with cobra's own help, usage, version, help command, completion
// command and __complete.
func cobraTree(c *command, a *app) *cobra.Command {
	cc := &cobra.Command{
		Use: c.use, Short: c.short, Long: c.long, Example: c.example,
		Aliases: c.aliases, Hidden: c.hidden,
	}
	if c.args != nil {
		cc.Args = func(_ *cobra.Command, args []string) error { return c.args(c, args) }
	}
	if c.run != nil {
		cc.RunE = func(cmd *cobra.Command, args []string) error {
			// pflag marks its own Flag changed, not cli.go's.
			cmd.Flags().VisitAll(func(pf *pflag.Flag) {
				if f := c.lookup(pf.Name); f != nil {
					f.changed = pf.Changed
				}
			})
			return c.run(c, args)
		}
	}
	if c.validArgs != nil {
		cc.ValidArgsFunction = func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			comps, d := c.validArgs(c, args, toComplete)
			return comps, cobra.ShellCompDirective(d)
		}
	}
	addFlags := func(fs *pflag.FlagSet, flags flagSet) {
		for _, f := range flags {
			// pflag's own value types, on the same variables.
			switch v := f.value.(type) {
			case *stringValue:
				fs.StringVarP((*string)(v), f.name, f.shorthand, f.defValue, f.usage)
			case *boolValue:
				fs.BoolVarP((*bool)(v), f.name, f.shorthand, f.defValue == "true", f.usage)
			case *uint64Value:
				fs.Uint64VarP((*uint64)(v), f.name, f.shorthand, uint64(*v), f.usage)
			case *intValue:
				fs.IntVarP((*int)(v), f.name, f.shorthand, int(*v), f.usage)
			case *durationValue:
				fs.DurationVarP((*time.Duration)(v), f.name, f.shorthand, time.Duration(*v), f.usage)
			case *stringArrayValue:
				fs.StringArrayVarP(v.p, f.name, f.shorthand, *v.p, f.usage)
			default:
				panic(fmt.Sprintf("flag --%s: a %T", f.name, v))
			}
			if pf := fs.Lookup(f.name); pf.NoOptDefVal != f.noOptDefVal || pf.DefValue != f.defValue {
				panic(fmt.Sprintf("flag --%s: pflag's is %+v", f.name, pf))
			}
			if f.required {
				_ = cc.MarkFlagRequired(f.name)
			}
			if f.exts != nil {
				_ = cc.MarkFlagFilename(f.name, f.exts...)
			}
			if f.complete != nil {
				complete := f.complete
				_ = cc.RegisterFlagCompletionFunc(f.name, func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
					comps, d := complete(c, args, toComplete)
					return comps, cobra.ShellCompDirective(d)
				})
			}
		}
	}
	c.allFlags() // declares c.flags
	addFlags(cc.PersistentFlags(), c.persistent)
	addFlags(cc.Flags(), c.flags)
	if c.parent == nil {
		cc.SilenceErrors, cc.SilenceUsage = true, true
		if c.version {
			cc.Version = "kscript"
			cc.SetVersionTemplate("{{kscriptVersion}}")
		}
		cc.PersistentPreRunE = func(*cobra.Command, []string) error { return c.preRun() }
		cc.SetIn(a.stdin)
		cc.SetOut(a.stdout)
		cc.SetErr(a.stderr)
	}
	for _, sub := range c.children() {
		cc.AddCommand(cobraTree(sub, a))
	}
	return cc
}

// stubRuns makes every command of the tree print what it was given (its
// path, arguments and flags) instead of running.
func stubRuns(c *command) {
	if c.run != nil {
		c.run = func(c *command, args []string) error {
			w := c.out()
			fmt.Fprintf(w, "RUN %s %q\n", c.commandPath(), args)
			for _, f := range sortedFlags(c.allFlags()) {
				if !f.byCobra {
					fmt.Fprintf(w, "  --%s=%s changed=%v\n", f.name, f.value.String(), f.changed)
				}
			}
			if len(args) > 0 && args[0] == "fail" {
				return fail(3, "kscript: failed as asked")
			}
			return nil
		}
	}
	for _, s := range c.children() {
		stubRuns(s)
	}
}

// testApp is an app whose environment is empty but for no boot cache.
func testApp(stdout, stderr io.Writer) *app {
	a := newApp(strings.NewReader(""), stdout, stderr)
	a.getenv = func(k string) string {
		if k == "KSCRIPT_BOOT_CACHE" {
			return "off"
		}
		return ""
	}
	return a
}

// cliRun runs a command line through cli.go or, when old, through the
// cobra tree, and returns stdout, stderr (with what went to the process's
// own standard error, as cobra's completion errors do) and exit status.
func cliRun(t testing.TB, old, stub bool, args []string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := testApp(&stdout, &stderr)
	root := a.rootCommand()
	if stub {
		stubRuns(root)
	}
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stderr
	os.Stderr = f
	var code int
	if old {
		cc := cobraTree(root, a)
		cc.SetArgs(append([]string{}, args...))
		code = a.exit(cc.Execute)
	} else {
		code = a.exit(func() error { return root.execute(args) })
	}
	os.Stderr = saved
	osErr, _ := os.ReadFile(f.Name())
	return fmt.Sprintf("%s\n-- stderr --\n%s\n-- os.Stderr --\n%s\n-- exit %d --\n", stdout.String(), stderr.String(), osErr, code)
}

// cliTable is command lines whose parsing, errors, help and completions
// cli.go must get as cobra did.
var cliTable = [][]string{
	{}, {""}, {"-"}, {"--"}, {"---"}, {"--="}, {"-="}, {"-h"}, {"--help"}, {"-v"}, {"--version"}, {"-vh"}, {"-hv"},
	{"--version", "--help"}, {"--help", "--version"}, {"--version=false"}, {"--help=false"}, {"--help=maybe"},
	{"help"}, {"help", "help"}, {"help", "run"}, {"help", "nosuch"}, {"help", "run", "extra"}, {"help", "completion"},
	{"help", "completion", "bash"}, {"help", "__complete"}, {"help", "grade-worker"}, {"help", "--lang", "th", "run"},
	{"nosuch"}, {"rn"}, {"rnu"}, {"lesson"}, {"lest"}, {"tes"}, {"completon"}, {"complet"}, {"c"}, {"g"}, {"gradeworker"}, {"LINT"},
	{"--bogus"}, {"-x"}, {"-é"}, {"--lang"}, {"--lang", "th"}, {"--lang", "th", "--help"}, {"--lang=th", "help"},
	{"--lang", "run", "x"}, {"--lang", "th", "run"}, {"--lang", "th", "run", "x"}, {"--lang", "xx", "run", "x"},
	{"run"}, {"run", "x"}, {"run", "-h"}, {"run", "--help"}, {"run", "x", "--help"}, {"run", "--help=false", "x"},
	{"run", "x", "--seed", "7"}, {"run", "--seed", "0x10", "x"}, {"run", "--seed", "-1", "x"}, {"run", "--seed=abc", "x"},
	{"run", "--seed"}, {"run", "x", "--seed"}, {"run", "--ram", "4G", "x"}, {"run", "--ram", "4Q", "x"}, {"run", "--ram=", "x"},
	{"run", "--timeout", "5s", "x"}, {"run", "--timeout", "5", "x"}, {"run", "--timeout=-1s", "x"}, {"run", "--max-steps", "100", "x"},
	{"run", "--fail", "kmalloc:nth=3", "--fail", "kfree:nth=1", "x"}, {"run", "--fail=bogus", "x"}, {"run", "--fail", "a,b", "x"},
	{"run", "--pcp=false", "x"}, {"run", "--pcp", "x"}, {"run", "--pcp", "false", "x"}, {"run", "--pcp=maybe", "x"},
	{"run", "--trace", "--quiet", "x"}, {"run", "--kernel", "stock", "x"}, {"run", "--kernel", "other", "x"},
	{"run", "--color", "always", "x"}, {"run", "--color", "sometimes", "x"}, {"run", "--cmdline", "kasan_multi_shot", "x"},
	{"run", "--lesson", "l.yaml", "x"}, {"run", "--lesson=l.yaml", "--report", "r.html", "x", "y"}, {"run", "--", "--x", "-y"},
	{"run", "x", "--", "--seed", "1"}, {"run", "--version", "x"}, {"run", "-v", "x"}, {"run", "-c", "x"}, {"run", "fail"},
	{"x", "run"}, {"--seed", "1", "run", "x"}, {"--seed=1", "run", "x"}, {"--trace", "run", "x"}, {"--pcp", "run", "x"},
	{"shell"}, {"shell", "-c", "make"}, {"shell", "-cmake"}, {"shell", "-c=make"}, {"shell", "-c"}, {"shell", "--command", "ls", "a.star"},
	{"shell", "-hc", "x"}, {"shell", "-ch"}, {"shell", "a", "b", "-c", ""}, {"shell", "--command="},
	{"lessons"}, {"lessons", "x"}, {"lessons", "--dir", "d"}, {"lessons", "--dir"}, {"lessons", "--strict"},
	{"explain"}, {"explain", "01"}, {"explain", "01", "02"}, {"explain", "--dir", "d", "01"},
	{"lint"}, {"lint", "--strict", "a", "b"}, {"lint", "--strict=false"}, {"lint", "--strict=1"}, {"lint", "--strict", "false"},
	{"grade"}, {"grade", "a.star"}, {"grade", "--lesson", "l.yaml"}, {"grade", "--lesson", "l.yaml", "a.star"},
	{"grade", "-f", "json", "-j", "2", "-o", "out.json", "--lesson", "l", "a"}, {"grade", "-j2", "--lesson=l", "a"},
	{"grade", "-j=2", "--lesson", "l", "a"}, {"grade", "-jx", "--lesson", "l", "a"}, {"grade", "--jobs", "0x2", "--lesson", "l", "a"},
	{"grade", "-fjson", "--lesson", "l", "a"}, {"grade", "-f"}, {"grade", "-j"}, {"grade", "-z"}, {"grade", "-jf"},
	{"grade", "--in-process", "--worker-memory", "1G", "--lesson", "l", "a"}, {"grade", "--lesson", "l", "a", "--help"},
	{"grade-worker"}, {"grade-worker", "x"}, {"grade-worker", "--help"},
	{"test"}, {"test", "a", "b"}, {"new"}, {"new", "11_x"}, {"new", "a", "b"}, {"new", "--dir", "d", "11_x"},
	{"doc"}, {"doc", "kmalloc", "kfree"}, {"publish"}, {"publish", "d"}, {"publish", "d", "a", "b"},
	{"completion"}, {"completion", "x"}, {"completion", "-h"}, {"completion", "--help"}, {"completion", "bash", "x"},
	{"completion", "-h", "bash"}, {"completion", "--lang", "th", "bash"}, {"completion", "bash", "--lang", "xx"},
	{"completion", "bash"}, {"completion", "zsh"}, {"completion", "fish"}, {"completion", "powershell"},
	{"completion", "bash", "--no-descriptions"}, {"completion", "zsh", "--no-descriptions"},
	{"completion", "fish", "--no-descriptions"}, {"completion", "powershell", "--no-descriptions"},
	{"completion", "bash", "-h"}, {"completion", "zsh", "--help"}, {"completion", "fish", "--no-descriptions=maybe"},
	{"completion", "nosuch"}, {"completion", "--no-descriptions", "bash"},
	{"__complete"}, {"__complete", ""}, {"__complete", "r"}, {"__complete", "help", ""}, {"__complete", "help", "r"},
	{"__complete", "help", "completion", ""}, {"__complete", "help", "nosuch", ""}, {"__completeNoDesc", ""},
	{"__complete", "run", ""}, {"__complete", "run", "-"}, {"__complete", "run", "--"}, {"__complete", "run", "--l"},
	{"__complete", "run", "--lesson", ""}, {"__complete", "run", "--lesson="}, {"__complete", "run", "--lesson=x"},
	{"__complete", "run", "--seed", ""}, {"__complete", "run", "--pcp", ""}, {"__complete", "run", "--pcp="},
	{"__complete", "run", "--nosuch", ""}, {"__complete", "run", "--nosuch="}, {"__complete", "run", "-z", ""},
	{"__complete", "run", "--fail", "x", "--f"}, {"__complete", "run", "--seed", "1", "--s"}, {"__complete", "run", "--seed", "x", ""},
	{"__complete", "run", "--help", ""}, {"__complete", "run", "-h", ""}, {"__complete", "--version", ""}, {"__complete", "-v", ""},
	{"__complete", "grade", ""}, {"__complete", "grade", "-"}, {"__complete", "grade", "--"}, {"__complete", "grade", "--format", ""},
	{"__complete", "grade", "-f", ""}, {"__complete", "grade", "-f="}, {"__complete", "grade", "-jf", ""}, {"__complete", "grade", "-jf="},
	{"__complete", "grade", "--format=j"}, {"__complete", "grade", "--lesson", "l", "-"}, {"__complete", "grade", "--lesson", "l", ""},
	{"__complete", "grade", "--lesson", ""}, {"__complete", "grade", "-j", "2", ""}, {"__complete", "grade", "x", ""},
	{"__complete", "explain", ""}, {"__complete", "explain", "0"}, {"__complete", "explain", "--dir", "nowhere", ""},
	{"__complete", "doc", "kmal"}, {"__complete", "doc", "GFP_"}, {"__complete", "doc", "kmalloc", "kf"},
	{"__complete", "completion", ""}, {"__complete", "completion", "b"}, {"__complete", "completion", "bash", ""},
	{"__complete", "completion", "bash", "-"}, {"__complete", "nosuch", ""}, {"__complete", "--lang", "th", ""},
	{"__complete", "--lang", ""}, {"__complete", "--lang="}, {"__complete", "-"}, {"__complete", "--"}, {"__complete", "--", ""},
	{"__complete", "run", "--", ""}, {"__complete", "run", "--", "-"}, {"__complete", "shell", "-c", ""}, {"__complete", "shell", "-c", "x", ""},
	{"__complete", "lessons", "--dir", "d", ""}, {"__complete", "__complete", ""}, {"__complete", "grade-worker", ""},
	{"__complete", "lint", "--strict", ""}, {"__complete", "lint", "--strict", "-"}, {"__complete", "--help"}, {"__complete", "-h", ""},
}

// TestCLISameAsCobra: for every command line of cliTable, cli.go and
// cobra print the same and exit the same, the commands stubbed (their
// runs print what they were given) and, where that is safe, real.
func TestCLISameAsCobra(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, args := range cliTable {
		for _, stub := range []bool{true, false} {
			if !stub && !safeToRun(args) {
				continue
			}
			got, want := cliRun(t, false, stub, args), cliRun(t, true, stub, args)
			if got != want {
				t.Errorf("kscript %q (stubbed %v):\n%s\n---- cobra:\n%s", args, stub, got, want)
			}
		}
	}
}

// safeToRun reports whether the real commands may run args: nothing that
// writes files or boots machines.
func safeToRun(args []string) bool {
	for _, a := range args {
		switch a {
		case "run", "shell", "grade", "grade-worker", "test", "new", "publish", "lint":
			return false
		}
	}
	return true
}

// FuzzCLI compares cli.go with cobra on command lines made of words from
// cliTable and the fuzzer's bytes (NUL separates arguments).
func FuzzCLI(f *testing.F) {
	for _, args := range cliTable {
		f.Add(strings.Join(args, "\x00"))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, "\x00")
		if len(args) > 12 {
			return
		}
		t.Chdir(dir)
		got, want := cliRun(t, false, true, args), cliRun(t, true, true, args)
		if got != want {
			t.Errorf("kscript %q:\n%s\n---- cobra:\n%s", args, got, want)
		}
	})
}

// TestArgsChecks: cli.go's argument checks say what cobra's say.
func TestArgsChecks(t *testing.T) {
	c := &command{use: "kscript"}
	cc := &cobra.Command{Use: "kscript"}
	for n := range 4 {
		args := make([]string, n)
		for i := range args {
			args[i] = fmt.Sprint("a", i)
		}
		for _, check := range []struct {
			ours   func(*command, []string) error
			theirs cobra.PositionalArgs
		}{
			{noArgs, cobra.NoArgs}, {minimumNArgs(1), cobra.MinimumNArgs(1)}, {exactArgs(1), cobra.ExactArgs(1)},
		} {
			got, want := fmt.Sprint(check.ours(c, args)), fmt.Sprint(check.theirs(cc, args))
			if got != want {
				t.Errorf("%d args: %s, cobra: %s", n, got, want)
			}
		}
	}
}

// TestCompletionEnvSameAsCobra: the environment variables cobra's
// __complete reads (descriptions off, active help off, a debug file) do
// to cli.go's what they did to cobra's.
func TestCompletionEnvSameAsCobra(t *testing.T) {
	t.Chdir(t.TempDir())
	debug := t.TempDir() + "/debug"
	debugged := 0
	for _, env := range [][2]string{
		{"KSCRIPT_COMPLETION_DESCRIPTIONS", "false"}, {"KSCRIPT_COMPLETION_DESCRIPTIONS", "bogus"},
		{"COBRA_COMPLETION_DESCRIPTIONS", "0"}, {"KSCRIPT_ACTIVE_HELP", "0"}, {"COBRA_ACTIVE_HELP", "0"},
		{"BASH_COMP_DEBUG_FILE", debug},
	} {
		t.Setenv(env[0], env[1])
		for _, args := range cliTable {
			if len(args) == 0 || !strings.HasPrefix(args[0], "__complete") {
				continue
			}
			_ = os.Remove(debug)
			got := cliRun(t, false, true, args)
			gotDebug, _ := os.ReadFile(debug)
			_ = os.Remove(debug)
			want := cliRun(t, true, true, args)
			wantDebug, _ := os.ReadFile(debug)
			debugged += len(wantDebug)
			if got != want || string(gotDebug) != string(wantDebug) {
				t.Errorf("%s=%s kscript %q:\n%s%s\n---- cobra:\n%s%s", env[0], env[1], args, got, gotDebug, want, wantDebug)
			}
		}
		os.Unsetenv(env[0])
	}
	if debugged == 0 {
		t.Error("no completion wrote to BASH_COMP_DEBUG_FILE")
	}
}
