//go:build unix

package plainfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// TestReadFIFOAsOS: a named pipe reads to its writer's end, beyond a
// pipe's buffer, with ReadFile as with os.ReadFile.
func TestReadFIFOAsOS(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.star")
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

// TestReadFileTooLarge: a file longer than MaxSize, or one that never
// ends (/dev/zero), is a read error, EFBIG, not a process that reads until
// it runs out of memory; a file of MaxSize bytes exactly is read whole.
func TestReadFileTooLarge(t *testing.T) {
	dir := t.TempDir()
	sized := func(n int64) string {
		p := filepath.Join(dir, "f"+strconv.FormatInt(n, 10))
		f, err := os.Create(p)
		if err == nil {
			err = f.Truncate(n)
			f.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, name := range []string{"/dev/zero", sized(MaxSize + 1), sized(4 * MaxSize)} {
		if _, err := os.Stat(name); err != nil {
			t.Logf("%s: %v", name, err)
			continue
		}
		data, err := ReadFile(name)
		var pe *os.PathError
		if !errors.As(err, &pe) || pe.Op != "read" || pe.Err != syscall.EFBIG || data != nil {
			t.Errorf("ReadFile(%s) = %d bytes, %v; want no data and read %s: file too large", name, len(data), err, name)
		}
	}
	if data, err := ReadFile(sized(MaxSize)); err != nil || len(data) != MaxSize {
		t.Errorf("ReadFile of MaxSize bytes = %d bytes, %v", len(data), err)
	}
}
