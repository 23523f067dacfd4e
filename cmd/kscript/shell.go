package main

import (
	"errors"
	"github.com/fatih/color"
	"os"
	"os/signal"
	"strings"

	"github.com/mattn/go-isatty"

	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario"
	"kscript.dev/kscript/runtime/shell"
)

func (a *app) shellCommand() *command {
	var cmds string
	var cmdsFlag *option
	c := &command{
		use:   "shell [FILE.star…] [-c COMMANDS]",
		short: "A simulated shell of the workshop's user over one machine, with the scripts as NAME.ko",
		long: `shell boots one simulated machine, makes each script a loadable NAME.ko (NAME
from the lesson beside it, else the file name) and gives the workshop user's
shell (student, as on Debian: insmod, rmmod, dmesg and root-only files need
sudo) with the workshop's commands: make, insmod, rmmod, lsmod, modinfo, dmesg, cat /proc/…,
free, pipes to grep, head and tail, and kscript's steps pressure, fragment,
tick and irq. With -c it runs COMMANDS and exits with the last one's status.`,
		example: "  kscript shell lessons/01_kmalloc.star\n  kscript shell lessons/01_kmalloc.star -c 'make; sudo insmod hello_kmalloc.ko; lsmod'",
		run: func(_ *command, args []string) error {
			return a.shell(args, cmds, cmdsFlag.changed)
		},
	}
	c.defineFlags = func(fs *flagSet) {
		cmdsFlag = fs.stringVarP(&cmds, "command", "c", "", "run COMMANDS (separated by ; or newlines) and exit")
	}
	return c
}

func (a *app) shell(files []string, cmds string, hasCmds bool) error {
	m, err := a.newMachine(a.opts)
	if err != nil {
		return setupError(&scenario.MachineError{Err: err})
	}
	var srcs [][]byte
	for i, f := range files {
		if files[i], err = lessonArg(f, ".star"); err != nil {
			return err
		}
		src, err := a.loadScript(m, files[i])
		if err != nil {
			return err
		}
		srcs = append(srcs, src)
	}
	sh := shell.New(m)
	sh.Lang = a.opts.Lang
	sh.Color = !color.NoColor // --color, NO_COLOR and the terminal decide
	for i, f := range files {
		sh.AddSource(f, srcs[i])
	}
	if !hasCmds {
		// An interactive session is open-ended: each command gets the
		// whole budget, as a run does.
		if b, ok := m.(interface{ Budget() *kruntime.Budget }); ok {
			sh.Hooks.Before = func(string, []string) { b.Budget().Refill() }
		}
		return exitStatus(a.interactive(sh, m))
	}
	status, err := sh.Run(cmds, a.stdout, a.stderr)
	var se *shell.SyntaxError
	switch {
	case errors.As(err, &se):
		return usage("-c: %v", se)
	case err != nil:
		return a.withNotes(&exitError{code: stoppedCode(err), msg: scenario.StoppedMessage(err)}, err, sourceOf(err, files, srcs))
	}
	if exited, code := sh.Exited(); exited {
		status = code
	}
	return exitStatus(status)
}

// sourceOf is the source of the script an error is in ("file.star:3:5: …").
func sourceOf(err error, files []string, srcs [][]byte) []byte {
	for i, f := range files {
		if strings.HasPrefix(err.Error(), f+":") {
			return srcs[i]
		}
	}
	return nil
}

// loadScript makes a script loadable on m, named by the lesson beside it.
func (a *app) loadScript(m scenario.Machine, file string) ([]byte, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, fail(exitUsage, "kscript: shell: %s", fileError(err))
	}
	name := ""
	if y := lesson.ForScript(file); y != "" {
		l, err := lesson.Load(y)
		if err != nil {
			return nil, inputError(err)
		}
		name = l.Module
	}
	if err := m.LoadScript(file, src, name); err != nil {
		return nil, a.withNotes(setupError(err), err, src)
	}
	return src, nil
}

// interactive runs the shell on the terminal, with line editing, history
// and completion, or, when standard input is not a terminal, reads the
// commands from it without a prompt, as bash does.
func (a *app) interactive(sh *shell.Shell, m scenario.Machine) int {
	in, ok := a.stdin.(*os.File)
	if !ok || !isatty.IsTerminal(in.Fd()) {
		return sh.RunInput(a.stdin, a.stdout, a.stderr)
	}
	t, err := shell.NewTerminal(sh, in, a.stdout, shell.HistoryFile(a.getenv))
	if err != nil {
		return sh.RunInput(a.stdin, a.stdout, a.stderr)
	}
	defer t.Close()
	// Ctrl-C while a command runs stops that command, not the shell: the
	// terminal's SIGINT interrupts the script the machine is running.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	go func() {
		for range sigs {
			if i, ok := m.(interface{ Interrupt() }); ok {
				i.Interrupt()
			}
		}
	}()
	return sh.Interactive(t, a.stdout, a.stderr)
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
