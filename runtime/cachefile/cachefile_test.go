package cachefile

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestNameReadWrite(t *testing.T) {
	k := &Kind{Prefix: "t-", Magic: "test cache 1\n", Keep: 4}
	if n := k.Name([]byte("x")); n != "" {
		t.Errorf("no folder: Name = %q, want \"\"", n)
	}
	dir := t.TempDir()
	k.SetDir(dir)
	a, b := k.Name([]byte("ab"), []byte("c")), k.Name([]byte("a"), []byte("bc"))
	if a == "" || a == b || filepath.Dir(a) != dir {
		t.Fatalf("Name: %q and %q, want two different files in %s", a, b, dir)
	}
	if k.Read(a) != nil {
		t.Error("Read of a missing file: not nil")
	}
	k.Write(a, []byte(k.Magic+"body"))
	if got := string(k.Read(a)); got != "body" {
		t.Errorf("Read = %q, want %q", got, "body")
	}
	os.WriteFile(b, []byte("other format\nbody"), 0o644)
	if k.Read(b) != nil {
		t.Error("Read of another format: not nil")
	}
}

// TestPrune: the newest Keep files of the kind stay, temporary files an
// hour old go, other files are left alone.
func TestPrune(t *testing.T) {
	dir := t.TempDir()
	k := &Kind{Prefix: "t-", Magic: "m\n", Keep: 3}
	now := time.Now()
	for i := range 6 {
		name := filepath.Join(dir, "t-"+string(rune('a'+i))+".bin")
		os.WriteFile(name, nil, 0o644)
		os.Chtimes(name, now, now.Add(time.Duration(i)*time.Minute))
	}
	for name, age := range map[string]time.Duration{".t-old": 2 * time.Hour, ".t-new": time.Minute, "u-a.bin": 3 * time.Hour} {
		os.WriteFile(filepath.Join(dir, name), nil, 0o644)
		os.Chtimes(filepath.Join(dir, name), now, now.Add(-age))
	}
	k.Prune(dir)
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{".t-new", "t-d.bin", "t-e.bin", "t-f.bin", "u-a.bin"}
	if !slices.Equal(names, want) {
		t.Errorf("after Prune: %q, want %q", names, want)
	}
}

// TestReadOnlyWhatWasWrittenThere: a file copied onto another's name (another
// script's compiled program, another lesson), cut short or with any byte
// changed is not believed; Read gives nil and the caller makes it afresh.
func TestReadOnlyWhatWasWrittenThere(t *testing.T) {
	k := &Kind{Prefix: "t-", Magic: "test cache 1\n", Keep: 8}
	dir := t.TempDir()
	k.SetDir(dir)
	a, b := k.Name([]byte("script a")), k.Name([]byte("script b"))
	k.Write(a, []byte(k.Magic+"program of a"))
	k.Write(b, []byte(k.Magic+"program of b"))
	if got := string(k.Read(b)); got != "program of b" {
		t.Fatalf("Read(b) = %q", got)
	}
	ab, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(b, ab, 0o644) // a's file copied onto b's name
	if got := k.Read(b); got != nil {
		t.Errorf("a's file under b's name: Read = %q, want nil", got)
	}
	for n := range len(ab) {
		os.WriteFile(b, ab[:n], 0o644)
		os.WriteFile(a, ab[:n], 0o644)
		if got := k.Read(a); got != nil {
			t.Errorf("file cut to %d bytes: Read = %q, want nil", n, got)
		}
	}
	for i := range ab {
		for _, bit := range []byte{1, 0x80} {
			c := slices.Clone(ab)
			c[i] ^= bit
			os.WriteFile(a, c, 0o644)
			if got := k.Read(a); got != nil {
				t.Errorf("byte %d ^ %#x: Read = %q, want nil", i, bit, got)
			}
		}
	}
	os.WriteFile(a, ab, 0o644)
	if got := string(k.Read(a)); got != "program of a" {
		t.Errorf("Read(a) = %q after restoring it", got)
	}
	k.Write(filepath.Join(dir, "elsewhere.bin"), []byte(k.Magic+"x"))
	if _, err := os.Stat(filepath.Join(dir, "elsewhere.bin")); err == nil {
		t.Error("Write made a file Name did not name")
	}
}

// TestReadNotRegular: an entry of the folder that is not a regular file
// (a link to /dev/zero, a FIFO, a folder) is a miss, at once: reading
// /dev/zero through a link used all memory, opening a FIFO waited for ever.
func TestReadNotRegular(t *testing.T) {
	k := &Kind{Prefix: "t-", Magic: "test cache 1\n", Keep: 8}
	dir := t.TempDir()
	k.SetDir(dir)
	zero, fifo, folder := k.Name([]byte("zero")), k.Name([]byte("fifo")), k.Name([]byte("folder"))
	if err := os.Symlink(os.DevNull, zero); err != nil {
		t.Skip(err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		os.Remove(zero)
		os.Symlink("/dev/zero", zero)
	}
	os.Mkdir(folder, 0o755)
	names := []string{zero, folder}
	if mkfifo(fifo) == nil {
		names = append(names, fifo)
	}
	for _, name := range names {
		done := make(chan []byte)
		go func() { done <- k.Read(name) }()
		select {
		case b := <-done:
			if b != nil {
				t.Errorf("Read(%s) = %q, want nil", name, b)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Read(%s) did not return", name)
		}
	}
	// A file that is a link to a regular file is read as the file.
	real := k.Name([]byte("real"))
	k.Write(real, []byte(k.Magic+"body"))
	os.Rename(real, filepath.Join(dir, "elsewhere"))
	os.Symlink(filepath.Join(dir, "elsewhere"), real)
	if got := string(k.Read(real)); got != "body" {
		t.Errorf("Read through a link to the file = %q, want %q", got, "body")
	}
}
