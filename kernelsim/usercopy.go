package kernelsim

import (
	"fmt"
	"math"

	"kscript.dev/kscript/runtime/lazy"
)

// Hardened usercopy: the checks on the kernel side of a user copy, as
// Debian 12's 6.1 kernel has them (CONFIG_HARDENED_USERCOPY=y and
// FORTIFY_SOURCE). Two layers:
//
//  1. check_copy_size() (include/linux/thread_info.h), inlined into every
//     copy_from_user/copy_to_user: when the compiler knows the size of the
//     kernel object (__builtin_object_size — a fixed array such as
//     `static char k_buf[32]`) and the copy is longer, the copy is refused
//     with a WARNING from __copy_overflow ("Buffer overflow detected
//     (32 < 40)!"), nothing is copied and the call returns n.
//  2. __check_object_size() (mm/usercopy.c) at run time: the kernel range
//     must not wrap or be NULL, must stay inside its slab object (and that
//     cache's usercopy window), inside its vmalloc area or compound page, and
//     must not touch kernel text. A violation is usercopy_abort(): the
//     "usercopy: Kernel memory overwrite attempt detected to SLUB object
//     'kmalloc-32' (offset 0, size 40)!" line and BUG() — an Oops that kills
//     the task.
//
// Unlike Linux, the kernel stack check (check_stack_object) has nothing to
// check: scripts have no buffers on a simulated kernel stack.

// Source positions of the reports (Linux 6.1 as Debian builds it).
const (
	copyOverflowFile   = "mm/maccess.c"
	copyOverflowLine   = 228
	copyOverflowSym    = "__copy_overflow+0x16/0x30" // Debian's 6.1 build
	checkCopySizeFile  = "include/linux/thread_info.h"
	checkCopySizeLine  = 233 // WARN_ON_ONCE(bytes > INT_MAX)
	usercopyBUGFile    = "mm/usercopy.c"
	usercopyBUGLine    = 101
	usercopyAbortRIP   = "usercopy_abort+0x75/0x77"
	checkObjectSizeSym = "__check_object_size+0x1df/0x220" // its call of __check_heap_object
	zeroSizePtr        = 16                                // ZERO_SIZE_PTR: what kmalloc(0) returns

	// Kernel text of the simulated vmlinux (_stext, _etext): the kernel
	// image at its default 16 MiB physical load address, KASLR off.
	kernelTextStart Addr = 0xffffffff81000000
	kernelTextEnd   Addr = 0xffffffff81e02000
)

// checkCopySize mirrors check_copy_size(addr, bytes, is_source): false
// means "do not copy" (the caller returns n). objSize < 0 means the size is
// not known at compile time. Unlike C, a constant count larger than the
// object is not a build error (__bad_copy_from/__bad_copy_to): the script
// has no compile step, so it gets the run-time warning.
func (k *Kernel) checkCopySize(addr Addr, n uint64, objSize int64, isSource bool) (bool, error) {
	if objSize >= 0 && uint64(objSize) < n {
		k.copyOverflow(objSize, n)
		return false, nil
	}
	if n > math.MaxInt32 {
		k.warnOnceCopySize()
		return false, nil
	}
	return true, k.checkObjectSize(addr, n, isSource)
}

// copyOverflow mirrors __copy_overflow(size, count) (mm/maccess.c): WARN(1,
// "Buffer overflow detected (%d < %lu)!").
func (k *Kernel) copyOverflow(size int64, count uint64) {
	msg := fmt.Sprintf("Buffer overflow detected (%d < %d)!", int32(size), count)
	k.reportWarn(copyOverflowFile, copyOverflowLine, copyOverflowSym, msg, []string{})
	_ = k.report("copy-overflow", msg, false)
}

// warnOnceCopySize mirrors check_copy_size's WARN_ON_ONCE(bytes > INT_MAX):
// a warning at the caller, once per boot.
func (k *Kernel) warnOnceCopySize() {
	if k.procs.warnedCopySize {
		return
	}
	k.procs.warnedCopySize = true
	caller := "copy_from_user"
	if st := k.stack(); len(st) > 0 {
		caller = FormatFrame(st[0])
	}
	k.reportWarn(checkCopySizeFile, checkCopySizeLine, caller, "", nil)
	_ = k.report("warning", fmt.Sprintf("WARNING: CPU: 0 PID: %d at %s:%d %s", k.Current().PID, checkCopySizeFile, checkCopySizeLine, caller), false)
}

// The frames under usercopy_abort in Debian's 6.1 build
// (linux-image-6.1.0-57-amd64's System.map and code): __check_heap_object
// (mm/slub.c) calls it for a slab object, __check_object_size's cold
// section for the other checks, each from a call site of its own.
var usercopyFrames = lazy.NewMap(usercopyFramesTable)

func usercopyFramesTable() map[string][]string {
	return map[string][]string{
		"SLUB object in left red zone": {"__check_heap_object+0x92/0xc0", checkObjectSizeSym},
		"SLUB object":                  {"__check_heap_object+0xa9/0xc0", checkObjectSizeSym},
		"page alloc":                   {"__check_object_size.cold+0x17/0xcb"},
		"wrapped address":              {"__check_object_size.cold+0x2d/0xcb"},
		"null address":                 {"__check_object_size.cold+0x44/0xcb"},
		"kernel text":                  {"__check_object_size.cold+0x96/0xcb"},
		"vmalloc":                      {"__check_object_size.cold+0xb0/0xcb"},
		"vmalloc no area":              {"__check_object_size.cold+0xcb/0xcb"},
	}
}

// checkObjectSize mirrors __check_object_size(ptr, n, to_user)
// (mm/usercopy.c): the run-time checks of the kernel range.
func (k *Kernel) checkObjectSize(ptr Addr, n uint64, toUser bool) error {
	if n == 0 {
		return nil
	}
	// check_bogus_address
	if uint64(ptr)+(n-1) < uint64(ptr) {
		return k.usercopyAbort("wrapped address", "", toUser, 0, uint64(ptr)+n, usercopyFrames.Get()["wrapped address"])
	}
	if ptr <= zeroSizePtr {
		return k.usercopyAbort("null address", "", toUser, uint64(ptr), n, usercopyFrames.Get()["null address"])
	}
	if err := k.checkHeapObject(ptr, n, toUser); err != nil {
		return err
	}
	// check_kernel_text_object
	if ptr < kernelTextEnd && ptr+Addr(n) > kernelTextStart {
		return k.usercopyAbort("kernel text", "", toUser, uint64(ptr-kernelTextStart), n, usercopyFrames.Get()["kernel text"])
	}
	return nil
}

// checkHeapObject mirrors check_heap_object(): a vmalloc range must stay in
// its area; a direct-map address in a slab page must stay in its object's
// usercopy window (__check_heap_object, mm/slub.c); one in a compound page
// must stay in the page.
func (k *Kernel) checkHeapObject(ptr Addr, n uint64, toUser bool) error {
	if IsVmallocAddr(ptr) {
		area := k.vmAreaContaining(ptr) // find_vmap_area: va_end includes the guard page
		if area == nil {
			return k.usercopyAbort("vmalloc", "no area", toUser, 0, n, usercopyFrames.Get()["vmalloc no area"])
		}
		if n > uint64(area.End()-ptr) {
			return k.usercopyAbort("vmalloc", "", toUser, uint64(ptr-area.Addr), n, usercopyFrames.Get()["vmalloc"])
		}
		return nil
	}
	if !IsDirectMapAddr(ptr) {
		return nil // virt_addr_valid() fails: module data, user, holes
	}
	if obj, ok := k.slabObjectAt(ptr); ok {
		return k.checkSlabObject(ptr, n, obj, toUser)
	}
	if start, size, ok := k.compoundPageOf(ptr); ok && n > size-uint64(ptr-start) {
		return k.usercopyAbort("page alloc", "", toUser, uint64(ptr-start), n, usercopyFrames.Get()["page alloc"])
	}
	return nil
}

// checkSlabObject mirrors __check_heap_object() (mm/slub.c): the copy must
// fall inside the cache's usercopy window [useroffset, useroffset+usersize)
// of the object it starts in. kmalloc caches whitelist the whole object;
// kmem_cache_create() caches whitelist nothing.
func (k *Kernel) checkSlabObject(ptr Addr, n uint64, obj SlabObjectInfo, toUser bool) error {
	if ptr < obj.Start {
		return k.usercopyAbort("SLUB object in left red zone", obj.Cache, toUser, 0, n, usercopyFrames.Get()["SLUB object in left red zone"])
	}
	offset := uint64(ptr - obj.Start)
	if offset >= obj.UserOffset && offset-obj.UserOffset <= obj.UserSize && n <= obj.UserOffset-offset+obj.UserSize {
		return nil
	}
	return k.usercopyAbort("SLUB object", obj.Cache, toUser, offset, n, usercopyFrames.Get()["SLUB object"])
}

// SlabObjectInfo describes the slab object an address lies in, for
// hardened usercopy: the cache's name, where the object starts (after any
// left red zone) and the cache's usercopy window (kmem_cache useroffset and
// usersize).
type SlabObjectInfo struct {
	Cache      string
	Start      Addr
	Size       uint64 // object_size
	UserOffset uint64
	UserSize   uint64
}

// usercopyAbort mirrors usercopy_abort() (mm/usercopy.c): the "usercopy:"
// line, then BUG(): an Oops that kills the current task. It returns the
// *Oops. frames are the kernel frames above the caller's (usercopyFrames).
func (k *Kernel) usercopyAbort(name, detail string, toUser bool, offset, n uint64, frames []string) error {
	verb, dir := "overwrite", "to"
	if toUser {
		verb, dir = "exposure", "from"
	}
	if detail != "" {
		detail = " '" + detail + "'"
	}
	msg := fmt.Sprintf("usercopy: Kernel memory %s attempt detected %s %s%s (offset %d, size %d)!", verb, dir, name, detail, offset, n)
	k.printk(LogEmerg, "%s\n", msg)
	return k.reportBUG(usercopyBUGFile, usercopyBUGLine, usercopyAbortRIP, "usercopy", msg, frames)
}
