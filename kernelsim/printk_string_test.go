package kernelsim

import (
	"fmt"
	"testing"
)

// TestLogRecordString: a log record prints as fmt's "[%5d.%06d] %s" of its
// seconds and microseconds.
func TestLogRecordString(t *testing.T) {
	for _, ns := range []uint64{0, 1, 999, 1000, 999_999, 1_000_000, 5_123_456_789, 99_999_999_999, 100_000_000_000,
		123_456_999_999_999, 1<<64 - 1} {
		for _, text := range []string{"", "hello_kmalloc: allocated 32 bytes", "é\x00%d"} {
			r := LogRecord{Time: ns, Text: text}
			if got, want := r.String(), fmt.Sprintf("[%5d.%06d] %s", ns/1e9, ns%1e9/1e3, text); got != want {
				t.Fatalf("%d %q: %q, want %q", ns, text, got, want)
			}
		}
	}
}
