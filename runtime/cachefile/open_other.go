//go:build !linux

package cachefile

import (
	"io"
	"os"
)

// openRegular opens name for reading when it is a regular file (Open).
func openRegular(name string) (*os.File, int64, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = errNotRegular
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

func readFile(name string, max int64) ([]byte, error) { return readFileOS(name, max) }

// readFileOS is ReadFile through an *os.File (readFile where no system
// calls of its own are written).
func readFileOS(name string, max int64) ([]byte, error) {
	f, size, err := Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > max {
		return nil, errTooLarge
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, err
	}
	return b, nil
}
