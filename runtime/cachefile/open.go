package cachefile

import (
	"errors"
	"os"
)

// errNotRegular is Open's error for a name that is not a regular file.
var errNotRegular = errors.New("cachefile: not a regular file")

// Open opens a cache file for reading, and returns it with its size, only
// when it is a regular file: a cache folder's entry may be anything (a
// symbolic link to /dev/zero, read without end, made a run use all memory;
// a FIFO made it wait for ever to open it), and a cache file that cannot
// be read is only a miss. The open does not wait (O_NONBLOCK where there
// is one: opening a FIFO otherwise waits for a writer), and on Unix the
// file is not handed to Go's network poller (see openRegular).
func Open(name string) (*os.File, int64, error) { return openRegular(name) }

// ReadFile reads a whole cache file of at most max bytes (see Open), or
// returns an error.
func ReadFile(name string, max int64) ([]byte, error) { return readFile(name, max) }

// errTooLarge is ReadFile's error for a file longer than max.
var errTooLarge = errors.New("cachefile: a file larger than its kind's files")
