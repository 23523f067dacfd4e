package runtime

import (
	"fmt"
	"strings"

	"kscript.dev/kscript/kernelsim"
)

// ScriptError is a mistake in a script found by Starlark or by a builtin's
// argument checks: a syntax error, an unknown name, kfree(5). Pos is
// "file.star:LINE:COL"; Msg is "name: detail". Backtrace is Starlark's.
type ScriptError struct {
	Pos       string
	Msg       string
	Backtrace string
}

func (e *ScriptError) Error() string { return e.Pos + ": " + e.Msg }

// LimitError reports a script stopped by its step budget (Budget), the
// same on every machine, or by Ctrl-C (Machine.Interrupt). (The wall-time
// backstop is an *InternalError.)
type LimitError struct {
	Pos   string // where the script was when it was stopped
	Limit string // "steps" or "interrupt"
	Steps uint64 // the budget's size
	Msg   string // in the machine's language
}

func (e *LimitError) Error() string { return e.Pos + ": " + e.Msg }

// InsmodError is insmod's failure: the kernel refused the module or its init
// returned a negative errno. Error() is insmod's own message.
type InsmodError struct {
	File  string
	Errno kernelsim.Errno
	Load  bool // "could not load" (no such file) rather than "could not insert"
}

func (e *InsmodError) Error() string {
	if e.Load {
		return fmt.Sprintf("insmod: ERROR: could not load module %s: %s", e.File, e.Errno.Error())
	}
	return fmt.Sprintf("insmod: ERROR: could not insert module %s: %s", e.File, modStrerror(e.Errno))
}

// modStrerror mirrors kmod 30's mod_strerror() (tools/insmod.c): insmod's
// words for the errnos finit_module returns for module problems.
func modStrerror(errno kernelsim.Errno) string {
	switch errno {
	case kernelsim.ENOEXEC:
		return "Invalid module format"
	case kernelsim.ENOENT:
		return "Unknown symbol in module, or unknown parameter (see dmesg)"
	case kernelsim.ESRCH:
		return "Module has wrong symbol version"
	case kernelsim.EINVAL:
		return "Invalid parameters"
	}
	return errno.Error()
}

// RmmodError is rmmod's failure, with rmmod's own message.
type RmmodError struct {
	Name  string
	Errno kernelsim.Errno
	// Kernel is true when delete_module(2) refused (a module not live, or
	// one with init but no exit): "could not remove module". EBUSY without
	// it is kmod's own check: "Module x is in use" (by Holders, if any).
	Kernel  bool
	Holders []string
}

func (e *RmmodError) Error() string {
	switch {
	case e.Kernel:
		// libkmod's kmod_module_remove_module logs the refusal through the
		// tool's log function (kmod 30 tools/log.c), then rmmod says it.
		return fmt.Sprintf("rmmod: ERROR: could not remove '%s': %s\nrmmod: ERROR: could not remove module %s: %s",
			e.Name, e.Errno.Error(), e.Name, e.Errno.Error())
	case e.Errno == kernelsim.EBUSY && len(e.Holders) > 0:
		return fmt.Sprintf("rmmod: ERROR: Module %s is in use by: %s", e.Name, strings.Join(e.Holders, " "))
	case e.Errno == kernelsim.EBUSY:
		return fmt.Sprintf("rmmod: ERROR: Module %s is in use", e.Name)
	case e.Errno == kernelsim.ENOENT:
		return fmt.Sprintf("rmmod: ERROR: Module %s is not currently loaded", e.Name)
	}
	return fmt.Sprintf("rmmod: ERROR: could not remove module %s: %s", e.Name, e.Errno.Error())
}

// KilledError reports that the task running a script was killed by an Oops
// or BUG(); the shell prints "Killed" as bash does for insmod.
type KilledError struct {
	Oops *kernelsim.Oops
}

func (e *KilledError) Error() string { return "Killed" }

// Unwrap gives the Oops, so that errors.As finds the *kernelsim.Oops.
func (e *KilledError) Unwrap() error { return e.Oops }

// InternalError is a bug in kscript itself (a Go panic) caught at a
// Machine entry point; the CLI reports it with exit code 70. The machine
// should not be used after it.
type InternalError struct {
	Panic any
	Stack string
}

func (e *InternalError) Error() string { return fmt.Sprintf("internal error: %v", e.Panic) }

// ModinfoError is modinfo's failure for a file no script provides.
type ModinfoError struct {
	File string
}

func (e *ModinfoError) Error() string {
	return "modinfo: ERROR: Module " + e.File + " not found."
}
