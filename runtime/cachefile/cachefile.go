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
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
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

// A file holds, after the kind's Magic, the hash its name was made of
// (32 hexadecimal digits), then what the caller wrote, then the CRC-32
// (IEEE) of both. The hash from the name means that a file renamed or copied
// onto another's name (another script's compiled program, another lesson)
// is not believed: without it, kscript run of one script ran the program
// kept for another. The trailing hash finds a file damaged in place (a
// changed byte in a lesson's expected text would otherwise be read as a
// valid lesson that checks something else).
const (
	stampLen = 32
	sumLen   = 4
)

// maxFile bounds what Read reads: a lesson or a compiled script is some
// KB, a submission at most 1 MiB.
const maxFile = 64 << 20

// stamp is the hash part of a file name made by Name, or "" when name is
// not one of the kind's.
func (k *Kind) stamp(name string) string {
	base := filepath.Base(name)
	h, ok := strings.CutPrefix(base, k.Prefix)
	if !ok {
		return ""
	}
	h, ok = strings.CutSuffix(h, ".bin")
	if !ok || len(h) != stampLen {
		return ""
	}
	return h
}

// sum is the CRC-32 (IEEE) of b: every run computes some already (the
// boot image's header), so its tables are made anyway, and on amd64 and
// arm64 it is computed with carry-less multiplications, a small fraction
// of an instruction per byte where FNV-1a took four.
func sum(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

// Read returns what was written after the kind's Magic to the file name,
// or nil when there is no such file, it is of another format, it was
// written under another name or it is damaged.
func (k *Kind) Read(name string) []byte {
	if name == "" {
		return nil
	}
	stamp := k.stamp(name)
	if stamp == "" {
		return nil
	}
	b, err := ReadFile(name, maxFile)
	if err != nil {
		return nil
	}
	rest, ok := bytes.CutPrefix(b, []byte(k.Magic))
	if !ok || len(rest) < stampLen+sumLen {
		return nil
	}
	n := len(rest) - sumLen
	if string(rest[:stampLen]) != stamp || sum(rest[:n]) != binary.LittleEndian.Uint32(rest[n:]) {
		return nil
	}
	return rest[stampLen:n:n]
}

// Write writes b, which begins with the kind's Magic, to the file name
// (through a temporary file, so that a reader never sees half of one),
// with the name's hash before what follows the Magic and a hash of both
// after it (see Read), then prunes the folder. A name Name did not make
// is not written.
func (k *Kind) Write(name string, b []byte) {
	stamp := k.stamp(name)
	body, ok := bytes.CutPrefix(b, []byte(k.Magic))
	if stamp == "" || !ok {
		return
	}
	dir := filepath.Dir(name)
	if os.MkdirAll(dir, 0o755) != nil {
		return
	}
	b = make([]byte, 0, len(k.Magic)+stampLen+len(body)+sumLen)
	b = append(b, k.Magic...)
	b = append(b, stamp...)
	b = append(b, body...)
	b = binary.LittleEndian.AppendUint32(b, sum(b[len(k.Magic):]))
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
