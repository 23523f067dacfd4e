//go:build !linux

package kclone

// imageFile is nil: without pagemap and copy-on-write mappings of files
// (lanefile_linux.go), a lane copies the snapshot itself.
func imageFile(*Snapshot) *Image { return nil }

// tempImage is Linux's (lanefile_linux.go).
func tempImage(*Image) *Image { return nil }
