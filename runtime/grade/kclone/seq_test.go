package kclone

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// expand returns the offsets a run's singles and sequences stand for.
func expand(singles, seqs []uint64) []relocOff {
	var l []relocOff
	for _, o := range singles {
		l = append(l, relocOff{uintptr(uint32(o)), uintptr(o >> 32)})
	}
	for q := seqs; len(q) >= 3; q = q[3:] {
		slot, target := int64(uint32(q[0])), int64(uint32(q[0]>>32))
		ds, dt := int64(uint32(q[2])), int64(int32(uint32(q[2]>>32)))
		for range q[1] {
			l = append(l, relocOff{uintptr(slot), uintptr(target)})
			slot, target = slot+ds, target+dt
		}
	}
	return l
}

// TestEncodeRun: the singles and sequences of a run stand for its offsets,
// each once, and pass validRun and validSeqs for arenas that hold them.
func TestEncodeRun(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const es = 48
	for round := range 200 {
		var offs []relocOff
		seen := map[uintptr]bool{}
		for range r.IntN(300) {
			// Some fields of consecutive values pointing to one object or
			// to consecutive ones, some anywhere.
			base, n := uintptr(r.IntN(200)), r.IntN(20)
			field := uintptr(8 * r.IntN(es/8))
			target, step := uintptr(r.IntN(1000)), uintptr(r.IntN(3)*16)
			for i := range uintptr(n) {
				slot := (base+i)*es + field
				if !seen[slot] {
					seen[slot] = true
					offs = append(offs, relocOff{slot, target + i*step})
				}
			}
		}
		slices.SortFunc(offs, func(a, b relocOff) int { return int(a.slot) - int(b.slot) })
		singles, seqs, err := encodeRun(offs, es)
		if err != nil {
			t.Fatal(err)
		}
		got := expand(singles, seqs)
		slices.SortFunc(got, func(a, b relocOff) int { return int(a.slot) - int(b.slot) })
		if !slices.Equal(got, offs) {
			t.Fatalf("round %d: %d singles and %d sequences stand for other offsets", round, len(singles), len(seqs)/3)
		}
		if !validRun(singles, 220*es, 1000+40*20) || !validSeqs(seqs, 220*es, 1000+40*20) {
			t.Fatalf("round %d: a valid run refused", round)
		}
	}
}

// TestValidSeqs: a sequence with a pointer outside its arenas, or
// misaligned, is refused, however large its numbers.
func TestValidSeqs(t *testing.T) {
	seq := func(slot, target uint32, n uint64, ds uint32, dt int32) []uint64 {
		return []uint64{uint64(slot) | uint64(target)<<32, n, uint64(ds) | uint64(uint32(dt))<<32}
	}
	const from, to = 1 << 10, 1 << 8
	for _, tc := range []struct {
		name string
		seq  []uint64
		ok   bool
	}{
		{"inside", seq(0, 0, 128, 8, 1), true},
		{"downwards", seq(0, 255, 128, 8, -2), true},
		{"one slot too many", seq(0, 0, 129, 8, 0), false},
		{"last slot past the end", seq(8, 0, 128, 8, 0), false},
		{"last target past the end", seq(0, 0, 128, 8, 3), false},
		{"last target below zero", seq(0, 200, 128, 8, -2), false},
		{"first target past the end", seq(0, to, 1, 8, 0), false},
		{"misaligned slot", seq(4, 0, 2, 8, 0), false},
		{"misaligned stride", seq(0, 0, 2, 12, 0), false},
		{"no stride", seq(0, 0, 2, 0, 0), false},
		{"none", seq(0, 0, 0, 8, 0), false},
		{"huge count", seq(0, 0, 1<<62, 8, 0), false},
		{"huge stride", seq(0, 0, 3, 1<<31, 0), false},
		{"huge target stride", seq(0, 0, 3, 8, -1<<31), false},
	} {
		if got := validSeqs(tc.seq, from, to); got != tc.ok {
			t.Errorf("%s: validSeqs = %v, want %v", tc.name, got, tc.ok)
		}
	}
}
