package bareref

// Slab is a plain slab allocator over a Buddy: the kmalloc size classes of
// Linux 6.1 (8 .. 8192 bytes), each a cache of equal objects carved out of
// slabs of 2^order pages; each slab keeps a stack of its free objects, each
// cache a current slab and a list of partial ones. Addresses are in a
// direct map, as the kernel's: DirectMap + pfn<<PageShift + offset.
type Slab struct {
	buddy  *Buddy
	caches []slabCache
	slabOf []*slab // by pfn: the slab a frame belongs to
}

// DirectMap is where the addresses of frame 0 start (x86-64's
// PAGE_OFFSET), so that no object is at address 0.
const DirectMap = 0xffff888000000000

type slabCache struct {
	size    uint64
	order   int
	objects int
	cur     *slab
	partial []*slab
}

type slab struct {
	cache *slabCache
	base  uint64
	free  []uint16 // indices of free objects, a stack
}

// kmallocSizes are Linux's kmalloc caches for x86-64 with 4 KiB pages
// (KMALLOC_MIN_SIZE 8, the 96 and 192 byte caches, up to 8 KiB).
var kmallocSizes = []uint64{8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192}

// sizeIndex mirrors Linux's size_index[] for requests up to 192 bytes:
// the cache for (size-1)/8.
var sizeIndex [24]uint8

func init() {
	for i := range sizeIndex {
		n := uint64(i+1) * 8
		for c, s := range kmallocSizes {
			if s >= n {
				sizeIndex[i] = uint8(c)
				break
			}
		}
	}
}

// NewSlab returns a slab allocator taking its pages from b.
func NewSlab(b *Buddy) *Slab {
	s := &Slab{buddy: b, slabOf: make([]*slab, len(b.frames))}
	for _, size := range kmallocSizes {
		order := 0
		for size<<3 > PageSize<<order && order < 3 { // at least 8 objects a slab, as SLUB aims
			order++
		}
		s.caches = append(s.caches, slabCache{size: size, order: order, objects: int(PageSize << order / size)})
	}
	return s
}

// cacheFor mirrors kmalloc_slab(): size_index for small sizes, the next
// power of two above.
func (s *Slab) cacheFor(size uint64) *slabCache {
	if size <= 192 {
		return &s.caches[sizeIndex[(size-1)/8]]
	}
	c := 7 // 256
	for kmallocSizes[c] < size {
		c++
	}
	return &s.caches[c]
}

// Kmalloc returns an object of at least size bytes (1..8192), 0 when the
// buddy allocator is out of pages.
func (s *Slab) Kmalloc(size uint64) uint64 {
	c := s.cacheFor(size)
	sl := c.cur
	if sl == nil || len(sl.free) == 0 {
		sl = s.refill(c)
		if sl == nil {
			return 0
		}
	}
	i := sl.free[len(sl.free)-1]
	sl.free = sl.free[:len(sl.free)-1]
	return sl.base + uint64(i)*c.size
}

// refill makes a partial slab, or a new one, the cache's current slab.
func (s *Slab) refill(c *slabCache) *slab {
	if n := len(c.partial); n > 0 {
		c.cur = c.partial[n-1]
		c.partial = c.partial[:n-1]
		return c.cur
	}
	pfn, ok := s.buddy.Alloc(c.order)
	if !ok {
		return nil
	}
	sl := &slab{cache: c, base: DirectMap + uint64(pfn)<<PageShift, free: make([]uint16, c.objects)}
	for i := range sl.free {
		sl.free[i] = uint16(c.objects - 1 - i)
	}
	for p := pfn; p < pfn+1<<c.order; p++ {
		s.slabOf[p] = sl
	}
	c.cur = sl
	return sl
}

// Kfree frees an object Kmalloc returned. An empty slab that is not the
// current one goes back to the buddy allocator.
func (s *Slab) Kfree(a uint64) {
	sl := s.slabOf[(a-DirectMap)>>PageShift]
	c := sl.cache
	sl.free = append(sl.free, uint16((a-sl.base)/c.size))
	switch {
	case sl == c.cur:
	case len(sl.free) == 1:
		c.partial = append(c.partial, sl)
	case len(sl.free) == c.objects:
		for i, p := range c.partial {
			if p == sl {
				c.partial = append(c.partial[:i], c.partial[i+1:]...)
				break
			}
		}
		pfn := int32((sl.base - DirectMap) >> PageShift)
		for p := pfn; p < pfn+1<<c.order; p++ {
			s.slabOf[p] = nil
		}
		s.buddy.Free(pfn, c.order)
	}
}
