//go:build !linux

package plainfile

import "os"

// open opens name for reading (os.Open: only Linux is served without the poller here).
func open(name string) (*os.File, error) { return os.Open(name) }
