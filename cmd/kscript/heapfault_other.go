//go:build !linux

package main

// prefaultHeapBytes is Linux's (heapfault_linux.go).
const prefaultHeapBytes = 0

// prefaultHeap does nothing here: see heapfault_linux.go.
func prefaultHeap(uintptr) {}
