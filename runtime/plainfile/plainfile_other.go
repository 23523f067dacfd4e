//go:build !linux

package plainfile

import (
	"io"
	"os"
	"syscall"
)

// open opens name for reading (os.Open: only Linux is served without the poller here).
func open(name string) (*os.File, error) { return os.Open(name) }

// readFile is ReadFile through an *os.File.
func readFile(name string) ([]byte, error) { return readFileOS(name) }

// readFileOS is ReadFile through an *os.File (readFile where no system
// calls of its own are written).
func readFileOS(name string) ([]byte, error) {
	f, err := open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f)
}

// readAll reads f to its end as os.ReadFile does: one read of its size
// and one more to see the end, growing the buffer if it was longer.
func readAll(f *os.File) ([]byte, error) {
	var size int
	if info, err := f.Stat(); err == nil {
		if size64 := info.Size(); int64(int(size64)) == size64 {
			size = int(size64)
		}
	}
	if size > MaxSize {
		return nil, tooLarge(f)
	}
	size++ // one byte for the read that sees the end
	if size < 512 {
		size = 512
	}
	data := make([]byte, 0, size)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return data, err
		}
		if len(data) > MaxSize {
			return nil, tooLarge(f)
		}
		if len(data) >= cap(data) {
			d := append(data[:cap(data)], 0)
			data = d[:len(data)]
		}
	}
}

// tooLarge is the error of a file longer than MaxSize: a read error, EFBIG.
func tooLarge(f *os.File) error {
	return &os.PathError{Op: "read", Path: f.Name(), Err: syscall.EFBIG}
}
