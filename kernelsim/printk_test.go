package kernelsim

import (
	"strings"
	"testing"
)

// TestPrintkRecordMax: one printk stores at most LOG_LINE_MAX - 1 (991)
// bytes of formatted text, its level prefix and newline included, as
// 6.1's vprintk_store cuts it; a continuation that would make the record
// longer than LOG_LINE_MAX starts a record of its own. printk returns the
// length stored.
func TestPrintkRecordMax(t *testing.T) {
	x := func(n int) string { return strings.Repeat("x", n) }
	for _, tc := range []struct {
		name string
		msgs []string
		want []int // the records' text lengths
		ret  int   // what the last printk returned
	}{
		{"short", []string{KernSOH + "6hi\n"}, []int{2}, 2},
		{"fits exactly", []string{KernSOH + "6" + x(988) + "\n"}, []int{988}, 988},
		{"newline cut off", []string{KernSOH + "6" + x(989) + "\n"}, []int{989}, 989},
		{"huge", []string{KernSOH + "6" + x(1<<20) + "\n"}, []int{989}, 989},
		{"no prefix", []string{x(5000)}, []int{991}, 991},
		{"cont fits", []string{KernSOH + "6" + x(500), KernCont + x(480) + "\n"}, []int{980}, 480},
		{"cont too long", []string{KernSOH + "6" + x(500), KernCont + x(500) + "\n"}, []int{500, 500}, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, Config{Seed: 1})
			seq := k.NextSeq()
			ret := 0
			for _, m := range tc.msgs {
				ret = k.Printk(m)
			}
			var got []int
			for _, r := range k.LogSince(seq) {
				got = append(got, len(r.Text))
			}
			if len(got) != len(tc.want) || ret != tc.ret {
				t.Fatalf("records %v, printk returned %d; want %v, %d", got, ret, tc.want, tc.ret)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("records %v, want %v", got, tc.want)
				}
			}
		})
	}
}
