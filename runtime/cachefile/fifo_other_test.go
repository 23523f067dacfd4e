//go:build !unix

package cachefile

import "errors"

func mkfifo(string) error { return errors.New("no FIFOs") }
