package lesson

import (
	"reflect"

	"kscript.dev/kscript/runtime/cachefile"
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

// lessonCache is the kind of the cache files: lesson-HASH.bin beside the
// boot images.
var lessonCache = &cachefile.Kind{Prefix: "lesson-", Magic: cacheMagic, Keep: maxCached}

// SetCacheDir makes Load keep decoded lessons in dir (kscript gives it its
// boot image folder); "" keeps none.
func SetCacheDir(dir string) { lessonCache.SetDir(dir) }

// cacheMagic names the format of the cache files; change it with it.
const cacheMagic = "kscript lesson cache 2\n"

// maxCached is how many lesson files a cache folder keeps.
const maxCached = 64

// cacheFile is the cache file of a lesson file's bytes, or "" for none.
func cacheFile(src []byte) string { return lessonCache.Name(src) }

// readCached returns the lesson kept for src in name, undecoded parts
// and unvalidated, or nil.
func readCached(name string) *Lesson {
	body := lessonCache.Read(name)
	if body == nil {
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

// writeCached writes a cache file whole or not at all and drops the
// oldest beyond maxCached (cachefile.Kind.Write).
func writeCached(name string, b []byte) { lessonCache.Write(name, b) }

// pruneCache removes the oldest lesson cache files beyond maxCached, and
// temporary ones an hour old (of a process that died writing).
func pruneCache(dir string) { lessonCache.Prune(dir) }
