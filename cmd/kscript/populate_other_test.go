//go:build !linux

package main

import "testing"

// populateWorks reports false: MADV_POPULATE_WRITE is Linux's
// (heapfault_linux_test.go).
func populateWorks(*testing.T) bool { return false }
