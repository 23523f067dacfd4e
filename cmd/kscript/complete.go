package main

import (
	_ "embed"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Shell completion as cobra v1.10.2 does it: `kscript completion SHELL`
// prints cobra's script for the shell (the scripts are cobra's output for
// kscript, embedded: TestCLISameAsCobra compares them with what cobra
// generates), and the scripts ask kscript for completions through the
// hidden `__complete` (or `__completeNoDesc`) command, answered below as
// cobra's getCompletions answers.

// compDirective is cobra's ShellCompDirective: what the shell does with
// the completions.
type compDirective int

const (
	compError compDirective = 1 << iota
	compNoSpace
	compNoFileComp
	compFilterFileExt
	compFilterDirs
	compKeepOrder
	compMaxValue
	compDefault compDirective = 0
)

// String is cobra's ShellCompDirective.string.
func (d compDirective) String() string {
	var ds []string
	for i, name := range []string{"ShellCompDirectiveError", "ShellCompDirectiveNoSpace", "ShellCompDirectiveNoFileComp",
		"ShellCompDirectiveFilterFileExt", "ShellCompDirectiveFilterDirs", "ShellCompDirectiveKeepOrder"} {
		if d&(1<<i) != 0 {
			ds = append(ds, name)
		}
	}
	if len(ds) == 0 {
		ds = append(ds, "ShellCompDirectiveDefault")
	}
	if d >= compMaxValue {
		return fmt.Sprintf("ERROR: unexpected ShellCompDirective value: %d", d)
	}
	return strings.Join(ds, ", ")
}

const (
	compRequestCmd       = "__complete"
	compNoDescRequestCmd = "__completeNoDesc"
)

func noFileCompletions(*command, []string, string) ([]string, compDirective) {
	return nil, compNoFileComp
}

// fixedCompletion completes a flag from a fixed list of values.
func fixedCompletion(values ...string) func(*command, []string, string) ([]string, compDirective) {
	return func(*command, []string, string) ([]string, compDirective) {
		return values, compNoFileComp
	}
}

// addCompleteCommand is cobra's initCompleteCmd: the hidden __complete
// command, kept only when the arguments call it.
func (root *command) addCompleteCommand(args []string) {
	complete := &command{
		use:                   compRequestCmd + " [command-line]",
		aliases:               []string{compNoDescRequestCmd},
		disableFlagsInUseLine: true,
		hidden:                true,
		disableFlagParsing:    true,
		args:                  minimumNArgs(1),
		short:                 "Request shell completion choices for the specified command-line",
		long: compRequestCmd + " is a special command that is used by the shell completion logic\n" +
			"to request completion choices for the specified command-line.",
		run: runComplete,
	}
	root.addCommand(complete)
	sub, _, err := root.find(args)
	if err != nil || sub.name() != compRequestCmd {
		root.removeCommand(complete)
	}
}

// runComplete answers the completion scripts: a completion a line, then
// ":" and the directive; on standard error the directive by name.
func runComplete(c *command, args []string) error {
	final, comps, directive, err := c.getCompletions(args)
	if err != nil {
		compDebug("[Error] "+err.Error()+"\n", true)
	}
	noDesc := c.calledAs == compNoDescRequestCmd
	if !noDesc {
		if on, err := strconv.ParseBool(envConfig("COMPLETION_DESCRIPTIONS")); err == nil {
			noDesc = !on
		}
	}
	noActiveHelp := activeHelpConfig() == "0"
	var b strings.Builder
	for _, comp := range comps {
		if noActiveHelp && strings.HasPrefix(comp, "_activeHelp_ ") {
			continue
		}
		if noDesc {
			comp, _, _ = strings.Cut(comp, "\t")
		}
		comp, _, _ = strings.Cut(comp, "\n")
		b.WriteString(strings.TrimSpace(comp))
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, ":%d\n", directive)
	_, _ = final.out().Write([]byte(b.String()))
	fmt.Fprintf(c.err(), "Completion ended with directive: %s\n", directive)
	return nil
}

// compDebug is cobra's CompDebug: the message goes to the file
// BASH_COMP_DEBUG_FILE names, if any, and to the process's standard error.
func compDebug(msg string, toStderr bool) {
	msg = "[Debug] " + msg
	if path := os.Getenv("BASH_COMP_DEBUG_FILE"); path != "" {
		if f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			_, _ = f.WriteString(msg)
			_ = f.Close()
		}
	}
	if toStderr {
		fmt.Fprint(os.Stderr, msg)
	}
}

// envConfig is cobra's getEnvConfig: KSCRIPT_suffix, else COBRA_suffix.
func envConfig(suffix string) string {
	if v := os.Getenv("KSCRIPT_" + suffix); v != "" {
		return v
	}
	return os.Getenv("COBRA_" + suffix)
}

// activeHelpConfig is cobra's GetActiveHelpConfig.
func activeHelpConfig() string {
	v := os.Getenv("COBRA_ACTIVE_HELP")
	if v != "0" {
		v = os.Getenv("KSCRIPT_ACTIVE_HELP")
	}
	return v
}

// getCompletions is cobra's: the completions of the last argument.
func (c *command) getCompletions(args []string) (*command, []string, compDirective, error) {
	toComplete := args[len(args)-1]
	trimmed := args[:len(args)-1]
	root := c.root()
	root.commands() // cobra sorts the root's commands here
	final, finalArgs, err := root.find(trimmed)
	if err != nil {
		return c, []string{}, compDefault, fmt.Errorf("unable to find a command for arguments: %v", trimmed)
	}
	if !final.disableFlagParsing {
		final.initHelpFlag()
		final.initVersionFlag()
	}
	fl, finalArgs, toComplete, flagErr := checkIfFlagCompletion(final, finalArgs, toComplete)

	flagCompletion := true
	_ = final.parseFlags(append(finalArgs, "--"))
	newArgCount := len(final.posArgs)
	if err := final.parseFlags(finalArgs); err != nil {
		return final, []string{}, compDefault, fmt.Errorf("Error while parsing flags from args %v: %s", finalArgs, err.Error())
	}
	if newArgCount > len(final.posArgs) {
		flagCompletion = false
	}
	if flagErr != nil {
		if _, ok := flagErr.(*flagCompError); !ok || flagCompletion {
			return final, []string{}, compDefault, flagErr
		}
	}
	for _, f := range []*option{final.lookup("version"), final.lookup("help")} {
		if f != nil && f.byCobra && f.changed {
			return final, []string{}, compNoFileComp, nil
		}
	}
	if !final.disableFlagParsing {
		finalArgs = final.posArgs
	}
	if fl != nil && flagCompletion && len(fl.exts) != 0 {
		return final, fl.exts, compFilterFileExt, nil
	}

	var comps []string
	var directive compDirective
	if fl == nil && len(toComplete) > 0 && toComplete[0] == '-' && !strings.Contains(toComplete, "=") && flagCompletion {
		comps = completeRequiredFlags(final, toComplete)
		if len(comps) == 0 {
			for _, fs := range [][]*option{final.inheritedFlags(), final.localFlags()} {
				for _, f := range fs {
					typ := f.value.Type()
					multiple := strings.Contains(typ, "Slice") || strings.Contains(typ, "Array") || strings.HasPrefix(typ, "stringTo")
					if !f.changed || multiple {
						comps = append(comps, flagNameCompletions(f, toComplete)...)
					}
				}
			}
		}
		directive = compNoFileComp
		if len(comps) == 1 && strings.HasSuffix(comps[0], "=") {
			directive = compNoSpace
		}
		if !final.disableFlagParsing {
			return final, comps, directive, nil
		}
	} else {
		directive = compDefault
		if fl == nil {
			localFlag := false
			for _, f := range final.localFlags() {
				// cobra's LocalNonPersistentFlags: not the command's
				// own persistent flags either.
				own := slices.ContainsFunc(final.persistent, func(p *option) bool { return p.name == f.name })
				if !own && f.changed {
					localFlag = true
				}
			}
			if len(finalArgs) == 0 && !localFlag {
				for _, sub := range final.commands() {
					if sub.isAvailable() || sub == final.helpCmd {
						if strings.HasPrefix(sub.name(), toComplete) {
							comps = append(comps, sub.name()+"\t"+sub.short)
						}
						directive = compNoFileComp
					}
				}
			}
			comps = append(comps, completeRequiredFlags(final, toComplete)...)
		}
	}
	var fn func(*command, []string, string) ([]string, compDirective)
	if fl != nil && flagCompletion {
		fn = fl.complete
	} else {
		fn = final.validArgs
	}
	if fn != nil {
		var more []string
		more, directive = fn(final, finalArgs, toComplete)
		comps = append(comps, more...)
	}
	return final, comps, directive, nil
}

// flagCompError is cobra's: the flag being completed does not exist.
type flagCompError struct{ subCommand, flagName string }

func (e *flagCompError) Error() string {
	return "Subcommand '" + e.subCommand + "' does not support flag '" + e.flagName + "'"
}

func flagNameCompletions(f *option, toComplete string) []string {
	var comps []string
	if name := "--" + f.name; strings.HasPrefix(name, toComplete) {
		comps = append(comps, name+"\t"+f.usage)
	}
	if name := "-" + f.shorthand; f.shorthand != "" && strings.HasPrefix(name, toComplete) {
		comps = append(comps, name+"\t"+f.usage)
	}
	return comps
}

func completeRequiredFlags(c *command, toComplete string) []string {
	var comps []string
	for _, fs := range [][]*option{c.inheritedFlags(), c.localFlags()} {
		for _, f := range fs {
			if f.required && !f.changed {
				comps = append(comps, flagNameCompletions(f, toComplete)...)
			}
		}
	}
	return comps
}

// checkIfFlagCompletion is cobra's: whether the last argument is a flag's
// value (--flag=…, or after --flag), and the arguments without that flag.
func checkIfFlagCompletion(c *command, args []string, lastArg string) (*option, []string, string, error) {
	if c.disableFlagParsing {
		return nil, args, lastArg, nil
	}
	var flagName string
	trimmed := args
	withEqual := false
	orgLastArg := lastArg
	if len(lastArg) > 0 && lastArg[0] == '-' {
		index := strings.Index(lastArg, "=")
		if index < 0 {
			return nil, args, lastArg, nil
		}
		if strings.HasPrefix(lastArg[:index], "--") {
			flagName = lastArg[2:index]
		} else {
			flagName = lastArg[index-1 : index]
		}
		lastArg = lastArg[index+1:]
		withEqual = true
	}
	if len(flagName) == 0 && len(args) > 0 {
		prev := args[len(args)-1]
		if isFlagArg(prev) && !strings.Contains(prev, "=") {
			if strings.HasPrefix(prev, "--") {
				flagName = prev[2:]
			} else {
				flagName = prev[len(prev)-1:]
			}
			trimmed = args[:len(args)-1]
		}
	}
	if len(flagName) == 0 {
		return nil, trimmed, lastArg, nil
	}
	f := findFlag(c, flagName)
	if f == nil {
		return nil, args, orgLastArg, &flagCompError{subCommand: c.name(), flagName: flagName}
	}
	if !withEqual && f.noOptDefVal != "" {
		trimmed = args
		f = nil
	}
	return f, trimmed, lastArg, nil
}

func isFlagArg(arg string) bool {
	return (len(arg) >= 3 && arg[0:2] == "--") || (len(arg) >= 2 && arg[0] == '-' && arg[1] != '-')
}

// findFlag is cobra's: a flag by name, or by its letter.
func findFlag(c *command, name string) *option {
	if len(name) == 1 {
		f := lookupShorthand(c.allFlags(), name[0])
		if f == nil {
			f = lookupShorthand(c.inheritedFlags(), name[0])
		}
		if f == nil {
			return nil
		}
		name = f.name
	}
	return c.lookup(name)
}

// addCompletionCommand is cobra's InitDefaultCompletionCmd: completion and
// a subcommand per shell.
func (root *command) addCompletionCommand() {
	completion := &command{
		use:   "completion",
		short: "Generate the autocompletion script for the specified shell",
		long: "Generate the autocompletion script for " + root.name() + " for the specified shell.\n" +
			"See each sub-command's help for details on how to use the generated script.\n",
		args:      noArgs,
		validArgs: noFileCompletions,
		// The shells' commands are made when asked for (help lists
		// completion: one of its subcommands is available).
		defineSubs:    addShellCommands,
		subsAvailable: true,
	}
	root.addCommand(completion)
}

// addShellCommands adds completion's subcommand for each shell.
func addShellCommands(completion *command) {
	root := completion.root()
	var noDesc bool
	shell := func(sh, long string, script string, noFlagsInUse bool) *command {
		c := &command{
			use:                   sh,
			short:                 "Generate the autocompletion script for " + sh,
			long:                  long,
			args:                  noArgs,
			disableFlagsInUseLine: noFlagsInUse,
			validArgs:             noFileCompletions,
			run: func(c *command, _ []string) error {
				req := compRequestCmd
				if noDesc {
					req = compNoDescRequestCmd
				}
				_, err := root.stdout.Write([]byte(strings.ReplaceAll(script, "@COMPLETE_CMD@", req)))
				return err
			},
		}
		c.defineFlags = func(fs *flagSet) {
			fs.boolVar(&noDesc, "no-descriptions", false, "disable completion descriptions")
		}
		return c
	}
	completion.addCommand(
		shell("bash", bashCompletionLong, bashCompletion, true),
		shell("zsh", zshCompletionLong, zshCompletion, false),
		shell("fish", fishCompletionLong, fishCompletion, false),
		shell("powershell", powershellCompletionLong, powershellCompletion, false))
}

// The scripts cobra v1.10.2 generates for kscript, with @COMPLETE_CMD@ where
// they name the request command (__complete, or __completeNoDesc for
// --no-descriptions).
var (
	//go:embed completion/bash.sh
	bashCompletion string
	//go:embed completion/zsh.sh
	zshCompletion string
	//go:embed completion/fish.sh
	fishCompletion string
	//go:embed completion/powershell.ps1
	powershellCompletion string
)

// The long help of each shell's command, cobra's for a program named
// kscript.
const (
	bashCompletionLong = `Generate the autocompletion script for the bash shell.

This script depends on the 'bash-completion' package.
If it is not installed already, you can install it via your OS's package manager.

To load completions in your current shell session:

	source <(kscript completion bash)

To load completions for every new session, execute once:

#### Linux:

	kscript completion bash > /etc/bash_completion.d/kscript

#### macOS:

	kscript completion bash > $(brew --prefix)/etc/bash_completion.d/kscript

You will need to start a new shell for this setup to take effect.
`
	zshCompletionLong = `Generate the autocompletion script for the zsh shell.

If shell completion is not already enabled in your environment you will need
to enable it.  You can execute the following once:

	echo "autoload -U compinit; compinit" >> ~/.zshrc

To load completions in your current shell session:

	source <(kscript completion zsh)

To load completions for every new session, execute once:

#### Linux:

	kscript completion zsh > "${fpath[1]}/_kscript"

#### macOS:

	kscript completion zsh > $(brew --prefix)/share/zsh/site-functions/_kscript

You will need to start a new shell for this setup to take effect.
`
	fishCompletionLong = `Generate the autocompletion script for the fish shell.

To load completions in your current shell session:

	kscript completion fish | source

To load completions for every new session, execute once:

	kscript completion fish > ~/.config/fish/completions/kscript.fish

You will need to start a new shell for this setup to take effect.
`
	powershellCompletionLong = `Generate the autocompletion script for powershell.

To load completions in your current shell session:

	kscript completion powershell | Out-String | Invoke-Expression

To load completions for every new session, add the output of the above command
to your powershell profile.
`
)
