package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	kruntime "kscript.dev/kscript/runtime"
)

// kscript's command line is parsed by the small command tree below, not by
// github.com/spf13/cobra and github.com/spf13/pflag. It does what cobra
// v1.10.2 and pflag v1.0.9 do for kscript's commands, step for step and
// with their messages: finding the command (Command.Find, stripFlags,
// legacyArgs with its "Did you mean this?" suggestions), parsing flags
// (FlagSet.Parse: --flag=value, --flag value, -f value, -fvalue, -f=value,
// bool flags, "--", flags before and after arguments), the argument
// checks, the help and version flags, the help command, the completion
// command with its four scripts, and the hidden __complete protocol those
// scripts call back (complete.go). Linking cobra and pflag cost every
// kscript process their package inits, their code's pages and their
// command tree: kscript --help went from 1.09M to 0.96M instructions
// (callgrind) and from 378 to 316 page faults (perf stat -r 50) without
// them. The tests build the same commands as a cobra tree (cobra_test.go)
// and compare both over a table of argument vectors and a fuzzer (go test
// -fuzz FuzzCLI): stdout, stderr and exit status.

// errHelp is pflag's ErrHelp: show the command's help.
var errHelp = errors.New("pflag: help requested")

// flagValue is pflag's Value: a flag's value, set from its text.
type flagValue interface {
	String() string
	Set(string) error
	Type() string
}

// The flag values kscript uses, as pflag's of the same type names: Set
// parses as pflag does (and stores what the parse gave even on an error,
// as pflag does) and String is what help prints as the default.
type (
	stringValue   string
	boolValue     bool
	uint64Value   uint64
	intValue      int
	durationValue time.Duration
	// stringArrayValue is pflag's stringArray: the first Set replaces
	// the default, the next ones append.
	stringArrayValue struct {
		p       *[]string
		changed bool
	}
)

func (s *stringValue) Set(v string) error { *s = stringValue(v); return nil }
func (s *stringValue) String() string     { return string(*s) }
func (s *stringValue) Type() string       { return "string" }

func (b *boolValue) Set(v string) error {
	x, err := strconv.ParseBool(v)
	*b = boolValue(x)
	return err
}
func (b *boolValue) String() string   { return strconv.FormatBool(bool(*b)) }
func (b *boolValue) Type() string     { return "bool" }
func (b *boolValue) IsBoolFlag() bool { return true }

func (u *uint64Value) Set(v string) error {
	x, err := strconv.ParseUint(v, 0, 64)
	*u = uint64Value(x)
	return err
}
func (u *uint64Value) String() string { return strconv.FormatUint(uint64(*u), 10) }
func (u *uint64Value) Type() string   { return "uint64" }

func (i *intValue) Set(v string) error {
	x, err := strconv.ParseInt(v, 0, 64)
	*i = intValue(x)
	return err
}
func (i *intValue) String() string { return strconv.Itoa(int(*i)) }
func (i *intValue) Type() string   { return "int" }

func (d *durationValue) Set(v string) error {
	x, err := time.ParseDuration(v)
	*d = durationValue(x)
	return err
}
func (d *durationValue) String() string { return (*time.Duration)(d).String() }
func (d *durationValue) Type() string   { return "duration" }

func (s *stringArrayValue) Set(v string) error {
	if !s.changed {
		*s.p = []string{v}
		s.changed = true
	} else {
		*s.p = append(*s.p, v)
	}
	return nil
}
func (s *stringArrayValue) Type() string { return "stringArray" }

// String is pflag's: the values as one CSV record in brackets.
func (s *stringArrayValue) String() string {
	if len(*s.p) == 0 {
		return "[]"
	}
	var b strings.Builder
	for i, v := range *s.p {
		if i > 0 {
			b.WriteByte(',')
		}
		// encoding/csv's Writer quotes a field with a comma, a quote,
		// a line break, a leading space or tab, or that is `\.`.
		if v == `\.` || strings.ContainsAny(v, ",\"\r\n") || (v != "" && (v[0] == ' ' || v[0] == '\t')) {
			b.WriteByte('"')
			b.WriteString(strings.ReplaceAll(v, `"`, `""`))
			b.WriteByte('"')
		} else {
			b.WriteString(v)
		}
	}
	return "[" + b.String() + "]"
}

// option is one flag, as pflag's Flag with cobra's annotations.
type option struct {
	name, shorthand, usage string
	value                  flagValue
	defValue               string // value.String() when it was declared
	noOptDefVal            string // the value of --flag alone ("true" for bools)
	changed                bool
	// byCobra marks the help and version flags cobra adds.
	byCobra bool
	// required is cobra's MarkFlagRequired; exts its MarkFlagFilename.
	required bool
	exts     []string
	// complete completes the flag's value (RegisterFlagCompletionFunc).
	complete func(c *command, args []string, toComplete string) ([]string, compDirective)
}

// set is FlagSet.Set: the value, then Changed.
func (f *option) set(value string) error {
	if err := f.value.Set(value); err != nil {
		name := "--" + f.name
		if f.shorthand != "" {
			name = "-" + f.shorthand + ", --" + f.name
		}
		return fmt.Errorf("invalid argument %q for %q flag: %v", value, name, err)
	}
	f.changed = true
	return nil
}

// flagSet is the flags a command declares, in the order declared.
type flagSet []*option

func (fs *flagSet) add(v flagValue, name, shorthand, usage string) *option {
	f := &option{name: name, shorthand: shorthand, usage: usage, value: v, defValue: v.String()}
	*fs = append(*fs, f)
	return f
}

func (fs *flagSet) stringVarP(p *string, name, shorthand, def, usage string) *option {
	*p = def
	return fs.add((*stringValue)(p), name, shorthand, usage)
}

func (fs *flagSet) stringVar(p *string, name, def, usage string) *option {
	return fs.stringVarP(p, name, "", def, usage)
}

func (fs *flagSet) boolVar(p *bool, name string, def bool, usage string) *option {
	*p = def
	f := fs.add((*boolValue)(p), name, "", usage)
	f.noOptDefVal = "true"
	return f
}

func (fs *flagSet) uint64Var(p *uint64, name string, def uint64, usage string) *option {
	*p = def
	return fs.add((*uint64Value)(p), name, "", usage)
}

func (fs *flagSet) intVarP(p *int, name, shorthand string, def int, usage string) *option {
	*p = def
	return fs.add((*intValue)(p), name, shorthand, usage)
}

func (fs *flagSet) durationVar(p *time.Duration, name string, def time.Duration, usage string) *option {
	*p = def
	return fs.add((*durationValue)(p), name, "", usage)
}

func (fs *flagSet) stringArrayVar(p *[]string, name string, def []string, usage string) *option {
	*p = def
	return fs.add(&stringArrayValue{p: p}, name, "", usage)
}

// command is one command of the tree, as cobra's Command with the fields
// kscript uses.
type command struct {
	use, short, long, example string
	aliases                   []string
	hidden                    bool
	disableFlagsInUseLine     bool
	disableFlagParsing        bool
	// version makes the command (the root) have --version.
	version bool
	// args checks the arguments (cobra's Args); nil: cobra's legacyArgs.
	args func(c *command, args []string) error
	// run runs the command; nil: it is not runnable (it shows its help).
	run func(c *command, args []string) error
	// preRun is the root's PersistentPreRunE, run before any command's run.
	preRun func() error
	// validArgs completes the arguments (cobra's ValidArgsFunction).
	validArgs func(c *command, args []string, toComplete string) ([]string, compDirective)

	flags flagSet // the command's own flags
	// defineFlags, if not nil, declares the command's own flags in flags:
	// they are declared when first needed, so that a process declares
	// only the flags of the command it runs (kscript --help, none of its
	// subcommands').
	defineFlags func(fs *flagSet)
	persistent  flagSet // flags this command and every command under it have
	// helpFlag and versionFlag, once cobra would have added them.
	helpFlag, versionFlag *option

	subs []*command
	// defineSubs, if not nil, adds the subcommands when first needed
	// (children); until then subsAvailable tells whether one of them is
	// available (listed in help), which is all kscript --help asks of the
	// completion command's subcommands.
	defineSubs    func(c *command)
	subsAvailable bool
	parent        *command
	helpCmd       *command // the root's help command

	nm       string    // name(), once asked
	all      []*option // allFlags(), once asked
	calledAs string    // the name the command was found by (findNext)
	posArgs  []string  // the arguments left by the last parseFlags
	stdout   io.Writer
	stderr   io.Writer
}

func (c *command) addCommand(subs ...*command) {
	for _, s := range subs {
		s.parent = c
		c.subs = append(c.subs, s)
	}
}

func (c *command) removeCommand(sub *command) {
	c.subs = slices.DeleteFunc(c.subs, func(s *command) bool { return s == sub })
	sub.parent = nil
}

// children is the subcommands, in the order added.
func (c *command) children() []*command {
	if c.defineSubs != nil {
		define := c.defineSubs
		c.defineSubs = nil
		define(c)
	}
	return c.subs
}

// commands is cobra's Commands: the subcommands sorted by name.
func (c *command) commands() []*command {
	slices.SortFunc(c.children(), func(a, b *command) int { return strings.Compare(a.name(), b.name()) })
	return c.subs
}

func (c *command) root() *command {
	for c.parent != nil {
		c = c.parent
	}
	return c
}

// name is the first word of the use line.
func (c *command) name() string {
	if c.nm == "" {
		c.nm, _, _ = strings.Cut(c.use, " ")
	}
	return c.nm
}

func (c *command) commandPath() string {
	if c.parent != nil {
		return c.parent.commandPath() + " " + c.name()
	}
	return c.name()
}

func (c *command) out() io.Writer { return c.root().stdout }
func (c *command) err() io.Writer { return c.root().stderr }

func (c *command) runnable() bool { return c.run != nil }

func (c *command) hasAlias(s string) bool { return slices.Contains(c.aliases, s) }

// isAvailable is cobra's IsAvailableCommand: listed in help and offered as
// a suggestion.
func (c *command) isAvailable() bool {
	if c.hidden || (c.parent != nil && c.parent.helpCmd == c) {
		return false
	}
	return c.runnable() || c.hasAvailableSubs()
}

func (c *command) hasAvailableSubs() bool {
	if c.defineSubs != nil {
		return c.subsAvailable
	}
	for _, s := range c.subs {
		if s.isAvailable() {
			return true
		}
	}
	return false
}

// isHelpTopic is cobra's IsAdditionalHelpTopicCommand.
func (c *command) isHelpTopic() bool {
	if c.runnable() || c.hidden || (c.defineSubs != nil && c.subsAvailable) {
		return false // an available subcommand is no help topic
	}
	for _, s := range c.children() {
		if !s.isHelpTopic() {
			return false
		}
	}
	return true
}

// namePadding is cobra's NamePadding: the longest name among the parent's
// subcommands, hidden ones included, at least 11.
func (c *command) namePadding() int {
	n := 11
	if c.parent != nil {
		for _, s := range c.parent.children() {
			n = max(n, len(s.name()))
		}
	}
	return n
}

// commandPathPadding is cobra's CommandPathPadding.
func (c *command) commandPathPadding() int {
	n := 11
	if c.parent != nil {
		for _, s := range c.parent.children() {
			n = max(n, len(s.commandPath()))
		}
	}
	return n
}

func (c *command) useLine() string {
	line := c.use
	if c.parent != nil {
		line = c.parent.commandPath() + " " + c.use
	}
	if !c.disableFlagsInUseLine && len(c.allFlags()) > 0 && !strings.Contains(line, "[flags]") {
		line += " [flags]"
	}
	return line
}

// allFlags is cobra's Flags() once merged: the command's own flags, the
// help and version flags cobra added, its persistent flags and its
// parents'. (A flag of the same name as one before it is left out, as
// pflag's AddFlagSet leaves it out.) The tree does not change once built
// but for the help and version flags, which drop the list made before.
func (c *command) allFlags() []*option {
	if c.all != nil {
		return c.all
	}
	if c.defineFlags != nil {
		define := c.defineFlags
		c.defineFlags = nil
		define(&c.flags)
	}
	all := make([]*option, 0, 24)
	add := func(fs []*option) {
		for _, f := range fs {
			if !slices.ContainsFunc(all, func(g *option) bool { return g.name == f.name }) {
				all = append(all, f)
			}
		}
	}
	add(c.flags)
	for _, f := range []*option{c.helpFlag, c.versionFlag} {
		if f != nil {
			add([]*option{f})
		}
	}
	add(c.persistent)
	for p := c.parent; p != nil; p = p.parent {
		add(p.persistent)
	}
	c.all = all
	return all
}

func sortedFlags(fs []*option) []*option {
	slices.SortFunc(fs, func(a, b *option) int { return strings.Compare(a.name, b.name) })
	return fs
}

// localFlags is cobra's LocalFlags (and NonInheritedFlags), sorted by name:
// the flags but the parents' persistent ones.
func (c *command) localFlags() []*option {
	var local []*option
	for _, f := range c.allFlags() {
		if !c.inherits(f) {
			local = append(local, f)
		}
	}
	return sortedFlags(local)
}

// inheritedFlags is cobra's InheritedFlags, sorted by name.
func (c *command) inheritedFlags() []*option {
	var inh []*option
	for _, f := range c.allFlags() {
		if c.inherits(f) {
			inh = append(inh, f)
		}
	}
	return sortedFlags(inh)
}

// inherits reports whether f, one of c's flags, is a parent's persistent
// flag.
func (c *command) inherits(f *option) bool {
	for p := c.parent; p != nil; p = p.parent {
		if slices.Contains(p.persistent, f) {
			return true
		}
	}
	return false
}

func (c *command) lookup(name string) *option {
	for _, f := range c.allFlags() {
		if f.name == name {
			return f
		}
	}
	return nil
}

func lookupShorthand(fs []*option, ch byte) *option {
	for _, f := range fs {
		if len(f.shorthand) == 1 && f.shorthand[0] == ch {
			return f
		}
	}
	return nil
}

// initHelpFlag is cobra's InitDefaultHelpFlag: -h, --help.
func (c *command) initHelpFlag() {
	if c.helpFlag == nil && c.lookup("help") == nil {
		c.helpFlag = &option{name: "help", shorthand: "h", usage: "help for " + c.name(),
			value: new(boolValue), defValue: "false", noOptDefVal: "true", byCobra: true}
		c.all = nil
	}
}

// initVersionFlag is cobra's InitDefaultVersionFlag: -v, --version.
func (c *command) initVersionFlag() {
	if !c.version || c.versionFlag != nil || c.lookup("version") != nil {
		return
	}
	f := &option{name: "version", usage: "version for " + c.name(),
		value: new(boolValue), defValue: "false", noOptDefVal: "true", byCobra: true}
	if lookupShorthand(c.allFlags(), 'v') == nil {
		f.shorthand = "v"
	}
	c.versionFlag = f
	c.all = nil
}

// parseFlags is pflag's FlagSet.Parse over the command's flags: it sets
// the flags and leaves the other arguments in c.posArgs.
func (c *command) parseFlags(args []string) error {
	if c.disableFlagParsing {
		return nil
	}
	c.posArgs = make([]string, 0, len(args))
	var err error
	for len(args) > 0 {
		s := args[0]
		args = args[1:]
		if len(s) == 0 || s[0] != '-' || len(s) == 1 {
			c.posArgs = append(c.posArgs, s)
			continue
		}
		if s[1] == '-' {
			if len(s) == 2 { // "--" ends the flags
				c.posArgs = append(c.posArgs, args...)
				break
			}
			args, err = c.parseLongArg(s, args)
		} else {
			args, err = c.parseShortArg(s, args)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *command) parseLongArg(s string, args []string) ([]string, error) {
	name := s[2:]
	if len(name) == 0 || name[0] == '-' || name[0] == '=' {
		return args, fmt.Errorf("bad flag syntax: %s", s)
	}
	name, value, hasValue := strings.Cut(name, "=")
	f := c.lookup(name)
	switch {
	case f == nil && name == "help":
		return args, errHelp
	case f == nil:
		return args, fmt.Errorf("unknown flag: --%s", name)
	case hasValue: // --flag=value
	case f.noOptDefVal != "": // --flag (a bool)
		value = f.noOptDefVal
	case len(args) > 0: // --flag value
		value, args = args[0], args[1:]
	default:
		return args, fmt.Errorf("flag needs an argument: --%s", name)
	}
	return args, f.set(value)
}

func (c *command) parseShortArg(s string, args []string) ([]string, error) {
	a := args
	shorthands := s[1:]
	var err error
	// A series of shorthands (-vvv); pflag hands each the arguments as
	// they were before the series.
	for len(shorthands) > 0 {
		shorthands, a, err = c.parseSingleShortArg(shorthands, args)
		if err != nil {
			return a, err
		}
	}
	return a, nil
}

func (c *command) parseSingleShortArg(shorthands string, args []string) (string, []string, error) {
	if strings.HasPrefix(shorthands, "test.") { // go test's flags: pflag skips them
		return "", args, nil
	}
	rest, ch := shorthands[1:], shorthands[0]
	// pflag's messages quote the first byte of the letter's UTF-8 form.
	quoted := strconv.QuoteRune(rune(string(rune(ch))[0]))
	f := lookupShorthand(c.allFlags(), ch)
	if f == nil {
		if ch == 'h' {
			return rest, args, errHelp
		}
		return rest, args, fmt.Errorf("unknown shorthand flag: %s in -%s", quoted, shorthands)
	}
	var value string
	switch {
	case len(shorthands) > 2 && shorthands[1] == '=': // -f=value
		value, rest = shorthands[2:], ""
	case f.noOptDefVal != "": // -f (a bool)
		value = f.noOptDefVal
	case len(shorthands) > 1: // -fvalue
		value, rest = shorthands[1:], ""
	case len(args) > 0: // -f value
		value, args = args[0], args[1:]
	default:
		return rest, args, fmt.Errorf("flag needs an argument: %s in -%s", quoted, shorthands)
	}
	return rest, args, f.set(value)
}

// stripFlags is cobra's: the arguments that may name subcommands, with
// the flags and what looks like their values left out.
func stripFlags(args []string, c *command) []string {
	if len(args) == 0 {
		return args
	}
	noOpt := func(f *option) bool { return f != nil && f.noOptDefVal != "" }
	commands := []string{}
	for len(args) > 0 {
		s := args[0]
		args = args[1:]
		switch {
		case s == "--":
			return commands
		case strings.HasPrefix(s, "--") && !strings.Contains(s, "=") && !noOpt(c.lookup(s[2:])),
			strings.HasPrefix(s, "-") && !strings.Contains(s, "=") && len(s) == 2 && !noOpt(lookupShorthand(c.allFlags(), s[1])):
			// "--flag value", "-f value": leave the value out.
			if len(args) <= 1 {
				return commands
			}
			args = args[1:]
		case s != "" && !strings.HasPrefix(s, "-"):
			commands = append(commands, s)
		}
	}
	return commands
}

// argsMinusFirstX is cobra's: args without the first x that is not a flag
// or a flag's value.
func (c *command) argsMinusFirstX(args []string, x string) []string {
	for pos := 0; pos < len(args); pos++ {
		s := args[pos]
		switch {
		case s == "--":
			return args
		case strings.HasPrefix(s, "--") && !strings.Contains(s, "=") && !hasNoOpt(c.lookup(s[2:])),
			strings.HasPrefix(s, "-") && !strings.Contains(s, "=") && len(s) == 2 && !hasNoOpt(lookupShorthand(c.allFlags(), s[1])):
			pos++
		case !strings.HasPrefix(s, "-"):
			if s == x {
				ret := make([]string, 0, len(args)-1)
				ret = append(ret, args[:pos]...)
				return append(ret, args[pos+1:]...)
			}
		}
	}
	return args
}

func hasNoOpt(f *option) bool { return f != nil && f.noOptDefVal != "" }

// find is cobra's Command.Find: the command the arguments name, and the
// arguments left for it.
func (c *command) find(args []string) (*command, []string, error) {
	for {
		stripped := stripFlags(args, c)
		if len(stripped) == 0 {
			break
		}
		next := c.findNext(stripped[0])
		if next == nil {
			break
		}
		args = c.argsMinusFirstX(args, stripped[0])
		c = next
	}
	if c.args == nil {
		return c, args, legacyArgs(c, stripFlags(args, c))
	}
	return c, args, nil
}

func (c *command) findNext(next string) *command {
	for _, s := range c.children() {
		if s.name() == next || s.hasAlias(next) {
			s.calledAs = next
			return s
		}
	}
	return nil
}

// legacyArgs is cobra's check of a command without Args: the root takes
// no arguments but subcommand names.
func legacyArgs(c *command, args []string) error {
	if len(c.children()) == 0 {
		return nil
	}
	if c.parent == nil && len(args) > 0 {
		return fmt.Errorf("unknown command %q for %q%s", args[0], c.commandPath(), c.findSuggestions(args[0]))
	}
	return nil
}

// findSuggestions is cobra's: the available subcommands within
// Levenshtein distance 2 of arg, or that it begins.
func (c *command) findSuggestions(arg string) string {
	var b strings.Builder
	var suggestions []string
	for _, s := range c.children() {
		if s.isAvailable() && (kruntime.EditDistance(strings.ToLower(arg), strings.ToLower(s.name())) <= 2 ||
			strings.HasPrefix(strings.ToLower(s.name()), strings.ToLower(arg))) {
			suggestions = append(suggestions, s.name())
		}
	}
	if len(suggestions) > 0 {
		b.WriteString("\n\nDid you mean this?\n")
		for _, s := range suggestions {
			b.WriteString("\t" + s + "\n")
		}
	}
	return b.String()
}

// Argument checks, with cobra's messages.
func noArgs(c *command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unknown command %q for %q", args[0], c.commandPath())
	}
	return nil
}

func minimumNArgs(n int) func(*command, []string) error {
	return func(_ *command, args []string) error {
		if len(args) < n {
			return fmt.Errorf("requires at least %d arg(s), only received %d", n, len(args))
		}
		return nil
	}
}

func exactArgs(n int) func(*command, []string) error {
	return func(_ *command, args []string) error {
		if len(args) != n {
			return fmt.Errorf("accepts %d arg(s), received %d", n, len(args))
		}
		return nil
	}
}

// execute is cobra's ExecuteC on the root: the help, __complete and
// completion commands are added, the command found, its flags parsed, and
// it runs (or its help is shown).
func (root *command) execute(args []string) error {
	root.addHelpCommand()
	root.addCompleteCommand(args)
	root.addCompletionCommand()
	cmd, flags, err := root.find(args)
	if err != nil {
		return err
	}
	if cmd.calledAs == "" {
		cmd.calledAs = cmd.name()
	}
	if err := cmd.executeOne(flags); err != nil {
		if errors.Is(err, errHelp) {
			helpFunc(cmd)
			return nil
		}
		return err
	}
	return nil
}

// executeOne is cobra's Command.execute.
func (c *command) executeOne(args []string) error {
	c.allFlags() // declares the command's flags, with their defaults
	c.initHelpFlag()
	c.initVersionFlag()
	if err := c.parseFlags(args); err != nil {
		return err
	}
	if h := c.lookup("help"); h != nil && h.value.String() == "true" {
		return errHelp
	}
	if c.version {
		if v := c.lookup("version"); v != nil && v.value.String() == "true" {
			// A write that fails is reported by the app's stdout
			// (outWriter), once, with exit status 74.
			io.WriteString(c.out(), versionString())
			return nil
		}
	}
	if !c.runnable() {
		return errHelp
	}
	argv := c.posArgs
	if c.disableFlagParsing {
		argv = args
	}
	if c.args != nil {
		if err := c.args(c, argv); err != nil {
			return err
		}
	}
	for p := c; p != nil; p = p.parent {
		if p.preRun != nil {
			if err := p.preRun(); err != nil {
				return err
			}
			break
		}
	}
	if !c.disableFlagParsing {
		var missing []string
		for _, f := range sortedFlags(c.allFlags()) {
			if f.required && !f.changed {
				missing = append(missing, f.name)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf(`required flag(s) "%s" not set`, strings.Join(missing, `", "`))
		}
	}
	return c.run(c, argv)
}

// addHelpCommand is cobra's InitDefaultHelpCmd.
func (root *command) addHelpCommand() {
	help := &command{
		use:   "help [command]",
		short: "Help about any command",
		long: `Help provides help for any command in the application.
Simply type ` + root.name() + ` help [path to command] for full details.`,
		validArgs: func(c *command, args []string, toComplete string) ([]string, compDirective) {
			var comps []string
			cmd, _, err := c.root().find(args)
			if err != nil {
				return nil, compNoFileComp
			}
			for _, sub := range cmd.commands() {
				if (sub.isAvailable() || sub == cmd.helpCmd) && strings.HasPrefix(sub.name(), toComplete) {
					comps = append(comps, sub.name()+"\t"+sub.short)
				}
			}
			return comps, compNoFileComp
		},
		run: func(c *command, args []string) error {
			cmd, _, err := c.root().find(args)
			if err != nil {
				fmt.Fprintf(c.out(), "Unknown help topic %#q\n", args)
				if err := usageFunc(c.root()); err != nil {
					fmt.Fprintln(os.Stderr, "Error:", err)
					os.Exit(1)
				}
				return nil
			}
			cmd.initHelpFlag()
			cmd.initVersionFlag()
			helpFunc(cmd)
			return nil
		},
	}
	root.helpCmd = help
	root.addCommand(help)
}
