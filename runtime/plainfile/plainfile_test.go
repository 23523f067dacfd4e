package plainfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

// TestReadFileAsOS: ReadFile gives what os.ReadFile gives, data and error
// text, for the files a run may be pointed at: regular files of every
// size around its buffer's steps, an empty one, files whose size stat does
// not tell (/proc), a directory, a missing file, a path through a file,
// symbolic links (good and dangling), /dev/null and a named pipe with a
// writer.
func TestReadFileAsOS(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	add := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
		return p
	}
	for _, n := range []int{0, 1, 511, 512, 513, 4095, 4096, 4097, 1 << 16, 1<<20 + 1} {
		add(fmt.Sprint("f", n), bytes.Repeat([]byte{'a' + byte(n%26)}, n))
	}
	regular := add("regular.star", []byte("MODULE_LICENSE(\"GPL\")\n"))
	link := filepath.Join(dir, "link.star")
	if err := os.Symlink(regular, link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling.star")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	paths = append(paths, link, dangling, sub, filepath.Join(dir, "missing"),
		filepath.Join(regular, "x"), os.DevNull, "")
	if runtime.GOOS == "linux" {
		paths = append(paths, "/proc/self/cmdline", "/proc/version")
	}
	for _, p := range paths {
		got, gotErr := ReadFile(p)
		want, wantErr := os.ReadFile(p)
		if !bytes.Equal(got, want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("%s: %d bytes, %v; os.ReadFile: %d bytes, %v", p, len(got), gotErr, len(want), wantErr)
		}
	}

	// A named pipe reads to its writer's end, as os.ReadFile reads it.
	fifo := filepath.Join(dir, "fifo.star")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no named pipes:", err)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 10000) // beyond a pipe's buffer
	for _, read := range []func(string) ([]byte, error){ReadFile, os.ReadFile} {
		done := make(chan error, 1)
		go func() {
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err == nil {
				_, err = w.Write(data)
				w.Close()
			}
			done <- err
		}()
		got, err := read(fifo)
		if werr := <-done; werr != nil {
			t.Fatal(werr)
		}
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("fifo: %d bytes, %v; want %d bytes", len(got), err, len(data))
		}
	}
}
