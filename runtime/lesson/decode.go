package lesson

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"

	"kscript.dev/kscript/runtime/plainfile"
)

// Load reads and decodes the lesson file at path; see Decode. With a
// cache folder (SetCacheDir), a file decoded before is read from its cache
// file (cache.go), with the same result.
func Load(path string) (*Lesson, error) {
	src, err := plainfile.ReadFile(path)
	if err != nil {
		return nil, err
	}
	l, errs := decodeCaching(path, src, cacheFile(src))
	if len(errs) > 0 {
		return nil, errs.err()
	}
	return l, nil
}

// Decode decodes a lesson file strictly and checks what a run relies on:
// regular expressions compile, scenario steps parse, names are well formed.
// Errors are *Error values with file:line:col (an ErrorList when there are
// several). It never panics.
func Decode(file string, src []byte) (*Lesson, error) {
	l, errs := decode(file, src)
	if len(errs) > 0 {
		return nil, errs.err()
	}
	return l, nil
}

// LintFile decodes the lesson file at path and lints it, returning every
// problem in one list: what Decode finds and, when the file could be decoded
// in spite of it (unknown keys, bad values), what Lint finds.
func LintFile(path string) ErrorList {
	src, err := plainfile.ReadFile(path)
	if err != nil {
		return ErrorList{{File: path, Pos: Pos{1, 1}, Msg: err.Error()}}
	}
	l, errs := decode(path, src)
	if l != nil {
		errs = append(errs, l.Lint()...)
	}
	sortErrors(errs)
	return errs
}

// decode decodes and validates a lesson file. It returns the lesson when
// the YAML could be decoded at all (with unknown keys left out), and every
// problem found.
func decode(file string, src []byte) (*Lesson, ErrorList) {
	return decodeCaching(file, src, "")
}

// decodeCaching is decode, reading the decoder's result from the cache
// file cache when it holds one, and writing it there when the file has no
// problem ("": no cache).
func decodeCaching(file string, src []byte, cache string) (l *Lesson, errs ErrorList) {
	defer func() {
		// The YAML library is not ours: a panic on strange input must still
		// reach the author as an error at a position, never as a crash.
		if r := recover(); r != nil {
			l, errs = nil, ErrorList{{File: file, Pos: Pos{1, 1}, Msg: fmt.Sprintf("cannot decode YAML: %v", r)}}
		}
	}()
	if l = readCached(cache); l != nil {
		return l, l.finish(file, src, nil)
	}
	l = &Lesson{}
	// Every unknown key is reported in one run; the rest of the file is
	// then decoded without them, so that its other problems show too. The
	// tree is parsed once, for both.
	unknown, body := unknownKeys(file, src)
	var err error
	if body != nil {
		err = yaml.NodeToValue(body, l, strict()...)
	} else {
		err = yaml.UnmarshalWithOptions(src, l, strict()...)
	}
	if err != nil {
		return nil, merge(unknown, ErrorList{convertError(file, src, err)})
	}
	var kept []byte
	if cache != "" && len(unknown) == 0 {
		kept = encodeCached(l)
	}
	errs = l.finish(file, src, unknown)
	if kept != nil && len(errs) == 0 {
		writeCached(cache, kept)
	}
	return l, errs
}

// finish completes a lesson as the decoder left it, read from file's
// bytes src, and validates it: its problems and the unknown keys found
// before, in file order.
func (l *Lesson) finish(file string, src []byte, unknown ErrorList) ErrorList {
	l.File, l.src = file, src
	l.Script = strings.TrimSuffix(file, filepath.Ext(file)) + ".star"
	return merge(unknown, l.validate())
}

// merge returns the unknown-key errors and the other errors in file order.
// An error on the line of an unknown key is left out: it follows from the
// key's removal ({regex: …} is also a matcher without re:).
func merge(unknown, other ErrorList) ErrorList {
	errs := append(ErrorList(nil), unknown...)
	for _, e := range other {
		dup := false
		for _, u := range unknown {
			dup = dup || u.Pos.Line == e.Pos.Line
		}
		if !dup {
			errs = append(errs, e)
		}
	}
	sortErrors(errs)
	return errs
}

// err returns the one error of errs as an *Error, several as the list.
func (errs ErrorList) err() error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errs
}

// ForScript returns the lesson file beside a module script
// (lessons/01_kmalloc.star → lessons/01_kmalloc.yaml), or "" when there is
// none.
func ForScript(script string) string {
	stem := strings.TrimSuffix(script, filepath.Ext(script))
	for _, ext := range []string{".yaml", ".yml"} {
		if _, err := os.Stat(stem + ext); err == nil {
			return stem + ext
		}
	}
	return ""
}

// errorAt makes an *Error at pos in the lesson's file.
func (l *Lesson) errorAt(pos Pos, format string, args ...any) *Error {
	if pos.Line == 0 {
		pos = Pos{1, 1}
	}
	return &Error{File: l.File, Pos: pos, Msg: fmt.Sprintf(format, args...), Source: sourceLine(l.src, pos.Line)}
}

// keyPos returns where a top-level key is written ("module:" at the start
// of a line), or 1:1.
func (l *Lesson) keyPos(key string) Pos {
	for i, line := range strings.Split(string(l.src), "\n") {
		if strings.HasPrefix(line, key+":") {
			return Pos{i + 1, 1}
		}
	}
	return Pos{1, 1}
}

// ModuleName returns the module name for the lesson's script: module:, else
// the script file's stem.
func (l *Lesson) ModuleName() string {
	if l.Module != "" {
		return l.Module
	}
	return strings.TrimSuffix(filepath.Base(l.Script), ".star")
}

// SourceLine returns line n of the lesson file, for error displays.
func (l *Lesson) SourceLine(n int) string { return sourceLine(l.src, n) }
