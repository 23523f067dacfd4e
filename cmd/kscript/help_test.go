package main

import (
	"io"
	"testing"
)

// TestHelpSameAsCobra: kscript's help and usage text (help.go) is cobra's
// default byte for byte, for every command, asked as CMD --help, CMD -h,
// as help CMD, and as the error after a bad flag.
func TestHelpSameAsCobra(t *testing.T) {
	t.Chdir(t.TempDir())
	root := testApp(io.Discard, io.Discard).rootCommand()
	root.addHelpCommand()
	root.addCompletionCommand()
	var paths [][]string
	var walk func(c *command, path []string)
	walk = func(c *command, path []string) {
		paths = append(paths, path)
		for _, sub := range c.children() {
			walk(sub, append(append([]string(nil), path...), sub.name()))
		}
	}
	walk(root, nil)
	if len(paths) < 18 {
		t.Fatalf("only %d commands: %v", len(paths), paths)
	}
	for _, path := range paths {
		for _, args := range [][]string{
			append(append([]string(nil), path...), "--help"),
			append(append([]string(nil), path...), "-h"),
			append([]string{"help"}, path...),
			append(append([]string(nil), path...), "--no-such-flag"),
		} {
			if got, want := cliRun(t, false, true, args), cliRun(t, true, true, args); got != want {
				t.Errorf("kscript %q: help.go and cobra differ:\n%s\n---- cobra:\n%s", args, got, want)
			}
		}
	}
}
