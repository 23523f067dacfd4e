package main

import (
	"io"
	"strings"
	"testing"
)

func BenchmarkZZFive(b *testing.B) {
	five := []string{"run", "../../lessons/01_kmalloc.star", "../../lessons/03_atomic.star", "../../lessons/04_alloc_pages.star", "../../lessons/06_vmalloc.star", "../../lessons/08_copy_from_user.star"}
	kscriptMain(five, strings.NewReader(""), io.Discard, io.Discard)
	b.ResetTimer()
	for range b.N {
		kscriptMain(five, strings.NewReader(""), io.Discard, io.Discard)
	}
}
