package runtime

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.starlark.net/starlark"
)

// encoded is prog in go.starlark.net's encoding.
func encoded(t *testing.T, prog *starlark.Program) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := prog.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestProgramCacheSameProgram: every script of the repository's lessons
// (modules, exercises' solutions and starters, programs files) compiles,
// is kept, and reads back from its cache file as the program the compiler
// made, byte for byte; a damaged or cut file is compiled again.
func TestProgramCacheSameProgram(t *testing.T) {
	files, _ := filepath.Glob("../lessons/*.star")
	more, _ := filepath.Glob("../lessons/exercises/*.star")
	files = append(files, more...)
	if len(files) < 20 {
		t.Fatalf("found %d scripts", len(files))
	}
	dir := t.TempDir()
	SetProgramCacheDir(dir)
	defer SetProgramCacheDir("")
	m := newTestMachine(t)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		compiled.mu.Lock()
		clear(compiled.m) // the process's own cache would answer first
		compiled.mu.Unlock()
		fresh, err := m.compile(f, src, "m")
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := programFile(f, src, m.npredeclared())
		if _, err := os.Stat(name); err != nil {
			t.Fatalf("%s: not kept: %v", f, err)
		}
		kept := readProgram(name)
		if kept.prog == nil || !slices.Equal(kept.uses, compiled.get(programKey(f, src, m.npredeclared())).uses) {
			t.Fatalf("%s: its cache file does not read back", f)
		}
		if !bytes.Equal(encoded(t, kept.prog), encoded(t, fresh.prog)) {
			t.Fatalf("%s: the program read back differs from the compiler's", f)
		}
		b, _ := os.ReadFile(name)
		for _, damaged := range [][]byte{b[:len(b)-1], b[:len(b)/2], append(append([]byte(nil), b[:len(b)/2]...), append([]byte{b[len(b)/2] ^ 1}, b[len(b)/2+1:]...)...)} {
			if err := os.WriteFile(name, damaged, 0o644); err != nil {
				t.Fatal(err)
			}
			if readProgram(name).prog != nil {
				t.Fatalf("%s: a damaged cache file was believed", f)
			}
		}
	}
}
