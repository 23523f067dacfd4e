package grade

import (
	"fmt"
	"os/exec"
	"runtime/debug"
	"syscall"
)

// isolate puts a worker in a process group of its own (a terminal's
// Ctrl-C is the batch's to handle) and has the kernel kill it if the
// batch's process dies (PR_SET_PDEATHSIG), so no worker outlives its
// batch.
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// limitMemory caps the worker's address space (RLIMIT_AS) at what it has
// now plus extra bytes, never above a limit it inherited, and sets the Go
// runtime's soft memory limit at three quarters of extra, so that the
// collector works hard before the hard limit is met. What the process has
// at start is mostly reservations (the Go runtime's, the Starlark
// interpreter's 4 GiB for small integers), not memory.
func limitMemory(extra uint64) error {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &rl); err != nil {
		return fmt.Errorf("getrlimit: %v", err)
	}
	limit := vmSize() + extra
	if limit < rl.Cur {
		rl.Cur = limit
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, &rl); err != nil {
			return fmt.Errorf("setrlimit(RLIMIT_AS, %d): %v", limit, err)
		}
	}
	debug.SetMemoryLimit(int64(extra / 4 * 3))
	return nil
}
