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
