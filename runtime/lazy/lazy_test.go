package lazy

import (
	"sync"
	"sync/atomic"
	"testing"
)

var builds atomic.Int32

var table = NewMap(func() map[string]int {
	builds.Add(1)
	return map[string]int{"one": 1, "two": 2}
})

// TestMap: the map is built on first use, once, even when many goroutines
// ask for it at the same time.
func TestMap(t *testing.T) {
	if builds.Load() != 0 {
		t.Fatal("built before first use")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if table.Get()["two"] != 2 {
				t.Error("wrong map")
			}
		})
	}
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Errorf("built %d times", n)
	}
}
