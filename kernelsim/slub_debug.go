package kernelsim

import (
	"fmt"
	"strings"
)

// This file mirrors SLUB's debug reports (mm/slub.c: slab_bug, slab_err,
// object_err, print_trailer, slab_fix, list_slab_objects,
// slab_out_of_memory) and the warnings of mm/slab_common.c.
//
// The free checks run only when the command line has slub_debug=F (see
// slabFreeChecked); kmem_cache_destroy's report of objects left behind
// (list_slab_objects) needs only CONFIG_SLUB_DEBUG, which Debian has. Their
// %p are hashes unless slub_debug turned no_hash_pointers on (HashPointer).

// hexPtr formats an address in full, for kscript's own notes.
func hexPtr(a Addr) string { return fmt.Sprintf("%016x", uint64(a)) }

// slabBug mirrors slab_bug(): the banner of every SLUB report.
func (k *Kernel) slabBug(s *KmemCache, reason string) {
	k.printk(LogErr, "=============================================================================\n")
	k.printk(LogErr, "BUG %s (%s): %s\n", s.Name, k.TaintString(), reason)
	k.printk(LogErr, "-----------------------------------------------------------------------------\n\n")
}

// slabFolioFlags formats a slab's head page flags as %pGp does, with the
// memory core's page->flags layout (pageFlagsWord): PG_slab, PG_head for a
// compound slab, then the node, zone and last_cpupid fields.
func (k *Kernel) slabFolioFlags(sl *Slab) string {
	zone := k.zoneOf(sl.pfn).idx
	v := pageFlagsWord(zone) | 1<<pgSlabBit
	names := "slab"
	if sl.order > 0 {
		v |= 1 << pgHeadFlagBit
		names += "|head"
	}
	return fmt.Sprintf("%#x(%s|node=0|zone=%d|lastcpupid=0x1fffff)", v, names, zone)
}

// pgHeadFlagBit is PG_head's bit in page->flags on Debian's 6.1 build.
const pgHeadFlagBit = 16

// slabFreelistHead returns slab->freelist: the first free object, or 0 for
// the CPU slab, whose freelist belongs to kmem_cache_cpu while it is active.
func (s *KmemCache) slabFreelistHead(sl *Slab) Addr {
	if sl == s.cpuSlab || sl.nfree == 0 {
		return 0
	}
	return s.objAddr(sl, int(s.freePool[sl.first()+uint32(sl.nfree)-1]))
}

// printSlabInfo mirrors print_slab_info().
func (k *Kernel) printSlabInfo(sl *Slab) {
	k.printk(LogErr, "Slab 0x%s objects=%d used=%d fp=0x%s flags=%s\n", k.HashPointer(PageStructAddr(PFN(sl.pfn))),
		sl.objects, sl.inuse, k.HashPointer(k.slabCache(sl).slabFreelistHead(sl)), k.slabFolioFlags(sl))
}

// slabErr mirrors slab_err(): a report about a slab as a whole.
func (k *Kernel) slabErr(s *KmemCache, sl *Slab, class, reason string, top ...string) {
	title := fmt.Sprintf("BUG %s (%s): %s", s.Name, k.TaintString(), reason)
	k.slabBug(s, reason)
	k.printSlabInfo(sl)
	k.dumpStack(LogErr, top...)
	k.addTaintBadPage()
	k.report(class, title, false)
}

// objectErr mirrors object_err(): a report about one object.
func (k *Kernel) objectErr(s *KmemCache, sl *Slab, idx int, class, reason string, top ...string) {
	title := fmt.Sprintf("BUG %s (%s): %s", s.Name, k.TaintString(), reason)
	k.slabBug(s, reason)
	k.printTrailer(s, sl, idx, top)
	k.addTaintBadPage()
	k.report(class, title, false)
}

// slabFix mirrors slab_fix(): what SLUB did about the problem.
func (k *Kernel) slabFix(s *KmemCache, format string, args ...any) {
	k.printk(LogErr, "FIX %s: %s\n", s.Name, fmt.Sprintf(format, args...))
}

// freePointer mirrors get_freepointer() for the report: the next object on
// a free object's freelist, or the word stored at s->offset in an allocated
// one (its data, as SLUB sees it).
func (k *Kernel) freePointer(s *KmemCache, sl *Slab, idx int) Addr {
	if !s.isUsed(sl, idx) {
		free := s.freeList(sl)
		for i, f := range free {
			if int(f) == idx && i > 0 {
				return s.objAddr(sl, int(free[i-1]))
			}
		}
		return 0
	}
	var w [8]byte
	k.slabRawRead(s.objAddr(sl, idx)+Addr(s.offset), w[:])
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(w[i])
	}
	return Addr(v)
}

// printTrailer mirrors print_trailer(): where the object is, its bytes, and
// the call trace.
func (k *Kernel) printTrailer(s *KmemCache, sl *Slab, idx int, top []string) {
	p := s.objAddr(sl, idx)
	k.printTracking(s, sl, idx)
	k.printSlabInfo(sl)
	k.printk(LogErr, "Object 0x%s @offset=%d fp=0x%s\n\n", k.HashPointer(p), p-sl.addr(), k.HashPointer(k.freePointer(s, sl, idx)))
	if s.flags&SlabRedZone != 0 {
		k.printSection("Redzone  ", p-Addr(s.redLeftPad), int(s.redLeftPad))
	} else if p > sl.addr()+16 {
		k.printSection("Bytes b4 ", p-16, 16)
	}
	k.printSection("Object   ", p, int(min(s.objectSize, PageSize)))
	if s.flags&SlabRedZone != 0 {
		k.printSection("Redzone  ", p+Addr(s.objectSize), int(s.inuse-s.objectSize))
	}
	off := s.inuse
	if s.offset >= s.inuse {
		off = s.offset + pointerSize
	}
	if s.flags&SlabStoreUser != 0 {
		off += 2 * trackSize
	}
	off += s.kasanMetadataSize()
	if end := s.size - s.redLeftPad; off != end {
		k.printSection("Padding  ", p+Addr(off), int(end-off))
	}
	k.dumpStack(LogErr, top...)
}

// printTracking mirrors print_tracking(): the object's last allocation and
// free, when kscript recorded them (the script's call stacks).
func (k *Kernel) printTracking(s *KmemCache, sl *Slab, idx int) {
	t := s.track(sl, idx)
	if !sl.hasMeta() || t == nil {
		return
	}
	k.printTrack("Allocated", t.AllocStack, t.AllocPID, t.AllocTime)
	k.printTrack("Freed", t.FreeStack, t.FreePID, t.FreeTime)
}

// printTrack mirrors print_track(): "Allocated in f+0x../0x.. age=J cpu=0
// pid=P" and the stack (here, decoded script frames); age in jiffies (HZ=250).
func (k *Kernel) printTrack(what string, stack []Frame, pid int, when uint64) {
	if len(stack) == 0 {
		return
	}
	k.printk(LogErr, "%s in %s age=%d cpu=0 pid=%d\n", what, FormatFrame(stack[0]), (k.now-when)/4_000_000, pid)
	for _, f := range stack {
		k.printk(LogErr, " %s\n", FormatFrame(f))
	}
}

// printSection mirrors print_section(): print_hex_dump(KERN_ERR, text,
// DUMP_PREFIX_ADDRESS, 16, 1, addr, length, 1).
func (k *Kernel) printSection(text string, a Addr, n int) {
	buf := make([]byte, n)
	k.slabRawRead(a, buf)
	for off := 0; off < n; off += 16 {
		row := buf[off:min(off+16, n)]
		k.printk(LogErr, "%s%s: %s\n", text, k.HashPointer(a+Addr(off)), hexDumpLine(row))
	}
}

// hexDumpLine mirrors hex_dump_to_buffer() with rowsize 16, groupsize 1 and
// ascii: the bytes in hex, padded to column 49, then the printable ones.
func hexDumpLine(row []byte) string {
	var b strings.Builder
	for i, c := range row {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%02x", c)
	}
	for b.Len() < 49 {
		b.WriteByte(' ')
	}
	for _, c := range row {
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
		} else {
			b.WriteByte('.')
		}
	}
	return b.String()
}

// listSlabObjects mirrors list_slab_objects(): the slab_err banner, then
// each object still allocated in the slab.
func (k *Kernel) listSlabObjects(s *KmemCache, sl *Slab) {
	reason := fmt.Sprintf("Objects remaining in %s on __kmem_cache_shutdown()", s.Name)
	k.slabBug(s, reason)
	k.printSlabInfo(sl)
	k.dumpStack(LogErr, "slab_err+0xd8/0x110", "__kmem_cache_shutdown+0x160/0x2e0", "kmem_cache_destroy+0x55/0x160")
	k.addTaintBadPage()
	for idx := 0; idx < int(sl.objects); idx++ {
		if s.isUsed(sl, idx) {
			p := s.objAddr(sl, idx)
			k.printk(LogErr, "Object 0x%s @offset=%d\n", k.HashPointer(p), p-sl.addr())
			k.printTracking(s, sl, idx)
		}
	}
}

// addTaintBadPage mirrors add_taint(TAINT_BAD_PAGE, LOCKDEP_NOW_UNRELIABLE):
// the first such taint also turns lock debugging off, and says so.
func (k *Kernel) addTaintBadPage() { k.addTaintUnreliable(TaintBadPage) }

// kmallocFixFlags mirrors kmalloc_fix_flags(): a slab allocation asked for
// __GFP_DMA32 or __GFP_HIGHMEM (or unknown bits), which slab pages cannot
// honour: warn, drop them, and go on.
func (k *Kernel) kmallocFixFlags(gfp GFP) GFP {
	bad := gfp & gfpSlabBugMask
	fixed := gfp &^ gfpSlabBugMask
	k.printk(LogWarning, "Unexpected gfp: %#x (%s). Fixing up to gfp: %#x (%s). Fix your code!\n",
		uint32(bad), bad, uint32(fixed), fixed)
	k.dumpStack(LogWarning, "kmalloc_fix_flags.cold+0x1e/0x20")
	return fixed
}

// slabOutOfMemory mirrors slab_out_of_memory(): after the page allocator's
// own warning, SLUB says which cache could not grow, at most 10 times in 5
// seconds (DEFAULT_RATELIMIT_BURST/INTERVAL) and never with __GFP_NOWARN.
func (k *Kernel) slabOutOfMemory(s *KmemCache, gfp GFP) {
	if gfp&GFPNoWarn != 0 || !k.slabOOMRatelimit() {
		return
	}
	k.printk(LogWarning, "SLUB: Unable to allocate memory on node -1, gfp=%s\n", gfp.Mode())
	k.printk(LogWarning, "  cache: %s, object size: %d, buffer size: %d, default order: %d, min order: %d\n",
		s.Name, s.objectSize, s.size, s.order, s.minOrder)
	active, num := k.slabinfo(s)
	k.printk(LogWarning, "  node 0: slabs: %d, objs: %d, free: %d\n", s.nrSlabs, num, num-active)
}

func (k *Kernel) slabOOMRatelimit() bool {
	const interval, burst = 5_000_000_000, 10
	st := &k.slab
	if k.now-st.oomWindowStart >= interval {
		st.oomWindowStart, st.oomInWindow = k.now, 0
	}
	st.oomInWindow++
	return st.oomInWindow <= burst
}
