package kernelsim

// OWNER: vmalloc/modules helper. Stub: replace with the real implementation.

// vmallocState holds the vm areas (vmap_area_root / vmlist).
type vmallocState struct{}

func (k *Kernel) bootVmalloc() error { return nil }

// Vmalloc mirrors __vmalloc(size, gfp): 0 on failure.
func (k *Kernel) Vmalloc(size uint64, gfp GFP) Addr { panic("unimplemented") }

// Vfree mirrors vfree(); vfree(NULL) is a no-op.
func (k *Kernel) Vfree(a Addr) error { panic("unimplemented") }

// VmallocToPage mirrors vmalloc_to_page().
func (k *Kernel) VmallocToPage(a Addr) (PFN, bool) { panic("unimplemented") }

// vmTranslate resolves an address in the vmalloc or module space to its
// backing frame; ok is false where nothing is mapped (a guard page, a hole).
func (k *Kernel) vmTranslate(a Addr) (pfn PFN, ok bool) { return 0, false }
func (k *Kernel) procVmallocinfo() string               { return "" }
