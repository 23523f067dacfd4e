package scenario

import (
	"math"
	"testing"
)

// TestAddSizes: max_total's sum saturates instead of wrapping, so huge size
// arguments cannot add up to a small total.
func TestAddSizes(t *testing.T) {
	for _, tt := range []struct {
		total, size uint64
		count       int
		want        uint64
	}{
		{0, 32, 1, 32},
		{8, 8, 3, 32},
		{0, 0, 5, 0},
		{0, math.MaxUint64 - 7, 2, math.MaxUint64},  // the product wraps
		{16, math.MaxUint64 - 7, 1, math.MaxUint64}, // the sum wraps
		{0, 1 << 63, 2, math.MaxUint64},
		{0, 5, -1, 0},
	} {
		if got := addSizes(tt.total, tt.size, tt.count); got != tt.want {
			t.Errorf("addSizes(%d, %d, %d) = %d, want %d", tt.total, tt.size, tt.count, got, tt.want)
		}
	}
}
