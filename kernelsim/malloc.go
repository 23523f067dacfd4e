package kernelsim

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// malloc and free for user programs: a small model of glibc 2.36's malloc
// (Debian 12) on top of brk(2) and mmap(2), so that pointers look like a
// real program's and heap memory is ordinary user memory, faulted in page by
// page.
//
// As glibc does, the first malloc grows the heap by 132 KiB and places the
// tcache (0x290 bytes) first, so the first pointer is heap start + 0x2a0;
// chunks carry an 8-byte size header before the pointer and are 16-byte
// aligned, at least 32 bytes; requests of 128 KiB and more get their own
// mapping. Unlike glibc, a freed chunk is only reused by a request of the
// same chunk size (as the tcache and fastbins do), never merged or split.

const (
	mallocAlign        = 16
	mallocMinChunk     = 32
	mallocTopPad       = 128 << 10 // M_TOP_PAD default
	mallocMmapThresh   = 128 << 10 // M_MMAP_THRESHOLD default
	mallocTcacheChunk  = 0x290     // sizeof(tcache_perthread_struct) + header
	chunkPrevInuse     = 0x1
	chunkIsMmapped     = 0x2
	heapGrowDefault    = 0x21000 // the first sbrk: 132 KiB
	mallocHeaderOffset = 8       // the size field sits 8 bytes before the pointer
)

// heapState is the arena: chunks by user pointer, free lists by chunk size.
type heapState struct {
	chunks map[Addr]*mchunk  // user pointer -> chunk
	free   map[uint64][]Addr // chunk size -> freed user pointers, LIFO
	top    Addr              // start of the unused rest of the heap
	key    uint64            // tcache_key: marks a chunk as freed
}

type mchunk struct {
	size    uint64 // chunk size, header included
	free    bool
	mmapped bool
}

// request2size mirrors glibc's request2size: the chunk a request needs.
func request2size(n uint64) uint64 {
	return max(mallocMinChunk, (n+mallocHeaderOffset+mallocAlign-1)&^(mallocAlign-1))
}

// Malloc mirrors malloc(n): a pointer to n usable bytes, or 0 (NULL) when
// the heap cannot grow (the runtime sets errno to ENOMEM).
func (p *Process) Malloc(n uint64) Addr {
	h := &p.heap
	if h.chunks == nil {
		h.chunks, h.free = map[Addr]*mchunk{}, map[uint64][]Addr{}
		h.key = p.k.rng.Uint64()
	}
	if n >= 1<<62 {
		return 0
	}
	size := request2size(n)
	if size >= mallocMmapThresh {
		return p.mallocMmap(size)
	}
	if list := h.free[size]; len(list) > 0 {
		a := list[len(list)-1]
		h.free[size] = list[:len(list)-1]
		h.chunks[a].free = false
		_ = p.writeWord(a+8, 0) // the tcache key is cleared on reuse
		return a
	}
	if h.top == 0 {
		if !p.growHeap(heapGrowDefault) {
			return 0
		}
		h.top = p.MM.StartBrk + mallocTcacheChunk
		_ = p.writeWord(p.MM.StartBrk+8, mallocTcacheChunk|chunkPrevInuse)
	}
	if h.top+Addr(size)+mallocMinChunk > p.MM.Brk {
		grow := (uint64(h.top) + size + mallocTopPad - uint64(p.MM.Brk) + PageSize - 1) &^ (PageSize - 1)
		if !p.growHeap(grow) {
			return 0
		}
	}
	chunk := h.top
	h.top += Addr(size)
	a := chunk + 2*mallocHeaderOffset
	h.chunks[a] = &mchunk{size: size}
	_ = p.writeWord(chunk+8, size|chunkPrevInuse)
	return a
}

// mallocMmap mirrors sysmalloc's mmap path for large requests: a private
// anonymous mapping below mmap_base, the pointer 16 bytes into it.
func (p *Process) mallocMmap(size uint64) Addr {
	length := (size + PageSize - 1) &^ (PageSize - 1)
	start, ok := p.mmapAnon(length)
	if !ok {
		return 0
	}
	a := start + 2*mallocHeaderOffset
	p.heap.chunks[a] = &mchunk{size: length, mmapped: true}
	_ = p.writeWord(start+8, length|chunkIsMmapped)
	return a
}

// Free mirrors free(ptr). free(NULL) does nothing. A pointer malloc did not
// return, or one already freed, makes glibc print its message and abort:
// the process dies with SIGABRT and the *ProcessKilled is returned.
func (p *Process) Free(a Addr) error {
	if a == 0 {
		return nil
	}
	h := &p.heap
	c, ok := h.chunks[a]
	switch {
	case !ok:
		return p.mallocAbort("free(): invalid pointer")
	case c.free:
		return p.mallocAbort("free(): double free detected in tcache 2")
	case c.mmapped:
		delete(h.chunks, a)
		p.munmap(a-2*mallocHeaderOffset, c.size)
		return nil
	}
	c.free = true
	list := h.free[c.size]
	next := uint64(0)
	if len(list) > 0 {
		next = uint64(list[len(list)-1])
	}
	h.free[c.size] = append(list, a)
	// tcache_put with safe-linking: e->next = PROTECT_PTR(&e->next, next),
	// e->key = tcache_key. A use after free reads these.
	if err := p.writeWord(a, uint64(a)>>12^next); err != nil {
		return err
	}
	return p.writeWord(a+8, h.key)
}

// mallocAbort mirrors malloc_printerr: the message on stderr, then abort().
func (p *Process) mallocAbort(msg string) error {
	if p.stdout != nil {
		fmt.Fprintf(p.stdout, "%s\n", msg)
	}
	return p.killWith(SIGABRT, nil)
}

func (p *Process) writeWord(a Addr, v uint64) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return p.WriteUser(a, b[:])
}

// growHeap mirrors brk(2) growing the heap by n bytes: the [heap] VMA is
// created or extended. false when the heap would run into another mapping.
func (p *Process) growHeap(n uint64) bool {
	mm := p.MM
	newBrk := mm.Brk + Addr(n)
	if v := mm.findVMAFrom(mm.Brk); v != nil && v.Start < newBrk && v.Name != "[heap]" {
		return false
	}
	if mm.Brk == mm.StartBrk {
		mm.insertVMA(&VMA{Start: mm.StartBrk, End: newBrk, Flags: VM_READ | VM_WRITE, Name: "[heap]"})
	} else {
		mm.findVMA(mm.Brk - 1).End = newBrk
	}
	mm.Brk = newBrk
	return true
}

// mmapAnon mirrors mmap(NULL, length, PROT_READ|PROT_WRITE,
// MAP_PRIVATE|MAP_ANONYMOUS): the highest free gap below mmap_base (the
// top-down layout). Requests larger than RAM fail, as the overcommit
// heuristic would make them.
func (p *Process) mmapAnon(length uint64) (Addr, bool) {
	mm := p.MM
	if length > p.k.cfg.RAM {
		return 0, false
	}
	top := mm.MmapBase
	for i := len(mm.vmas) - 1; i >= 0; i-- {
		v := mm.vmas[i]
		if v.Start >= top {
			continue
		}
		if v.End <= top-Addr(length) {
			break
		}
		top = v.Start
	}
	if uint64(top) < length+uint64(mm.Brk)+(1<<30) {
		return 0, false
	}
	start := top - Addr(length)
	mm.insertVMA(&VMA{Start: start, End: top, Flags: VM_READ | VM_WRITE})
	return start, true
}

// munmap mirrors munmap(2) of a whole mapping: its frames are freed.
func (p *Process) munmap(start Addr, length uint64) {
	mm := p.MM
	for a := start; a < start+Addr(length); a += PageSize {
		p.k.unmapAnonPage(mm, a)
	}
	for i, v := range mm.vmas {
		if v.Start == start {
			mm.vmas = append(mm.vmas[:i], mm.vmas[i+1:]...)
			break
		}
	}
}

func (mm *MM) insertVMA(v *VMA) {
	i := sort.Search(len(mm.vmas), func(i int) bool { return mm.vmas[i].Start > v.Start })
	mm.vmas = append(mm.vmas[:i], append([]*VMA{v}, mm.vmas[i:]...)...)
}

// findVMAFrom returns the first VMA ending above a (find_vma without the
// containment test), nil if none.
func (mm *MM) findVMAFrom(a Addr) *VMA {
	i := sort.Search(len(mm.vmas), func(i int) bool { return mm.vmas[i].End > a })
	if i == len(mm.vmas) {
		return nil
	}
	return mm.vmas[i]
}
