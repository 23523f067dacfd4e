// Package cachefile keeps the small files kscript caches beside its boot
// images, in the same folder (~/.cache/kscript/boot, KSCRIPT_BOOT_CACHE):
// decoded lessons (lesson-*.bin) and compiled scripts (star-*.bin). A file
// is named by a hash of what it was made from and of the binary that made
// it (exeid), since what it holds is only meaningful to that binary; it is
// written whole or not at all (a temporary file renamed), and the oldest
// files of a kind beyond its Keep are removed, with temporary files an
// hour old (of a process that died writing). Failures are never errors:
// a cache only saves time, and a file that cannot be read or written is
// made again by the caller.
package cachefile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"kscript.dev/kscript/runtime/exeid"
)

// A Kind is one kind of cache file: its name prefix, the first line that
// names its format, and how many a folder keeps.
type Kind struct {
	Prefix string // "lesson-": files are PREFIX+hash+".bin", temporary ones "."+PREFIX+…
	Magic  string // the format's first line; change it with the format
	Keep   int    // files of this kind a folder keeps

	dir atomic.Pointer[string]
}

// SetDir makes the kind's files go to dir; "" keeps none.
func (k *Kind) SetDir(dir string) { k.dir.Store(&dir) }

// Dir is the folder set by SetDir, "" for none.
func (k *Kind) Dir() string {
	if d := k.dir.Load(); d != nil {
		return *d
	}
	return ""
}

// Name is the file of what parts name (each hashed with a separator after
// it, with the kind's Magic and the binary's identity), or "" when there is
// no folder or the binary cannot be named.
func (k *Kind) Name(parts ...[]byte) string {
	dir, id := k.Dir(), ""
	if dir != "" {
		id = exeid.Identity()
	}
	if id == "" {
		return ""
	}
	h := sha256.New()
	h.Write([]byte(k.Magic))
	h.Write([]byte(id))
	h.Write([]byte{0})
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	return filepath.Join(dir, k.Prefix+hex.EncodeToString(h.Sum(nil))[:32]+".bin")
}

// Read returns what follows the kind's Magic in the file name, or nil when
// there is no such file or it is of another format.
func (k *Kind) Read(name string) []byte {
	if name == "" {
		return nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil
	}
	body, ok := bytes.CutPrefix(b, []byte(k.Magic))
	if !ok {
		return nil
	}
	return body
}

// Write writes b, which begins with the kind's Magic, to the file name
// (through a temporary file, so that a reader never sees half of one),
// then prunes the folder.
func (k *Kind) Write(name string, b []byte) {
	dir := filepath.Dir(name)
	if os.MkdirAll(dir, 0o755) != nil {
		return
	}
	f, err := os.CreateTemp(dir, "."+k.Prefix+"*")
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(f.Name(), name) != nil {
		os.Remove(f.Name())
		return
	}
	k.Prune(dir)
}

// Prune removes the oldest files of the kind in dir beyond Keep, and its
// temporary files an hour old.
func (k *Kind) Prune(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type file struct {
		name string
		mod  time.Time
	}
	var files []file
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, k.Prefix) && !strings.HasPrefix(name, "."+k.Prefix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if strings.HasPrefix(name, ".") {
			if time.Since(info.ModTime()) > time.Hour {
				os.Remove(filepath.Join(dir, name))
			}
			continue
		}
		files = append(files, file{name, info.ModTime()})
	}
	slices.SortFunc(files, func(a, b file) int { return b.mod.Compare(a.mod) })
	for _, f := range files[min(len(files), k.Keep):] {
		os.Remove(filepath.Join(dir, f.name))
	}
}
