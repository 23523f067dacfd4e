package picture

import (
	"kscript.dev/kscript/kernelsim"
)

// Snapshot is the state of the machine at one moment, as the pictures need
// it: every page frame's owner, the zones' free lists, the vm areas and the
// slab caches.
type Snapshot struct {
	Frames []kernelsim.PageFrame
	Zones  []kernelsim.ZoneView
	Areas  []Area
	Caches []kernelsim.SlabCacheView
	// BootVmalloc counts the pages of vm areas made at boot, which
	// /proc/meminfo's VmallocUsed counts but which have no frames of
	// their own in the simulation (they are inside the kernel's boot
	// memory on the map).
	BootVmalloc int64
}

// Area is a copy of one busy vm area.
type Area struct {
	Addr   kernelsim.Addr
	Size   uint64 // guard page included
	Guard  bool
	Module bool
	Caller string
	Pages  []kernelsim.PFN
}

// Take reads a snapshot of k.
func Take(k *kernelsim.Kernel) *Snapshot {
	s := &Snapshot{Frames: k.MemMap(), Zones: k.ZoneViews(), Caches: k.SlabCacheSnapshots()}
	for _, v := range k.VMAreas() {
		if v.Pages == nil {
			s.BootVmalloc += int64(v.NrPages())
			continue
		}
		s.Areas = append(s.Areas, Area{Addr: v.Addr, Size: v.Size, Guard: v.Flags&kernelsim.VMNoGuard == 0,
			Module: kernelsim.IsModuleAddr(v.Addr), Caller: v.Caller(), Pages: append([]kernelsim.PFN(nil), v.Pages...)})
	}
	return s
}

// Cache returns the snapshot of the cache named name.
func (s *Snapshot) Cache(name string) (kernelsim.SlabCacheView, bool) {
	for _, c := range s.Caches {
		if c.Name == name {
			return c, true
		}
	}
	return kernelsim.SlabCacheView{}, false
}

// Counts are what a memory map adds up to: pages per owner, and free
// blocks per zone and order (the picture's /proc/meminfo and
// /proc/buddyinfo).
type Counts struct {
	Pages [kernelsim.NrFrameOwners]int64
	// FreeBlocks[zone name][order] counts the heads of free blocks.
	FreeBlocks map[string][kernelsim.MaxOrder]uint64
}

// Counts adds up the frames of the snapshot.
func (s *Snapshot) Counts() Counts {
	c := Counts{FreeBlocks: map[string][kernelsim.MaxOrder]uint64{}}
	for pfn, f := range s.Frames {
		c.Pages[f.Owner]++
		if f.Owner == kernelsim.FrameFree && f.Head {
			name := "?"
			if z := s.zoneOf(pfn); z != nil {
				name = z.Name
			}
			fb := c.FreeBlocks[name]
			fb[f.Order]++
			c.FreeBlocks[name] = fb
		}
	}
	return c
}

// zoneOf returns the zone holding pfn, from the snapshot's zone spans.
func (s *Snapshot) zoneOf(pfn int) *kernelsim.ZoneView {
	for i := range s.Zones {
		z := &s.Zones[i]
		if kernelsim.PFN(pfn) >= z.StartPFN && uint64(kernelsim.PFN(pfn)-z.StartPFN) < z.Spanned {
			return z
		}
	}
	return nil
}

// Block is a run of page frames that a step changed: allocated (it was
// free or on a per-CPU list before and is owned now) or freed.
type Block struct {
	PFN   int
	Pages int
	Owner kernelsim.FrameOwner // the owner after the step (free for a freed block)
	Was   kernelsim.FrameOwner // the owner before the step
	Freed bool
}

// Changes returns the blocks whose owner changed between before and after,
// as runs of frames with the same old and new owner; at most max blocks
// (the rest are counted in more).
func Changes(before, after *Snapshot, max int) (blocks []Block, more int) {
	n := min(len(before.Frames), len(after.Frames))
	for pfn := 0; pfn < n; {
		b, a := before.Frames[pfn], after.Frames[pfn]
		if b.Owner == a.Owner || !changed(b.Owner, a.Owner) {
			pfn++
			continue
		}
		end := pfn + 1
		for end < n && before.Frames[end].Owner == b.Owner && after.Frames[end].Owner == a.Owner &&
			!(after.Frames[end].Head && a.Owner != kernelsim.FrameFree) {
			end++
		}
		if len(blocks) < max {
			blocks = append(blocks, Block{PFN: pfn, Pages: end - pfn, Owner: a.Owner, Was: b.Owner, Freed: isFree(a.Owner)})
		} else {
			more++
		}
		pfn = end
	}
	return blocks, more
}

func isFree(o kernelsim.FrameOwner) bool { return o == kernelsim.FrameFree || o == kernelsim.FramePCP }

// changed tells an allocation or a free from a move between a free list and
// a per-CPU list, which is neither.
func changed(before, after kernelsim.FrameOwner) bool {
	return !(isFree(before) && isFree(after))
}
