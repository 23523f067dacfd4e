package kernelsim

// OWNER: char devices / user space helper (issue 3). Stub.

// procState holds user processes and their address spaces.
type procState struct{}
