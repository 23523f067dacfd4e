package main

import (
	"bytes"
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
