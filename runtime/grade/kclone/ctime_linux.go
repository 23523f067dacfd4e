package kclone

import (
	"io/fs"
	"syscall"
	"time"
)

// changeTime is a file's status change time (ctime), which no program can
// set: the kernel sets it to the current time on every write, chmod,
// rename or change of the other times.
func changeTime(st fs.FileInfo) (time.Time, bool) {
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(int64(s.Ctim.Sec), int64(s.Ctim.Nsec)), true // int32 on 32-bit systems
}
