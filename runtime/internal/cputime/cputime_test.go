package cputime

import (
	"runtime"
	"testing"
)

// TestNowAdvances: burning CPU moves Now on where the system reports it.
func TestNowAdvances(t *testing.T) {
	start := Now()
	x := 0
	for i := 0; i < 50_000_000 && Now()-start < 2e6; i++ {
		x += i
	}
	runtime.KeepAlive(x)
	if d := Now() - start; d <= 0 && runtime.GOOS != "windows" && runtime.GOOS != "js" {
		t.Errorf("CPU time did not advance: %v", d)
	}
}
