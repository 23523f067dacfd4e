package runtime

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/runtime/exeid"
)

// Parsing, resolving and compiling a module script costs a lesson run
// about a fifth of its instructions once the kernel is copied from a boot
// image (lesson 01: some 2 million of 10), and a run compiles the same
// files as the run before it. So, as Python keeps __pycache__, kscript run
// and kscript test keep the compiled programs of the scripts they load in
// the cache folder beside the boot images (star-HASH.bin), keyed by the
// script's path and bytes, the number of predeclared names it resolved
// against and the binary (exeid), in go.starlark.net's own encoding
// (Program.Write, starlark.CompiledProgram), followed by an FNV-1a hash of
// it.
// A program read back is the program the compiler made (positions and
// names included: TestProgramCacheSameProgram re-encodes it); a file that
// is damaged, cut short or from another binary is not believed and the
// script is compiled again. Only scripts that compile are kept: errors come
// from the compiler every time. kscript grade does not keep them (each
// submission is new; its in-process cache, compiled, serves the rest).

// programCacheFolder is where compiled programs are kept; "" for nowhere.
var programCacheFolder atomic.Pointer[string]

// SetProgramCacheDir makes compile keep compiled programs in dir (kscript
// run and test give it their boot image folder); "" keeps none.
func SetProgramCacheDir(dir string) { programCacheFolder.Store(&dir) }

func programCacheDir() string {
	if d := programCacheFolder.Load(); d != nil {
		return *d
	}
	return ""
}

// programMagic names the format of the files; change it with it.
const programMagic = "kscript compiled program 1\n"

// maxProgramFiles is how many compiled programs a folder keeps.
const maxProgramFiles = 64

// programFile is the cache file of a script, or "" for none.
func programFile(path string, src []byte, npredeclared int) string {
	dir, id := programCacheDir(), ""
	if dir != "" {
		id = exeid.Identity()
	}
	if id == "" {
		return ""
	}
	h := sha256.New()
	h.Write([]byte(programMagic))
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write([]byte(strconv.Itoa(npredeclared)))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(src)
	return filepath.Join(dir, "star-"+hex.EncodeToString(h.Sum(nil))[:32]+".bin")
}

// readProgram returns the program kept in name, or nil.
func readProgram(name string) *starlark.Program {
	if name == "" {
		return nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil
	}
	body, ok := bytes.CutPrefix(b, []byte(programMagic))
	if !ok || len(body) < 8 {
		return nil
	}
	body, sum := body[:len(body)-8], binary.LittleEndian.Uint64(body[len(body)-8:])
	if checksum(body) != sum {
		return nil
	}
	prog, err := starlark.CompiledProgram(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	return prog
}

// writeProgram keeps prog in name (through a temporary file, so that a
// reader never sees half of one) and drops the oldest files beyond
// maxProgramFiles. Failures are ignored: the cache only saves time.
func writeProgram(name string, prog *starlark.Program) {
	var buf bytes.Buffer
	buf.WriteString(programMagic)
	if prog.Write(&buf) != nil {
		return
	}
	b := binary.LittleEndian.AppendUint64(buf.Bytes(), checksum(buf.Bytes()[len(programMagic):]))
	dir := filepath.Dir(name)
	if os.MkdirAll(dir, 0o755) != nil {
		return
	}
	f, err := os.CreateTemp(dir, ".star-*")
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(f.Name(), name) != nil {
		os.Remove(f.Name())
		return
	}
	pruneProgramCache(dir)
}

// checksum is the FNV-1a hash of b: it finds a damaged or cut file, and
// needs no table (hash/crc32's cost more to make than a program costs to
// compile).
func checksum(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

// pruneProgramCache removes the oldest program files beyond
// maxProgramFiles, and temporary ones an hour old (of a process that died
// writing).
func pruneProgramCache(dir string) {
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
		if !strings.HasPrefix(name, "star-") && !strings.HasPrefix(name, ".star-") {
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
	for _, f := range files[min(len(files), maxProgramFiles):] {
		os.Remove(filepath.Join(dir, f.name))
	}
}
