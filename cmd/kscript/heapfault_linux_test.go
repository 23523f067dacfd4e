package main

import (
	"syscall"
	"testing"
	"unsafe"
)

// TestPrefaultHeap: prefaultHeap populates memory of the heap and carries
// on from where it stopped; what it populated reads as zeros, and the
// heap still works (allocations after it are zeroed and usable).
func TestPrefaultHeap(t *testing.T) {
	prefaultHeap(1 << 20)
	first := heapPopulated
	if first == 0 {
		t.Fatal("prefaultHeap populated nothing")
	}
	prefaultHeap(1 << 20)
	if heapPopulated < first {
		t.Errorf("the second call ended at %#x, before the first's %#x", heapPopulated, first)
	}
	b := make([]byte, 256<<10)
	for i, c := range b {
		if c != 0 {
			t.Fatalf("byte %d of a fresh allocation (at %p) is %#x", i, unsafe.Pointer(&b[0]), c)
		}
		b[i] = byte(i)
	}
}

// populateWorks reports whether madvise(MADV_POPULATE_WRITE) works on a
// fresh anonymous mapping here.
func populateWorks(t *testing.T) bool {
	m, err := syscall.Mmap(-1, 0, 1<<16, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(m)
	return syscall.Madvise(m, 23) == nil // MADV_POPULATE_WRITE
}
