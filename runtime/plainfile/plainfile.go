// Package plainfile reads the files a kscript run reads (a lesson, its
// scripts) as os.ReadFile does, but, on Linux, without starting Go's network
// poller for them.
//
// os.Open and os.ReadFile set O_NONBLOCK on every file they open and offer
// it to the poller (epoll), which refuses a regular file (EPERM); the
// flag is then cleared again. The first such offer starts the poller for
// the rest of the process: epoll_create1, an eventfd, and from then on an
// idle thread of the scheduler waits in epoll_pwait and is woken through
// the eventfd, where a process without a poller has its idle threads
// sleep on a futex. A kscript run reads a handful of regular files and
// never anything the poller could wait for, so it keeps none: files are
// opened with open(2) and wrapped by os.NewFile as blocking descriptors,
// which NewFile does not offer to the poller. Anything else (a FIFO, a
// terminal: kscript run <(…) passes a pipe) reads the same, each read
// waiting in a thread of its own as a blocking read does.
package plainfile

import (
	"io"
	"os"
	"syscall"
)

// MaxSize is the most ReadFile reads: a lesson file or a script is a few
// kilobytes, and a name such as /dev/zero or an endless pipe would
// otherwise be read until the process runs out of memory. Past it ReadFile
// fails with EFBIG ("file too large") as a read error.
const MaxSize = 16 << 20

// ReadFile reads the whole file name, as os.ReadFile does: the same data
// and the same errors (*os.PathError with Op "open" or "read"), except that
// a file longer than MaxSize is a read error, EFBIG.
func ReadFile(name string) ([]byte, error) {
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
