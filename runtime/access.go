package runtime

import (
	"errors"

	"kscript.dev/kscript/kernelsim"
)

// errFileScopeAccess is the error of a memory access in a module script's
// top level, where C has only static initialisers.
var errFileScopeAccess = errors.New("memory access at file scope, where C has only static initialisers: access memory from the init function")

// read loads len(buf) bytes at a as the running code would: a kernel-mode
// load in kernel code (kernelsim checks it, and reports a user address as
// an SMAP violation), a user-mode load in a user program.
func (e *env) read(a kernelsim.Addr, buf []byte) error {
	e.stackGen++ // a fault report must see where the script is now
	if e.atFileScope() {
		return errFileScopeAccess
	}
	if e.where == whereUser {
		return e.userRead(a, buf)
	}
	if len(buf) > 0 {
		e.calls.noteRead(a)
	}
	return e.k.ReadMem(a, buf)
}

// write stores data at a, as read loads.
func (e *env) write(a kernelsim.Addr, data []byte) error {
	e.stackGen++ // a fault report must see where the script is now
	if e.atFileScope() {
		return errFileScopeAccess
	}
	if e.where == whereUser {
		return e.userWrite(a, data)
	}
	return e.k.WriteMem(a, data)
}

// readCString reads a NUL-terminated string at a, at most max bytes
// before the NUL.
func (e *env) readCString(a kernelsim.Addr, max uint64) (string, error) {
	return e.readCStringVia(a, max, nil)
}

// readCStringVia is readCString for kernel code that reads the string on
// the script's behalf: frames are its functions (vsnprintf's %s), which
// KASAN reports as the place of a bad read; nil for the script's own read.
func (e *env) readCStringVia(a kernelsim.Addr, max uint64, frames []string) (string, error) {
	e.stackGen++ // a fault report must see where the script is now
	if e.atFileScope() {
		return "", errFileScopeAccess
	}
	if e.where == whereUser {
		return e.userCString(a, max)
	}
	e.calls.noteRead(a)
	if frames != nil {
		return e.k.ReadCStringVia(a, max, frames)
	}
	return e.k.ReadCString(a, max)
}
