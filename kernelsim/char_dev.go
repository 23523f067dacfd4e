package kernelsim

// OWNER: char devices helper (issue 3). Stub.

// devState holds the char device regions (chrdevs), cdevs and the small VFS.
type devState struct{}

func (k *Kernel) bootDevices() error  { return nil }
func (k *Kernel) procDevices() string { return "" }
