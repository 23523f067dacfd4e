//go:build unix

package plainfile

import (
	"bytes"
	"os"
	"path/filepath"
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
