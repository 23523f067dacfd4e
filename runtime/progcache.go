package runtime

import (
	"bytes"
	"strconv"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/runtime/cachefile"
)

// Parsing, resolving and compiling a module script costs a lesson run
// about a fifth of its instructions once the kernel is copied from a boot
// image (lesson 01: some 2 million of 10), and a run compiles the same
// files as the run before it. So, as Python keeps __pycache__, kscript run
// and kscript test keep the compiled programs of the scripts they load in
// the cache folder beside the boot images (star-HASH.bin), keyed by the
// script's path and bytes, the number of predeclared names it resolved
// against and the binary (exeid), in go.starlark.net's own encoding
// (Program.Write, starlark.CompiledProgram); runtime/cachefile adds the
// name's hash and a CRC-32 of the whole, and believes only a file that
// has both right.
// A program read back is the program the compiler made (positions and
// names included: TestProgramCacheSameProgram re-encodes it); a file that
// is damaged, cut short or from another binary is not believed and the
// script is compiled again. Only scripts that compile are kept: errors come
// from the compiler every time. kscript grade does not keep them (each
// submission is new; its in-process cache, compiled, serves the rest).

// programFiles is the kind of the cache files: star-HASH.bin beside the
// boot images.
var programFiles = &cachefile.Kind{Prefix: "star-", Magic: programMagic, Keep: maxProgramFiles}

// SetProgramCacheDir makes compile keep compiled programs in dir (kscript
// run and test give it their boot image folder); "" keeps none.
func SetProgramCacheDir(dir string) { programFiles.SetDir(dir) }

// programMagic names the format of the files; change it with it.
const programMagic = "kscript compiled program 2\n"

// maxProgramFiles is how many compiled programs a folder keeps.
const maxProgramFiles = 64

// programFile is the cache file of a script, or "" for none.
func programFile(path string, src []byte, npredeclared int) string {
	return programFiles.Name([]byte(strconv.Itoa(npredeclared)), []byte(path), src)
}

// readProgram returns the program kept in name, or nil.
func readProgram(name string) *starlark.Program {
	body := programFiles.Read(name)
	if body == nil {
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
	programFiles.Write(name, buf.Bytes())
}
