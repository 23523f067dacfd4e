//go:build js

package shell

import (
	"errors"
	"io"
	"os"
)

// Terminal has no line editor in the browser build (GOOS=js: readline does
// not build there, and the playground runs scenarios, not a terminal).
type Terminal struct{}

// HistoryFile is "" in the browser build: there is no history file.
func HistoryFile(func(string) string) string { return "" }

// NewTerminal fails in the browser build: callers fall back to reading
// commands from their input.
func NewTerminal(*Shell, *os.File, io.Writer, string) (*Terminal, error) {
	return nil, errors.New("no terminal in the browser build")
}

// ReadLine is never reached (NewTerminal fails).
func (t *Terminal) ReadLine(string) (string, error) { return "", io.EOF }

// AddHistory does nothing in the browser build.
func (t *Terminal) AddHistory(string) {}

// Close does nothing in the browser build.
func (t *Terminal) Close() error { return nil }
