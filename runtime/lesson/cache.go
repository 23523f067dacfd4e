package lesson

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"kscript.dev/kscript/runtime/exeid"
)

// Decoding a lesson file's YAML costs a lesson run about a quarter of its
// instructions (lesson 01: some 10 million), so Load keeps what a decode
// made of a file in a cache folder: the lesson as the YAML decoder left it,
// before validation, in a binary form (codec.go), under the hash of the
// file's bytes and of the binary. A file whose bytes were decoded before by the same binary is read
// from that instead, then validated as a fresh decode is: the result, and
// every error, is the same. Only a file that decoded without a problem is
// kept, and only when its encoding reads back into exactly the same value
// (checked when it is written); a file with problems is decoded each time,
// so that its errors come from the decoder as they always did.

// cacheFolder is the folder Load caches decoded lessons in; "" for none.
var cacheFolder atomic.Pointer[string]

// SetCacheDir makes Load keep decoded lessons in dir (kscript gives it its
// boot image folder); "" keeps none.
func SetCacheDir(dir string) { cacheFolder.Store(&dir) }

func cacheDir() string {
	if d := cacheFolder.Load(); d != nil {
		return *d
	}
	return ""
}

// cacheMagic names the format of the cache files; change it with it.
const cacheMagic = "kscript lesson cache 2\n"

// maxCached is how many lesson files a cache folder keeps.
const maxCached = 64

// cacheFile is the cache file of a lesson file's bytes, or "" for none.
func cacheFile(src []byte) string {
	dir, id := cacheDir(), ""
	if dir != "" {
		id = exeid.Identity()
	}
	if id == "" {
		return ""
	}
	h := sha256.New()
	h.Write([]byte(cacheMagic))
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write(src)
	return filepath.Join(dir, "lesson-"+hex.EncodeToString(h.Sum(nil))[:32]+".bin")
}

// readCached returns the lesson kept for src in name, undecoded parts
// and unvalidated, or nil.
func readCached(name string) *Lesson {
	if name == "" {
		return nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil
	}
	body, ok := bytes.CutPrefix(b, []byte(cacheMagic))
	if !ok {
		return nil
	}
	l, err := unmarshalLesson(body)
	if err != nil {
		return nil
	}
	return l
}

// encodeCached returns l (as the decoder left it) as a cache file's
// bytes, or nil when they would not read back as the same value.
func encodeCached(l *Lesson) []byte {
	body, err := marshalLesson(l)
	if err != nil {
		return nil
	}
	if back, err := unmarshalLesson(body); err != nil || !reflect.DeepEqual(l, back) {
		return nil
	}
	return append([]byte(cacheMagic), body...)
}

// writeCached writes a cache file (through a temporary file, so that a
// reader never sees half of one) and drops the oldest beyond maxCached.
// Failures are ignored: the cache only saves time.
func writeCached(name string, b []byte) {
	dir := filepath.Dir(name)
	if os.MkdirAll(dir, 0o755) != nil {
		return
	}
	f, err := os.CreateTemp(dir, ".lesson-*")
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(f.Name(), name) != nil {
		os.Remove(f.Name())
		return
	}
	pruneCache(dir)
}

// pruneCache removes the oldest lesson cache files beyond maxCached, and
// temporary ones an hour old (of a process that died writing).
func pruneCache(dir string) {
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
		if !strings.HasPrefix(name, "lesson-") && !strings.HasPrefix(name, ".lesson-") {
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
	for _, f := range files[min(len(files), maxCached):] {
		os.Remove(filepath.Join(dir, f.name))
	}
}
