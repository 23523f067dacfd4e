package kernelsim

import (
	"math/rand/v2"
	"testing"
)

// FuzzSlab runs random sequences of kmalloc, kzalloc, kfree, krealloc,
// kmem_cache_alloc/free and memory accesses, with an occasional bad free,
// checking both allocators' invariants and the contents each object must
// have.
func FuzzSlab(f *testing.F) {
	for _, seed := range []uint64{1, 2, 3, 42, 1 << 40} {
		f.Add(seed, uint16(300))
	}
	f.Fuzz(func(t *testing.T, seed uint64, steps uint16) {
		k := newSlabKernel(t, Config{Seed: seed | 1})
		r := rand.New(rand.NewPCG(seed, 99))
		fz := &slabFuzzer{k: k, r: r, t: t}
		fz.cache, _ = k.KmemCacheCreate("fuzz_cache", 1+r.Uint64N(3000), 0, SlabFlags(r.IntN(2))*SlabHWCacheAlign, nil)
		for i := 0; i < int(steps%2000); i++ {
			fz.step()
			if i%50 == 0 {
				checkAllInvariants(t, k)
			}
		}
		fz.freeAll()
		if err := k.KmemCacheDestroy(fz.cache); err != nil {
			t.Fatal(err)
		}
		checkAllInvariants(t, k)
	})
}

// fuzzObj is a live allocation and the byte it was filled with (-1: none
// written, the poison or zero fill is expected).
type fuzzObj struct {
	a       Addr
	n       uint64
	fromC   bool
	written int
	zeroed  bool
}

type slabFuzzer struct {
	k     *Kernel
	r     *rand.Rand
	t     *testing.T
	cache *KmemCache
	live  []fuzzObj
}

func (f *slabFuzzer) size() uint64 {
	if f.r.IntN(20) == 0 {
		return 8193 + f.r.Uint64N(200_000)
	}
	return f.r.Uint64N(8193)
}

func (f *slabFuzzer) step() {
	k, r := f.k, f.r
	switch op := r.IntN(10); {
	case op < 4:
		n := f.size()
		zero := r.IntN(3) == 0
		gfp := GFP_KERNEL
		if zero {
			gfp |= GFPZero
		}
		if a := k.Kmalloc(n, gfp); a > ZeroSizePtr {
			f.live = append(f.live, fuzzObj{a: a, n: n, written: -1, zeroed: zero})
		}
	case op < 5:
		if a, _ := k.KmemCacheAlloc(f.cache, GFP_KERNEL); a != 0 {
			f.live = append(f.live, fuzzObj{a: a, n: f.cache.ObjectSize(), fromC: true, written: -1})
		}
	case op < 7 && len(f.live) > 0:
		f.free(r.IntN(len(f.live)))
	case op < 8 && len(f.live) > 0:
		i := r.IntN(len(f.live))
		o := &f.live[i]
		c := byte(r.IntN(256))
		if err := k.Memset(o.a, c, o.n); err != nil {
			f.t.Fatal(err)
		}
		o.written = int(c)
	case op < 9 && len(f.live) > 0:
		f.realloc(r.IntN(len(f.live)))
	case len(f.live) > 0:
		f.verify(f.live[r.IntN(len(f.live))])
	}
	if r.IntN(200) == 0 && len(f.live) > 0 {
		// A bad free: reported, nothing changes.
		o := f.live[r.IntN(len(f.live))]
		if _, ok := k.SlabObjectAt(o.a); ok {
			_ = k.Kfree(o.a + 1)
		}
	}
}

// verify checks an object's first and last bytes.
func (f *slabFuzzer) verify(o fuzzObj) {
	if o.n == 0 {
		return
	}
	var want byte
	switch {
	case o.written >= 0:
		want = byte(o.written)
	default:
		want = 0 // zeroed: init_on_alloc=1, kzalloc, or a large kmalloc's fresh pages
	}
	if o.n > KmallocMaxCacheSize && o.written < 0 {
		return // a large kmalloc's pages hold whatever they held
	}
	for _, off := range []uint64{0, o.n - 1} {
		b := readBytes(f.t, f.k, o.a+Addr(off), 1)[0]
		if b != want {
			f.t.Fatalf("object %#x size %d byte %d = %#x, want %#x", uint64(o.a), o.n, off, b, want)
		}
	}
}

func (f *slabFuzzer) free(i int) {
	o := f.live[i]
	f.verify(o)
	var err error
	if o.fromC {
		err = f.k.KmemCacheFree(f.cache, o.a)
	} else {
		err = f.k.Kfree(o.a)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	f.live = append(f.live[:i], f.live[i+1:]...)
}

func (f *slabFuzzer) realloc(i int) {
	o := f.live[i]
	if o.fromC {
		return
	}
	n := f.size()
	a, err := f.k.Krealloc(o.a, n, GFP_KERNEL)
	if err != nil {
		f.t.Fatal(err)
	}
	switch {
	case n == 0:
		f.live = append(f.live[:i], f.live[i+1:]...)
	case a != 0:
		// The first min(old, new) bytes survive a move.
		if keep := min(o.n, n); o.written >= 0 && keep > 0 {
			if b := readBytes(f.t, f.k, a+Addr(keep-1), 1)[0]; b != byte(o.written) {
				f.t.Fatalf("krealloc lost contents: %#x, want %#x", b, o.written)
			}
		}
		c := byte(f.r.IntN(256))
		if err := f.k.Memset(a, c, n); err != nil {
			f.t.Fatal(err)
		}
		f.live[i] = fuzzObj{a: a, n: n, written: int(c)}
	}
}

func (f *slabFuzzer) freeAll() {
	for len(f.live) > 0 {
		f.free(len(f.live) - 1)
	}
}
