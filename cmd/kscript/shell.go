package main

import (
	"errors"
	"os"

	"github.com/spf13/cobra"

	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario"
	"kscript.dev/kscript/runtime/shell"
)

func (a *app) shellCommand() *cobra.Command {
	var cmds string
	var hasCmds bool
	c := &cobra.Command{
		Use:   "shell [FILE.star…] [-c COMMANDS]",
		Short: "A simulated root shell over one machine, with the scripts as NAME.ko",
		Long: `shell boots one simulated machine, makes each script a loadable NAME.ko (NAME
from the lesson beside it, else the file name) and gives a root shell with the
workshop's commands: make, insmod, rmmod, lsmod, modinfo, dmesg, cat /proc/…,
free, pipes to grep, head and tail, and kscript's steps pressure, fragment,
tick and irq. With -c it runs COMMANDS and exits with the last one's status.`,
		Example: "  kscript shell lessons/01_kmalloc.star\n  kscript shell lessons/01_kmalloc.star -c 'make; sudo insmod hello_kmalloc.ko; lsmod'",
		RunE: func(cmd *cobra.Command, args []string) error {
			hasCmds = cmd.Flags().Changed("command")
			return a.shell(args, cmds, hasCmds)
		},
	}
	c.Flags().StringVarP(&cmds, "command", "c", "", "run COMMANDS (separated by ; or newlines) and exit")
	return c
}

func (a *app) shell(files []string, cmds string, hasCmds bool) error {
	m, err := a.newMachine(a.opts)
	if err != nil {
		return setupError(&scenario.MachineError{Err: err})
	}
	for _, f := range files {
		if err := a.loadScript(m, f); err != nil {
			return err
		}
	}
	sh := shell.New(m)
	sh.Lang = a.opts.Lang
	if !hasCmds {
		return exitStatus(sh.Interactive(a.stdin, a.stdout, a.stderr))
	}
	status, err := sh.Run(cmds, a.stdout, a.stderr)
	var se *shell.SyntaxError
	switch {
	case errors.As(err, &se):
		return usage("-c: %v", se)
	case err != nil:
		return &exitError{code: stoppedCode(err), msg: scenario.StoppedMessage(err)}
	}
	if exited, code := sh.Exited(); exited {
		status = code
	}
	return exitStatus(status)
}

// loadScript makes a script loadable on m, named by the lesson beside it.
func (a *app) loadScript(m scenario.Machine, file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return fail(exitUsage, "kscript: shell: %s", fileError(err))
	}
	name := ""
	if y := lesson.ForScript(file); y != "" {
		l, err := lesson.Load(y)
		if err != nil {
			return inputError(err)
		}
		name = l.Module
	}
	if err := m.LoadScript(file, src, name); err != nil {
		return setupError(err)
	}
	return nil
}

// stoppedCode is the exit code for a fatal error of a shell command.
func stoppedCode(err error) int {
	res := scenario.Result{Stopped: err}
	return res.ExitCode()
}

func exitStatus(status int) error {
	if status == 0 {
		return nil
	}
	return &exitError{code: status}
}
