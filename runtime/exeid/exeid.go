// Package exeid names the running kscript binary, for the files kscript
// caches in the user's cache folder (boot images, decoded lessons): such a
// file holds type layouts and code addresses only this binary has, so it is
// keyed by the binary that wrote it.
package exeid

import (
	"fmt"
	"os"
	"runtime"
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
	return fmt.Sprintf("%s\x00%d\x00%d\x00%s", exe, st.Size(), st.ModTime().UnixNano(), runtime.Version())
})
