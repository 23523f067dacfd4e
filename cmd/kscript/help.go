package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// kscript's help and usage text is cobra's default template's, byte for
// byte (TestHelpSameAsCobra renders every command's both ways), written in
// one buffer and at once.

// helpSize is room for a command's help in one allocation (the longest,
// grade's, is about 5 KB), not a dozen as the buffer doubles: each size
// class the doubling passes through is a span of its own, new pages.
const helpSize = 8 << 10

// helpFunc is cobra's default help function: the long description (or
// the short one), a blank line, then the usage.
func helpFunc(c *command) {
	var b strings.Builder
	b.Grow(helpSize)
	desc := c.long
	if desc == "" {
		desc = c.short
	}
	desc = strings.TrimRightFunc(desc, unicode.IsSpace)
	if desc != "" {
		b.WriteString(desc)
		b.WriteString("\n\n")
	}
	if c.runnable() || len(c.subs) > 0 {
		writeUsage(&b, c)
	}
	if _, err := io.WriteString(c.out(), b.String()); err != nil {
		fmt.Fprintln(c.err(), err)
	}
}

// usageFunc is cobra's default usage function.
func usageFunc(c *command) error {
	var b strings.Builder
	b.Grow(helpSize)
	writeUsage(&b, c)
	_, err := io.WriteString(c.out(), b.String())
	if err != nil {
		fmt.Fprintln(c.err(), err)
	}
	return err
}

// writeUsage writes what cobra's defaultUsageFunc (cobra v1.10) writes.
func writeUsage(b *strings.Builder, c *command) {
	b.WriteString("Usage:")
	if c.runnable() {
		b.WriteString("\n  ")
		b.WriteString(c.useLine())
	}
	subs := c.hasAvailableSubs()
	if subs {
		b.WriteString("\n  ")
		b.WriteString(c.commandPath())
		b.WriteString(" [command]")
	}
	if len(c.aliases) > 0 {
		b.WriteString("\n\nAliases:\n  ")
		b.WriteString(strings.Join(append([]string{c.name()}, c.aliases...), ", "))
	}
	if c.example != "" {
		b.WriteString("\n\nExamples:\n")
		b.WriteString(c.example)
	}
	if subs {
		b.WriteString("\n\nAvailable Commands:")
		for _, sub := range c.commands() {
			if sub.isAvailable() || sub.name() == "help" {
				b.WriteString("\n  ")
				pad(b, sub.name(), sub.namePadding())
				b.WriteByte(' ')
				b.WriteString(sub.short)
			}
		}
	}
	if local := c.localFlags(); len(local) > 0 {
		b.WriteString("\n\nFlags:\n")
		b.WriteString(strings.TrimRightFunc(flagUsages(local), unicode.IsSpace))
	}
	if inherited := c.inheritedFlags(); len(inherited) > 0 {
		b.WriteString("\n\nGlobal Flags:\n")
		b.WriteString(strings.TrimRightFunc(flagUsages(inherited), unicode.IsSpace))
	}
	topics := false
	for _, sub := range c.subs {
		topics = topics || sub.isHelpTopic()
	}
	if topics {
		b.WriteString("\n\nAdditional help topics:")
		for _, sub := range c.commands() {
			if sub.isHelpTopic() {
				b.WriteString("\n  ")
				pad(b, sub.commandPath(), sub.commandPathPadding())
				b.WriteByte(' ')
				b.WriteString(sub.short)
			}
		}
	}
	if subs {
		b.WriteString("\n\nUse \"")
		b.WriteString(c.commandPath())
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
// v1.0.9): a line per flag, its usage aligned one column after the
// longest flag name, the default when it is not the zero value.
func flagUsages(fs []*option) string {
	type line struct{ name, usage string }
	lines := make([]line, 0, len(fs))
	maxlen := 0
	for _, f := range fs {
		typ := f.value.Type()
		var name string
		if f.shorthand != "" {
			name = "  -" + f.shorthand + ", --" + f.name
		} else {
			name = "      --" + f.name
		}
		varname, usage := unquoteUsage(f)
		if varname != "" {
			name += " " + varname
		}
		if f.noOptDefVal != "" {
			switch typ {
			case "string":
				name += `[="` + f.noOptDefVal + `"]`
			case "bool":
				if f.noOptDefVal != "true" {
					name += "[=" + f.noOptDefVal + "]"
				}
			default:
				name += "[=" + f.noOptDefVal + "]"
			}
		}
		// pflag measures the name with the separator it puts after it.
		maxlen = max(maxlen, len(name)+1)
		if !defaultIsZeroValue(f, typ) {
			if typ == "string" {
				usage += " (default " + strconv.Quote(f.defValue) + ")"
			} else {
				usage += " (default " + f.defValue + ")"
			}
		}
		lines = append(lines, line{name, usage})
	}
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

// unquoteUsage is pflag's UnquoteUsage: the name in back quotes in the
// usage, if any, else the value's type name.
func unquoteUsage(f *option) (name, usage string) {
	usage = f.usage
	if i := strings.IndexByte(usage, '`'); i >= 0 {
		if j := strings.IndexByte(usage[i+1:], '`'); j >= 0 {
			name = usage[i+1 : i+1+j]
			return name, usage[:i] + name + usage[i+1+j+1:]
		}
	}
	switch name = f.value.Type(); name {
	case "bool":
		name = ""
	case "uint64":
		name = "uint"
	}
	return name, usage
}

// defaultIsZeroValue is pflag's Flag.defaultIsZeroValue for kscript's
// flag types.
func defaultIsZeroValue(f *option, typ string) bool {
	switch typ {
	case "bool":
		return f.defValue == "false" || f.defValue == ""
	case "duration":
		return f.defValue == "0" || f.defValue == "0s"
	case "int", "uint64":
		return f.defValue == "0"
	case "string":
		return f.defValue == ""
	case "stringArray":
		return f.defValue == "[]"
	}
	switch f.defValue {
	case "false", "<nil>", "", "0":
		return true
	}
	return false
}
