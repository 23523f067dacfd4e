package lesson

import (
	"os"
	"testing"
)

// BenchmarkDecode decodes lesson 08 (the longest, with programs and checks)
// from its bytes: a lesson run pays this once per lesson file.
func BenchmarkDecode(b *testing.B) {
	const file = "../../lessons/08_copy_from_user.yaml"
	src, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(file, src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadCached loads lesson 08 from its cache file (cache.go): what
// a lesson run pays once the file was decoded before by the same binary.
func BenchmarkLoadCached(b *testing.B) {
	const file = "../../lessons/08_copy_from_user.yaml"
	SetCacheDir(b.TempDir())
	defer SetCacheDir("")
	if _, err := Load(file); err != nil { // decodes and writes the cache file
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(file); err != nil {
			b.Fatal(err)
		}
	}
}
