//go:build unix && !linux

package cachefile

import "syscall"

const oNonblock = syscall.O_NONBLOCK
