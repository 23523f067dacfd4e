package kclone

import (
	"reflect"
	"testing"

	"kscript.dev/kscript/kernelsim"
)

// BenchmarkPlan plans the copies of a booted kernel: Take without its
// boot.
func BenchmarkPlan(b *testing.B) {
	k, err := kernelsim.New(kernelsim.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		s := &Snapshot{root: k, hasPtr: map[reflect.Type]bool{}, layouts: map[reflect.Type][]slot{}}
		if err := s.plan(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLaneClone copies the booted kernel into the memory of the copy
// before it, as a grading lane does for each submission.
func BenchmarkLaneClone(b *testing.B) {
	snap, err := Take(kernelsim.Config{})
	if err != nil {
		b.Fatal(err)
	}
	l := snap.Lane()
	b.ResetTimer()
	for range b.N {
		if _, err := l.NewKernel(snap.Config()); err != nil {
			b.Fatal(err)
		}
	}
}
