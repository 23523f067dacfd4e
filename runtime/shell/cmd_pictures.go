package shell

import (
	"kscript.dev/kscript/runtime/picture"
)

// kscript's own commands that draw the machine's memory (runtime/picture):
// memmap, buddy and slab NAME. They draw in colour when Shell.Color is set
// (an interactive terminal without NO_COLOR), in plain letters otherwise.

// cmdMemmap draws physical memory, a cell per group of page frames.
func cmdMemmap(sh *Shell, inv *Invocation) int {
	if len(inv.Args) != 0 {
		return inv.Errorf("takes no arguments")
	}
	snap := &picture.Snapshot{Frames: sh.m.Kernel().MemMap(), Zones: sh.m.Kernel().ZoneViews()}
	return inv.Emit(picture.MemMapText(snap, sh.Color, sh.Lang), "", 0)
}

// cmdBuddy draws the buddy allocator's free lists per zone and order.
func cmdBuddy(sh *Shell, inv *Invocation) int {
	if len(inv.Args) != 0 {
		return inv.Errorf("takes no arguments")
	}
	snap := &picture.Snapshot{Zones: sh.m.Kernel().ZoneViews()}
	return inv.Emit(picture.BuddyText(snap, sh.Color, sh.Lang), "", 0)
}

// cmdSlab draws a slab cache's slabs and objects.
func cmdSlab(sh *Shell, inv *Invocation) int {
	if len(inv.Args) != 1 {
		return inv.Errorf("usage: slab NAME (a cache of /proc/slabinfo, e.g. slab kmalloc-128)")
	}
	c, ok := sh.m.Kernel().SlabCacheSnapshot(inv.Args[0])
	if !ok {
		return inv.Errorf("%s: no such cache in /proc/slabinfo", inv.Args[0])
	}
	return inv.Emit(picture.SlabText(c, sh.Color, sh.Lang), "", 0)
}
