package kernelsim

import "math"

// kvmalloc and kvfree, mirroring mm/util.c: "kmalloc if it can, vmalloc if
// it must". Physically contiguous memory is cheaper to map and friendlier to
// the rest of the system, so a large request first tries kmalloc, quietly
// and without trying hard, and only then falls back to vmalloc. kvfree()
// tells the two apart by the address alone (is_vmalloc_addr).

// Kvmalloc mirrors kvmalloc(size, flags) (kvmalloc_node): kmalloc first,
// with __GFP_NOWARN and __GFP_NORETRY (and without __GFP_NOFAIL) when the
// request is larger than a page; then, for such requests only and only if
// the flags allow sleeping, vmalloc. GFP_ATOMIC requests never reach
// vmalloc, and requests of a page or less never fall back. 0 (NULL) on
// failure. Unlike Linux 6.1, whose fallback may map 2 MiB pages
// (VM_ALLOW_HUGE_VMAP), the fallback always uses order-0 pages.
func (k *Kernel) Kvmalloc(size uint64, gfp GFP) Addr {
	kflags := gfp
	if size > PageSize {
		kflags |= GFPNoWarn
		if kflags&GFPRetryMayfail == 0 {
			kflags |= GFPNoRetry
		}
		kflags &^= GFPNoFail // the vmalloc fallback implements it
	}
	if a := k.Kmalloc(size, kflags); a != 0 || size <= PageSize {
		return a
	}
	if !gfp.AllowsBlocking() {
		return 0 // non-sleeping allocations are not supported by vmalloc
	}
	if size > math.MaxInt32 { // don't even allow crazy sizes
		if gfp&GFPNoWarn == 0 {
			k.vmWarnOnce("kvmalloc-size", kvmallocSizeSite) // kvmalloc() is inline: no frame of its own
		}
		return 0
	}
	return k.vmallocNodeRange(size, 1, VmallocStart, VmallocEnd, gfp, 0, k.scriptCaller())
}

// kvmallocSizeSite is kvmalloc_node()'s WARN_ON_ONCE for sizes above INT_MAX.
var kvmallocSizeSite = warnSite{"mm/util.c:596", "kvmalloc_node+0xc0/0xd0"} // Debian's 6.1 build

// Kvzalloc mirrors kvzalloc(size, flags): kvmalloc with __GFP_ZERO.
func (k *Kernel) Kvzalloc(size uint64, gfp GFP) Addr { return k.Kvmalloc(size, gfp|GFPZero) }

// Kvfree mirrors kvfree(): vfree() for a vmalloc address, kfree() for
// anything else (kfree(NULL) and vfree(NULL) do nothing).
func (k *Kernel) Kvfree(a Addr) error {
	if IsVmallocAddr(a) {
		return k.Vfree(a)
	}
	return k.Kfree(a)
}
