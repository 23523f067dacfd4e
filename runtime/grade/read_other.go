//go:build !linux

package grade

import "os"

// readOpened reads the regular file at path that Lstat described as st,
// refusing it when it is no longer that file or is larger than limit.
func readOpened(path string, st os.FileInfo, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if now, err := f.Stat(); err != nil || !os.SameFile(st, now) {
		return nil, errReplaced(path)
	}
	return readLimited(f, path, st.Size(), limit)
}
