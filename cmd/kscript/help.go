package main

import (
	"bytes"
	"fmt"
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

// helpBuf is where help is written: bytes, so that a part can be trimmed.
type helpBuf []byte

func (b *helpBuf) WriteString(s string) { *b = append(*b, s...) }
func (b *helpBuf) byte1(c byte)         { *b = append(*b, c) }

// spaces writes n spaces.
func (b *helpBuf) spaces(n int) {
	for range n {
		*b = append(*b, ' ')
	}
}

// trimRightFrom drops the white space that ends what was written from
// start on.
func (b *helpBuf) trimRightFrom(start int) {
	*b = (*b)[:start+len(bytes.TrimRightFunc((*b)[start:], unicode.IsSpace))]
}

// helpFunc is cobra's default help function: the long description (or
// the short one), a blank line, then the usage.
func helpFunc(c *command) {
	b := make(helpBuf, 0, helpSize)
	desc := c.long
	if desc == "" {
		desc = c.short
	}
	desc = strings.TrimRightFunc(desc, unicode.IsSpace)
	if desc != "" {
		b.WriteString(desc)
		b.WriteString("\n\n")
	}
	if c.runnable() || len(c.children()) > 0 {
		writeUsage(&b, c)
	}
	// A write that fails is reported once, with exit status 74, by the
	// app's stdout (app.go's outWriter), not here.
	c.out().Write(b)
}

// usageFunc is cobra's default usage function.
func usageFunc(c *command) error {
	b := make(helpBuf, 0, helpSize)
	writeUsage(&b, c)
	_, err := c.out().Write(b)
	if err != nil {
		fmt.Fprintln(c.err(), err)
	}
	return err
}

// writeUsage writes what cobra's defaultUsageFunc (cobra v1.10) writes.
func writeUsage(b *helpBuf, c *command) {
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
				b.byte1(' ')
				b.WriteString(sub.short)
			}
		}
	}
	if local := c.localFlags(); len(local) > 0 {
		b.WriteString("\n\nFlags:\n")
		start := len(*b)
		flagUsages(b, local)
		b.trimRightFrom(start)
	}
	if inherited := c.inheritedFlags(); len(inherited) > 0 {
		b.WriteString("\n\nGlobal Flags:\n")
		start := len(*b)
		flagUsages(b, inherited)
		b.trimRightFrom(start)
	}
	topics := false
	for _, sub := range c.children() {
		topics = topics || sub.isHelpTopic()
	}
	if topics {
		b.WriteString("\n\nAdditional help topics:")
		for _, sub := range c.commands() {
			if sub.isHelpTopic() {
				b.WriteString("\n  ")
				pad(b, sub.commandPath(), sub.commandPathPadding())
				b.byte1(' ')
				b.WriteString(sub.short)
			}
		}
	}
	if subs {
		b.WriteString("\n\nUse \"")
		b.WriteString(c.commandPath())
		b.WriteString(" [command] --help\" for more information about a command.")
	}
	b.byte1('\n')
}

// pad writes s left-justified in width characters, as fmt's %-*s.
func pad(b *helpBuf, s string, width int) {
	b.WriteString(s)
	b.spaces(width - utf8.RuneCountInString(s))
}

// flagUsages writes pflag's FlagSet.FlagUsages (FlagUsagesWrapped(0),
// pflag v1.0.9): a line per flag, its usage aligned one column after the
// longest flag name, the default when it is not the zero value.
func flagUsages(b *helpBuf, fs []*option) {
	// pflag measures the name with the separator it puts after it.
	maxlen := 0
	for _, f := range fs {
		maxlen = max(maxlen, flagName(nil, f)+1)
	}
	for _, f := range fs {
		// pflag: fmt.Fprintln(buf, name, spacing, usage), spacing being
		// maxlen-len(name) spaces, and continuation lines of the usage
		// indented maxlen+2.
		b.spaces(2 + maxlen - flagName(b, f))
		_, usage := unquoteUsage(f)
		if typ := f.value.Type(); !defaultIsZeroValue(f, typ) {
			if typ == "string" {
				usage += " (default " + strconv.Quote(f.defValue) + ")"
			} else {
				usage += " (default " + f.defValue + ")"
			}
		}
		for {
			before, after, ok := strings.Cut(usage, "\n")
			b.WriteString(before)
			if !ok {
				break
			}
			b.byte1('\n')
			b.spaces(maxlen + 2)
			usage = after
		}
		b.byte1('\n')
	}
}

// flagName writes (when b is not nil) f's part of its line before the
// usage, "  -f, --flag type" (pflag's), and returns its length.
func flagName(b *helpBuf, f *option) int {
	parts := [8]string{"      --", f.name}
	if f.shorthand != "" {
		parts[0], parts[1], parts[2] = "  -", f.shorthand, ", --"+f.name
	}
	n := 3
	if varname, _ := unquoteUsage(f); varname != "" {
		parts[n], parts[n+1] = " ", varname
		n += 2
	}
	if f.noOptDefVal != "" {
		switch f.value.Type() {
		case "string":
			parts[n], parts[n+1], parts[n+2] = `[="`, f.noOptDefVal, `"]`
		case "bool":
			if f.noOptDefVal != "true" {
				parts[n], parts[n+1], parts[n+2] = "[=", f.noOptDefVal, "]"
			}
		default:
			parts[n], parts[n+1], parts[n+2] = "[=", f.noOptDefVal, "]"
		}
	}
	size := 0
	for _, p := range parts {
		size += len(p)
		if b != nil {
			b.WriteString(p)
		}
	}
	return size
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
