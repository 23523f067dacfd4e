package runtime

import (
	"bytes"
	"encoding/binary"
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
const programMagic = "kscript compiled program 3\n"

// maxProgramFiles is how many compiled programs a folder keeps.
const maxProgramFiles = 64

// programFile is the cache file of a script, or "" for none.
func programFile(path string, src []byte, npredeclared int) string {
	return programFiles.Name([]byte(strconv.Itoa(npredeclared)), []byte(path), src)
}

// readProgram returns the program kept in name and the predeclared names
// it uses, or no program. The file holds, after the magic, the count of
// the names, each name's length and bytes (uvarints before), then the
// program.
func readProgram(name string) compiledProgram {
	body := programFiles.Read(name)
	if body == nil {
		return compiledProgram{}
	}
	n, k := binary.Uvarint(body)
	if k <= 0 || n > uint64(len(body)) {
		return compiledProgram{}
	}
	body = body[k:]
	uses := make([]string, n)
	for i := range uses {
		l, k := binary.Uvarint(body)
		if k <= 0 || l > uint64(len(body)-k) {
			return compiledProgram{}
		}
		uses[i], body = string(body[k:k+int(l)]), body[k+int(l):]
	}
	prog, err := starlark.CompiledProgram(bytes.NewReader(body))
	if err != nil {
		return compiledProgram{}
	}
	return compiledProgram{prog, uses}
}

// writeProgram keeps c in name (through a temporary file, so that a
// reader never sees half of one) and drops the oldest files beyond
// maxProgramFiles. Failures are ignored: the cache only saves time.
func writeProgram(name string, c compiledProgram) {
	var buf bytes.Buffer
	buf.WriteString(programMagic)
	buf.Write(binary.AppendUvarint(nil, uint64(len(c.uses))))
	for _, u := range c.uses {
		buf.Write(binary.AppendUvarint(nil, uint64(len(u))))
		buf.WriteString(u)
	}
	if c.prog.Write(&buf) != nil {
		return
	}
	programFiles.Write(name, buf.Bytes())
}
