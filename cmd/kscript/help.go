package main

import (
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// kscript's help and usage text is cobra's default, byte for byte
// (TestHelpSameAsCobra renders every command's both ways), written by the
// functions below instead of cobra's: cobra's default usage function asks
// for each command's local and inherited flag sets several times over
// (each time merging the persistent flags and sorting every set again)
// and formats each flag line with fmt; that was about a sixth of the
// instructions of kscript --help. Here each set is made once, the text is
// built in one buffer and written at once.

// helpSize is room for a command's help in one allocation (the longest,
// grade's, is about 5 KB), not a dozen as the buffer doubles: each size
// class the doubling passes through is a span of its own, new pages.
const helpSize = 8 << 10

// helpFunc is cobra's default help function: the long description (or
// the short one), a blank line, then the usage.
func helpFunc(c *cobra.Command, _ []string) {
	var b strings.Builder
	b.Grow(helpSize)
	desc := c.Long
	if desc == "" {
		desc = c.Short
	}
	desc = strings.TrimRightFunc(desc, unicode.IsSpace)
	if desc != "" {
		b.WriteString(desc)
		b.WriteString("\n\n")
	}
	if c.Runnable() || c.HasSubCommands() {
		writeUsage(&b, c)
	}
	if _, err := io.WriteString(c.OutOrStdout(), b.String()); err != nil {
		c.PrintErrln(err)
	}
}

// usageFunc is cobra's default usage function.
func usageFunc(c *cobra.Command) error {
	var b strings.Builder
	b.Grow(helpSize)
	writeUsage(&b, c)
	_, err := io.WriteString(c.OutOrStderr(), b.String())
	if err != nil {
		c.PrintErrln(err)
	}
	return err
}

// writeUsage writes what cobra's defaultUsageFunc (cobra v1.10) writes.
func writeUsage(b *strings.Builder, c *cobra.Command) {
	b.WriteString("Usage:")
	if c.Runnable() {
		b.WriteString("\n  ")
		b.WriteString(c.UseLine())
	}
	subs := c.HasAvailableSubCommands()
	if subs {
		b.WriteString("\n  ")
		b.WriteString(c.CommandPath())
		b.WriteString(" [command]")
	}
	if len(c.Aliases) > 0 {
		b.WriteString("\n\nAliases:\n  ")
		b.WriteString(c.NameAndAliases())
	}
	if c.HasExample() {
		b.WriteString("\n\nExamples:\n")
		b.WriteString(c.Example)
	}
	if subs {
		listed := func(sub *cobra.Command) bool { return sub.IsAvailableCommand() || sub.Name() == "help" }
		line := func(sub *cobra.Command) {
			b.WriteString("\n  ")
			pad(b, sub.Name(), sub.NamePadding())
			b.WriteByte(' ')
			b.WriteString(sub.Short)
		}
		cmds := c.Commands()
		if len(c.Groups()) == 0 {
			b.WriteString("\n\nAvailable Commands:")
			for _, sub := range cmds {
				if listed(sub) {
					line(sub)
				}
			}
		} else {
			for _, group := range c.Groups() {
				b.WriteString("\n\n")
				b.WriteString(group.Title)
				for _, sub := range cmds {
					if sub.GroupID == group.ID && listed(sub) {
						line(sub)
					}
				}
			}
			if !c.AllChildCommandsHaveGroup() {
				b.WriteString("\n\nAdditional Commands:")
				for _, sub := range cmds {
					if sub.GroupID == "" && listed(sub) {
						line(sub)
					}
				}
			}
		}
	}
	if local := c.LocalFlags(); local.HasAvailableFlags() {
		b.WriteString("\n\nFlags:\n")
		b.WriteString(strings.TrimRightFunc(flagUsages(local), unicode.IsSpace))
	}
	if inherited := c.InheritedFlags(); inherited.HasAvailableFlags() {
		b.WriteString("\n\nGlobal Flags:\n")
		b.WriteString(strings.TrimRightFunc(flagUsages(inherited), unicode.IsSpace))
	}
	if c.HasHelpSubCommands() {
		b.WriteString("\n\nAdditional help topics:")
		for _, sub := range c.Commands() {
			if sub.IsAdditionalHelpTopicCommand() {
				b.WriteString("\n  ")
				pad(b, sub.CommandPath(), sub.CommandPathPadding())
				b.WriteByte(' ')
				b.WriteString(sub.Short)
			}
		}
	}
	if subs {
		b.WriteString("\n\nUse \"")
		b.WriteString(c.CommandPath())
		b.WriteString(" [command] --help\" for more information about a command.")
	}
	b.WriteByte('\n')
}

// pad writes s left-justified in width characters, as fmt's %-*s.
func pad(b *strings.Builder, s string, width int) {
	b.WriteString(s)
	for n := utf8.RuneCountInString(s); n < width; n++ {
		b.WriteByte(' ')
	}
}

// flagUsages is pflag's FlagSet.FlagUsages (FlagUsagesWrapped(0), pflag
// v1.0.9): a line per flag not hidden, its usage aligned one column after
// the longest flag name, the default when it is not the zero value.
func flagUsages(fs *pflag.FlagSet) string {
	type line struct{ name, usage string }
	var lines []line
	maxlen := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		typ := f.Value.Type()
		var name string
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			name = "  -" + f.Shorthand + ", --" + f.Name
		} else {
			name = "      --" + f.Name
		}
		varname, usage := pflag.UnquoteUsage(f)
		if varname != "" {
			name += " " + varname
		}
		if f.NoOptDefVal != "" {
			switch typ {
			case "string":
				name += `[="` + f.NoOptDefVal + `"]`
			case "bool", "boolfunc":
				if f.NoOptDefVal != "true" {
					name += "[=" + f.NoOptDefVal + "]"
				}
			case "count":
				if f.NoOptDefVal != "+1" {
					name += "[=" + f.NoOptDefVal + "]"
				}
			default:
				name += "[=" + f.NoOptDefVal + "]"
			}
		}
		// pflag measures the name with the separator it puts after it.
		maxlen = max(maxlen, len(name)+1)
		if !defaultIsZeroValue(f, typ) {
			if typ == "string" {
				usage += " (default " + strconv.Quote(f.DefValue) + ")"
			} else {
				usage += " (default " + f.DefValue + ")"
			}
		}
		if f.Deprecated != "" {
			usage += " (DEPRECATED: " + f.Deprecated + ")"
		}
		lines = append(lines, line{name, usage})
	})
	var b strings.Builder
	size := 0
	for _, l := range lines {
		size += maxlen + 2 + len(l.usage) + 1
	}
	b.Grow(size)
	for _, l := range lines {
		// pflag: fmt.Fprintln(buf, name, spacing, usage), spacing being
		// maxlen-len(name) spaces, and continuation lines of the usage
		// indented maxlen+2.
		b.WriteString(l.name)
		for range 2 + maxlen - len(l.name) {
			b.WriteByte(' ')
		}
		usage := l.usage
		for {
			before, after, ok := strings.Cut(usage, "\n")
			b.WriteString(before)
			if !ok {
				break
			}
			b.WriteByte('\n')
			for range maxlen + 2 {
				b.WriteByte(' ')
			}
			usage = after
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// defaultIsZeroValue is pflag's Flag.defaultIsZeroValue, told by the
// value's type name rather than its (unexported) Go type: the same for
// pflag's own flag types, which are all kscript uses.
func defaultIsZeroValue(f *pflag.Flag, typ string) bool {
	if _, ok := f.Value.(interface{ IsBoolFlag() bool }); ok {
		return f.DefValue == "false" || f.DefValue == ""
	}
	switch typ {
	case "duration":
		return f.DefValue == "0" || f.DefValue == "0s"
	case "int", "int8", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "count", "float32", "float64":
		return f.DefValue == "0"
	case "string":
		return f.DefValue == ""
	case "ip", "ipMask", "ipNet":
		return f.DefValue == "<nil>"
	case "intSlice", "stringSlice", "stringArray":
		return f.DefValue == "[]"
	}
	switch f.DefValue {
	case "false", "<nil>", "", "0":
		return true
	}
	return false
}

// cobra adds a "completion" command, with a subcommand and a long help
// text per shell, to every execution of a program with subcommands, unless
// the program has a command of that name: about 56K instructions and 8
// page faults of each kscript process, for a command only `kscript
// completion …`, `kscript help completion` and shell completion requests
// (__complete) use. Any other invocation only lists it in help, or offers
// it as a suggestion, by its name and short description: for those it gets
// completionStandIn, which cobra lists the same way (TestCompletionStandIn
// compares every such output with cobra's own command's) and which never
// runs, since no argument names it.

// mayUseCompletion reports whether cobra's own completion command may be
// needed: some argument names it or asks for shell completion.
func mayUseCompletion(args []string) bool {
	for _, arg := range args {
		switch arg {
		case "completion", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
			return true
		}
	}
	return false
}

// completionStandIn is listed as cobra's completion command is.
func completionStandIn() *cobra.Command {
	return &cobra.Command{
		Use:   "completion",
		Short: "Generate the autocompletion script for the specified shell",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return fail(exitInternal, "kscript: internal error: the completion stand-in ran")
		},
	}
}
