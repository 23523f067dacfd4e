package runtime

import (
	"fmt"

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

// LimitError reports a script stopped by a sandbox limit: the step budget or
// the wall-time backstop.
type LimitError struct {
	Pos   string // where the script was when it was stopped
	Limit string // "steps" or "timeout"
	Msg   string
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
	verb := "insert"
	if e.Load {
		verb = "load"
	}
	return fmt.Sprintf("insmod: ERROR: could not %s module %s: %s", verb, e.File, e.Errno.Error())
}

// RmmodError is rmmod's failure, with rmmod's own message.
type RmmodError struct {
	Name  string
	Errno kernelsim.Errno
}

func (e *RmmodError) Error() string {
	switch e.Errno {
	case kernelsim.EBUSY:
		return fmt.Sprintf("rmmod: ERROR: Module %s is in use", e.Name)
	case kernelsim.ENOENT:
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
