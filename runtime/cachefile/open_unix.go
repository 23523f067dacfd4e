//go:build unix

package cachefile

import "syscall"

const oNonblock = syscall.O_NONBLOCK
