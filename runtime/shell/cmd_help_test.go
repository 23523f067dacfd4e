package shell

import (
	"bytes"
	"strings"
	"testing"
)

// TestHelpSummaries: every command with help has a one-line summary in both
// languages, and the list shows each whole, after its synopsis.
func TestHelpSummaries(t *testing.T) {
	for name := range helpTable.Get() {
		if s := helpSummary.Get()[name]; s[0] == "" || s[1] == "" {
			t.Errorf("%s: no summary in English or Thai for the help list", name)
		}
	}
	for name := range helpSummary.Get() {
		if _, ok := helpTable.Get()[name]; !ok {
			t.Errorf("%s: a summary but no help entry", name)
		}
	}
	for _, tc := range []struct{ name, usage, summary, want string }{
		{"short", "cd [DIR]", "เปลี่ยนโฟลเดอร์ทำงาน", "  cd [DIR]                           เปลี่ยนโฟลเดอร์ทำงาน\n"},
		{"long", "grep [-E] [-i] [-v] [-c] PATTERN [FILE]", "Prints the lines that match PATTERN",
			"  grep [-E] [-i] [-v] [-c] PATTERN [FILE]\n                                     Prints the lines that match PATTERN\n"},
	} {
		var b bytes.Buffer
		writeHelpLine(&b, tc.usage, tc.summary)
		if b.String() != tc.want {
			t.Errorf("%s: got\n%q\nwant\n%q", tc.name, b.String(), tc.want)
		}
	}
}

// TestHelpListWhole: `help` in either language prints each command's
// summary whole (the Thai list once cut at the first space: "โหลด").
func TestHelpListWhole(t *testing.T) {
	for _, lang := range []string{"en", "th"} {
		sh := &Shell{Lang: lang, cmds: builtinCommands()}
		var out bytes.Buffer
		if st := cmdHelp(sh, &Invocation{Stdout: &out, Stderr: &out}); st != 0 {
			t.Fatalf("%s: help: status %d", lang, st)
		}
		i := 0
		if lang == "th" {
			i = 1
		}
		for name := range sh.cmds {
			sum, ok := helpSummary.Get()[name]
			if !ok {
				continue
			}
			if !strings.Contains(out.String(), " "+sum[i]+"\n") {
				t.Errorf("%s: help lists %s without its summary %q:\n%s", lang, name, sum[i], out.String())
			}
		}
	}
}
