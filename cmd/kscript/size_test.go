package main

import (
	"fmt"
	"strings"
	"testing"
)

// parseSizeScanf is parseSize as it was written with fmt (Sscanf's %d,
// then a comparison with Sprint): the reference the strconv form must
// agree with, input by input.
func parseSizeScanf(s string) (uint64, error) {
	t := strings.TrimSuffix(strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(s)), "B"), "I")
	shift := 0
	if t != "" {
		switch t[len(t)-1] {
		case 'K':
			shift = 10
		case 'M':
			shift = 20
		case 'G':
			shift = 30
		case 'T':
			shift = 40
		}
		if shift > 0 {
			t = t[:len(t)-1]
		}
	}
	var n uint64
	if _, err := fmt.Sscanf(t, "%d", &n); err != nil || fmt.Sprint(n) != t || n == 0 {
		return 0, fmt.Errorf("%q: want a size such as 512M or 16G", s)
	}
	if shift > 0 && n > 1<<(64-shift)-1 {
		return 0, fmt.Errorf("%q: too large", s)
	}
	return n << shift, nil
}

func checkParseSize(t *testing.T, s string) {
	t.Helper()
	got, gerr := parseSize(s)
	want, werr := parseSizeScanf(s)
	if got != want || fmt.Sprint(gerr) != fmt.Sprint(werr) {
		t.Errorf("parseSize(%q) = %d, %v; the fmt form gave %d, %v", s, got, gerr, want, werr)
	}
}

func TestParseSizeSameAsScanf(t *testing.T) {
	for _, s := range []string{
		"", " ", "0", "00", "1", "01", "+1", "-1", "512M", "512m", "512MB", "512MiB", "512mib", "512 M", " 512M ",
		"16G", "1T", "4096", "4K", "4KB", "4KiB", "0x10", "1e3", "1_000", "1.5G", "G", "B", "iB", "MiB",
		"18446744073709551615", "18446744073709551616", "99999999999999999999", "16777215T", "16777216T",
		"17179869183G", "17179869184G", "1M1", "M512", "5\t", "٥", "５", "1\x00", "1 2", "+0", "-0",
	} {
		checkParseSize(t, s)
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"512M", "16G", "0", "+1", "01", "18446744073709551615", "1T", " 4 KiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkParseSize(t, s) })
}
