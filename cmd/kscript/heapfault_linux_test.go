package main

import (
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
