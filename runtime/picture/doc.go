// Package picture draws the simulated machine's memory: physical memory as
// a map of page frames coloured by owner, the buddy allocator's free lists
// and how a step changed them (the splits and merges as they happened), a
// slab cache with its slabs and objects, the vmalloc area with its pages
// scattered over physical memory, and a KASAN report's shadow bytes.
//
// Pictures are drawn from kernelsim's state (its read-only views: MemMap,
// ZoneViews, SlabCacheSnapshots, VMAreas, a report's KasanShadow), never
// from /proc text; kernelsim itself draws nothing. Two outputs share one
// model: SVG for the HTML report of `kscript run --report` and the browser
// playground, and Unicode blocks with ANSI colour (plain letters under
// NO_COLOR) for the shell's memmap, buddy and slab commands.
//
// A Recorder observes a scenario: it takes a Snapshot before and after each
// step and the buddy allocator's events in between, so a step's pictures
// can outline the blocks it allocated and freed.
package picture
