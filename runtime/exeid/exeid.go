// Package exeid names the running kscript binary, for the files kscript
// caches in the user's cache folder (boot images, decoded lessons): such a
// file holds type layouts and code addresses only this binary has, so it is
// keyed by the binary that wrote it.
package exeid

import (
	"os"
	"runtime"
	"strconv"
	"sync"
)

// Identity names the running binary by its path, size, modification time
// and Go version, or is "" when it cannot (then nothing is cached).
var Identity = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	st, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	return identity(exe, st.Size(), st.ModTime().UnixNano(), runtime.Version())
})

// identity is fmt's "%s\x00%d\x00%d\x00%s" of its arguments, made with
// strconv: fmt's first Sprintf cost every run with a cache some
// microseconds of code pages and its state (TestIdentitySameAsFmt).
func identity(exe string, size, mtime int64, version string) string {
	b := make([]byte, 0, len(exe)+len(version)+48)
	b = append(append(b, exe...), 0)
	b = append(strconv.AppendInt(b, size, 10), 0)
	b = append(strconv.AppendInt(b, mtime, 10), 0)
	return string(append(b, version...))
}
