package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// helpOutput runs kscript with args on a fresh command tree, with
// kscript's help and usage functions or, when cobraDefault, cobra's.
func helpOutput(t *testing.T, cobraDefault bool, args ...string) (string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := newApp(strings.NewReader(""), &stdout, &stderr)
	root := a.rootCommand()
	if cobraDefault {
		root.SetHelpFunc(nil)
		root.SetUsageFunc(nil)
	}
	root.SetArgs(args)
	_ = root.Execute()
	return stdout.String(), stderr.String()
}

// TestHelpSameAsCobra: kscript's help and usage text (help.go) is cobra's
// default byte for byte, for every command, asked as CMD --help, as help
// CMD, and as a usage after a bad flag.
func TestHelpSameAsCobra(t *testing.T) {
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, sub := range c.Commands() {
			walk(sub, append(append([]string(nil), path...), sub.Name()))
		}
	}
	// cobra adds help and completion when a command runs: run one first.
	var out bytes.Buffer
	root := newApp(strings.NewReader(""), &out, &out).rootCommand()
	root.SetArgs([]string{"--version"})
	_ = root.Execute()
	walk(root, nil)
	if len(paths) < 15 {
		t.Fatalf("only %d commands: %v", len(paths), paths)
	}
	for _, path := range paths {
		for _, args := range [][]string{
			append(append([]string(nil), path...), "--help"),
			append([]string{"help"}, path...),
			append(append([]string(nil), path...), "--no-such-flag"),
		} {
			gotOut, gotErr := helpOutput(t, false, args...)
			wantOut, wantErr := helpOutput(t, true, args...)
			if gotOut != wantOut || gotErr != wantErr {
				t.Errorf("kscript %s: help.go and cobra differ:\n%s%s\n---- cobra:\n%s%s", strings.Join(args, " "), gotOut, gotErr, wantOut, wantErr)
			}
		}
	}
	// With a hidden command, an alias, a command group, a help topic and
	// every kind of flag pflag formats, on a tree of its own.
	for _, args := range [][]string{{"--help"}, {"sub", "--help"}, {"help", "topic"}, {"sub", "--bad"}} {
		got, want := toyHelp(false, args), toyHelp(true, args)
		if got != want {
			t.Errorf("toy %v: help.go and cobra differ:\n%s\n---- cobra:\n%s", args, got, want)
		}
	}
}

func toyHelp(cobraDefault bool, args []string) string {
	var out bytes.Buffer
	root := &cobra.Command{Use: "toy", Short: "a toy  \n", Example: "  toy sub"}
	sub := &cobra.Command{Use: "sub [file]", Aliases: []string{"s", "su"}, Short: "a sub", Run: func(*cobra.Command, []string) {}, GroupID: "g"}
	other := &cobra.Command{Use: "other", Short: "ungrouped", Run: func(*cobra.Command, []string) {}}
	hidden := &cobra.Command{Use: "hidden", Short: "hidden", Hidden: true, Run: func(*cobra.Command, []string) {}}
	topic := &cobra.Command{Use: "topic", Short: "a help topic", Long: "all about it"}
	root.AddGroup(&cobra.Group{ID: "g", Title: "Group:"})
	root.AddCommand(sub, other, hidden, topic)
	p := root.PersistentFlags()
	p.String("name", "kscript", "a `NAME` to use")
	p.StringP("empty", "e", "", "empty by default")
	p.Bool("on", true, "on by default")
	p.Bool("off", false, "off by default")
	p.Int("n", 3, "a count\nover two lines")
	p.Duration("d", 0, "a duration")
	p.StringArray("arr", nil, "repeatable")
	p.StringSlice("sl", []string{"a", "b"}, "a slice")
	p.CountP("verbose", "v", "more")
	p.Float64("f", 1.5, "a float")
	p.IP("ip", nil, "an address")
	p.String("old", "", "deprecated")
	_ = p.MarkDeprecated("old", "use --name")
	p.String("secret", "", "hidden")
	_ = p.MarkHidden("secret")
	f := sub.Flags()
	f.StringP("opt", "o", "x", "optional value")
	f.Lookup("opt").NoOptDefVal = "y"
	f.BoolP("short", "s", false, "a shorthand")
	f.Lookup("short").ShorthandDeprecated = "use --short"
	f.Int("level", 0, "a level")
	f.Lookup("level").NoOptDefVal = "1"
	if !cobraDefault {
		root.SetHelpFunc(helpFunc)
		root.SetUsageFunc(usageFunc)
	}
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	_ = root.Execute()
	return out.String()
}

// mainOutput runs kscript's main with args, with the completion stand-in
// or, when real, cobra's completion command.
func mainOutput(real bool, args ...string) string {
	var stdout, stderr bytes.Buffer
	a := newApp(strings.NewReader(""), &stdout, &stderr)
	a.getenv = func(string) string { return "" }
	a.realCompletion = real
	code := a.main(args)
	return stdout.String() + "\n-- stderr --\n" + stderr.String() + "\n-- exit --\n" + string(rune('0'+code))
}

// TestCompletionStandIn: wherever kscript uses the completion stand-in
// (no argument names completion), its output is what it is with cobra's
// own completion command; and the stand-in is listed as cobra's is.
func TestCompletionStandIn(t *testing.T) {
	runs := [][]string{
		nil, {"--help"}, {"-h"}, {"help"}, {"help", "help"}, {"help", "nosuch"},
		{"completon"}, {"complet"}, {"nosuch"}, {"--bogus"}, {"--version"},
		{"--lang", "th", "--help"}, {"lessons", "--help"}, {"run"},
	}
	root := newApp(strings.NewReader(""), io.Discard, io.Discard).rootCommand()
	for _, sub := range root.Commands() {
		runs = append(runs, []string{sub.Name(), "--help"}, []string{"help", sub.Name()})
	}
	for _, args := range runs {
		if mayUseCompletion(args) {
			t.Fatalf("%q names completion", args)
		}
		if got, want := mainOutput(false, args...), mainOutput(true, args...); got != want {
			t.Errorf("kscript %s: with the stand-in\n%s\n---- with cobra's completion command:\n%s", strings.Join(args, " "), got, want)
		}
	}
	// cobra's command, as cobra made it, against the stand-in.
	var out bytes.Buffer
	a := newApp(strings.NewReader(""), &out, &out)
	a.realCompletion = true
	full := a.rootCommand()
	full.SetArgs([]string{"--version"})
	_ = full.Execute()
	var real *cobra.Command
	for _, c := range full.Commands() {
		if c.Name() == "completion" {
			real = c
		}
	}
	stand := completionStandIn()
	if real == nil || real.Use != stand.Use || real.Short != stand.Short || real.Hidden || real.GroupID != "" || len(real.Aliases) != 0 || !real.IsAvailableCommand() {
		t.Errorf("cobra's completion command is not listed as the stand-in: %+v", real)
	}
	for _, args := range [][]string{{"completion"}, {"help", "completion"}, {"completion", "bash"}, {"__complete", "comp"}, {"__completeNoDesc", ""}} {
		if !mayUseCompletion(args) {
			t.Errorf("%q: the stand-in would be used", args)
		}
	}
}
