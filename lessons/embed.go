// Package lessons carries kscript's lessons inside the binary, so that a
// kscript installed without the repository still runs them ("kscript run
// 03_atomic" anywhere). What it carries is what a student may see: each
// lesson's module, the lesson file in its shipped form (public/NN.yaml,
// generated from NN.yaml by lesson.ShippedForm: no hidden check, no
// solution, the lesson's own expectations kept), the exercise starters and
// the programs the exercises run — never a reference solution nor a hidden
// check, which only the lesson folder (the grading host's full form) holds.
// FS serves the shipped NN.yaml in place of the full one. The go:embed list,
// the public/ files and the hash in sum.go are checked by tests against this
// folder; KSCRIPT_UPDATE=1 go test ./lessons rewrites them (run it twice when
// the public/ files change: the hash is of what the test binary embeds).
package lessons

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
)

//go:embed 01_kmalloc.star
//go:embed 02_kfree.star
//go:embed 03_atomic.star
//go:embed 04_alloc_pages.star
//go:embed 05_free_pages.star
//go:embed 06_vmalloc.star
//go:embed 07_vfree.star
//go:embed 08_copy_from_user.star
//go:embed 09_copy_to_user.star
//go:embed 10_kmem_cache.star
//go:embed 11_memory_bugs.star
//go:embed 12_fragmentation.star
//go:embed GLOSSARY.md
//go:embed README.md
//go:embed exercises/01_kmalloc.star
//go:embed exercises/02_kfree.star
//go:embed exercises/03_atomic.star
//go:embed exercises/04_alloc_pages.star
//go:embed exercises/05_free_pages.star
//go:embed exercises/06_vmalloc.star
//go:embed exercises/07_vfree.star
//go:embed exercises/08_copy_from_user.programs.star
//go:embed exercises/08_copy_from_user.star
//go:embed exercises/09_copy_to_user.programs.star
//go:embed exercises/09_copy_to_user.star
//go:embed exercises/10_kmem_cache.star
//go:embed exercises/11_memory_bugs.star
//go:embed exercises/12_fragmentation.star
//go:embed public/01_kmalloc.yaml
//go:embed public/02_kfree.yaml
//go:embed public/03_atomic.yaml
//go:embed public/04_alloc_pages.yaml
//go:embed public/05_free_pages.yaml
//go:embed public/06_vmalloc.yaml
//go:embed public/07_vfree.yaml
//go:embed public/08_copy_from_user.yaml
//go:embed public/09_copy_to_user.yaml
//go:embed public/10_kmem_cache.yaml
//go:embed public/11_memory_bugs.yaml
//go:embed public/12_fragmentation.yaml
var files embed.FS

// shippedFS is the embedded folder as FS serves it: public/NN.yaml as
// NN.yaml, and no public/ folder. It serves the embedded files themselves,
// renamed on the way: it once copied the whole quarter of a megabyte into
// an fstest.MapFS at its first use (some 75 page faults), which every
// kscript run of an embedded lesson paid for one fs.Stat. A file is what
// the MapFS served, with the embedded file's info (mode 0444, no time),
// which the MapFS had too; folders list their entries sorted by name.
type shippedFS struct{}

// Open opens the file or folder name as FS serves it.
func (shippedFS) Open(name string) (fs.File, error) {
	if name == "." {
		f, err := files.Open(".")
		if err != nil {
			return nil, err
		}
		return &topDir{File: f}, nil
	}
	p, err := shippedPath("open", name)
	if err != nil {
		return nil, err
	}
	f, err := files.Open(p)
	return f, renamed(err, name)
}

// ReadDir lists the folder name as FS serves it, sorted by name.
func (shippedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == "." {
		return topEntries()
	}
	p, err := shippedPath("readdir", name)
	if err != nil {
		return nil, err
	}
	entries, err := files.ReadDir(p)
	return entries, renamed(err, name)
}

// ReadFile returns a copy of the file name's bytes, as the MapFS did.
func (shippedFS) ReadFile(name string) ([]byte, error) {
	p, err := shippedPath("readfile", name)
	if err != nil {
		return nil, err
	}
	b, err := files.ReadFile(p)
	return b, renamed(err, name)
}

// shippedPath is the embedded path of name as FS serves it: a lesson
// file at the top (NN.yaml) is public/NN.yaml, and public/ itself is not
// there.
func shippedPath(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "public" || strings.HasPrefix(name, "public/") {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	if !strings.Contains(name, "/") && strings.HasSuffix(name, ".yaml") {
		return "public/" + name, nil
	}
	return name, nil
}

// renamed gives an error of the embedded file the name FS was asked for.
func renamed(err error, name string) error {
	if pe, ok := err.(*fs.PathError); ok && pe.Path != name {
		return &fs.PathError{Op: pe.Op, Path: name, Err: pe.Err}
	}
	return err
}

// topEntries lists the top folder as FS serves it: the embedded top
// folder without public/, and public/'s files, sorted by name.
func topEntries() ([]fs.DirEntry, error) {
	top, err := files.ReadDir(".")
	if err != nil {
		return nil, err
	}
	pub, err := files.ReadDir("public")
	if err != nil {
		return nil, err
	}
	out := make([]fs.DirEntry, 0, len(top)+len(pub))
	for _, e := range top {
		if e.Name() != "public" {
			out = append(out, e)
		}
	}
	out = append(out, pub...)
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// topDir is the top folder opened: the embedded one, listing topEntries.
type topDir struct {
	fs.File
	entries []fs.DirEntry // nil until the first ReadDir
	offset  int
}

// ReadDir reads the folder's entries as fs.ReadDirFile says.
func (d *topDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.entries == nil {
		entries, err := topEntries()
		if err != nil {
			return nil, err
		}
		d.entries = entries
	}
	rest := d.entries[d.offset:]
	if n > 0 && len(rest) == 0 {
		return nil, io.EOF
	}
	if n > 0 && len(rest) > n {
		rest = rest[:n]
	}
	d.offset += len(rest)
	return rest, nil
}

// Sum returns the SHA-256, in hex, of the embedded lessons as FS serves
// them: each file's slash-separated path, a NUL and its bytes, in
// fs.WalkDir's order. It is worked out when the lessons change (sum.go,
// written and checked by TestSum), not at run time: hashing the quarter of
// a megabyte cost every kscript run outside a lessons folder some 8 million
// instructions. Should sum.go be stale (the lessons changed and TestSum was
// not run since), the lessons' total size will most likely not be the one
// it was made for either: then they are hashed here, as before.
func Sum() string { return sumOnce() }

var sumOnce = sync.OnceValue(func() string {
	if embeddedSize() == size {
		return sum
	}
	return hashLessons()
})

// embeddedSize is the total size of the embedded files, read from their
// directory entries (no file is copied).
func embeddedSize() int64 {
	var n int64
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	return n
}

// hashLessons is Sum worked out.
func hashLessons() string {
	h := sha256.New()
	_ = fs.WalkDir(FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(FS(), p)
		h.Write([]byte(p + "\x00"))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))
}

// FS returns the embedded lessons, laid out as this folder is, each lesson
// file in its shipped form.
func FS() fs.FS { return shippedFS{} }

// Public reports whether a file of this folder (a slash-separated path
// relative to it) is embedded as it is: a lesson's module, the starters and
// programs files, the README and the glossary, and the generated shipped
// forms under public/ — never a full lesson file or a reference solution.
func Public(name string) bool {
	name = strings.TrimPrefix(path.Clean(strings.ReplaceAll(name, "\\", "/")), "./")
	dir, base := path.Split(name)
	switch {
	case strings.HasSuffix(base, ".solution.star"), strings.HasSuffix(base, ".go"):
		return false
	case dir == "":
		return strings.HasSuffix(base, ".star") || base == "README.md" || base == "GLOSSARY.md"
	case dir == "exercises/":
		return strings.HasSuffix(base, ".star")
	case dir == "public/":
		return strings.HasSuffix(base, ".yaml")
	}
	return false
}
