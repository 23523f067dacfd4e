package kernelsim

// Addr is a virtual address as the CPU sees it: a kernel address in the direct
// map, the vmalloc range or the module area, or a user address below TaskSizeMax.
type Addr uint64

// PFN is a page frame number: physical address >> PageShift.
type PFN uint64

// Memory layout constants mirror arch/x86/include/asm/page_64_types.h and
// Documentation/x86/x86_64/mm.rst (4-level paging, KASLR off for readability).
const (
	PageShift = 12
	PageSize  = 1 << PageShift
	PageMask  = ^uint64(PageSize - 1)

	// MaxOrder mirrors MAX_ORDER in Linux 6.1: the buddy allocator manages
	// orders 0 .. MaxOrder-1 (0 .. 10).
	MaxOrder = 11

	// PageOffset is the start of the direct mapping of all physical memory
	// (__PAGE_OFFSET_BASE_L4).
	PageOffset Addr = 0xffff888000000000
	// VmallocStart and VmallocEnd bound the vmalloc/ioremap space
	// (__VMALLOC_BASE_L4, 32 TiB).
	VmallocStart Addr = 0xffffc90000000000
	VmallocEnd   Addr = 0xffffe8ffffffffff
	// VmemmapBase is where the struct page array lives (__VMEMMAP_BASE_L4);
	// a struct page * is VmemmapBase + pfn*StructPageSize.
	//lint:ignore SA9004 StructPageSize is an untyped size, not an Addr
	VmemmapBase    Addr = 0xffffea0000000000
	StructPageSize      = 64
	// ModulesVaddr and ModulesEnd bound the module mapping space where module
	// text and data (static variables) live.
	ModulesVaddr Addr = 0xffffffffc0000000
	ModulesEnd   Addr = 0xfffffffffeffffff
	// TaskSizeMax is the top of user space (TASK_SIZE_MAX for 4-level paging).
	TaskSizeMax Addr = 0x00007ffffffff000
)

// PFNToPhys returns the physical address of the first byte of pfn.
func PFNToPhys(pfn PFN) uint64 { return uint64(pfn) << PageShift }

// IsUserAddr reports whether a lies in user space (below TASK_SIZE_MAX).
func IsUserAddr(a Addr) bool { return a < TaskSizeMax }

// IsVmallocAddr mirrors is_vmalloc_addr() (mm/vmalloc.c).
func IsVmallocAddr(a Addr) bool { return a >= VmallocStart && a <= VmallocEnd }

// IsModuleAddr reports whether a lies in the module mapping space.
func IsModuleAddr(a Addr) bool { return a >= ModulesVaddr && a <= ModulesEnd }

// IsDirectMapAddr reports whether a lies in the direct map (it may still be
// beyond the end of RAM).
func IsDirectMapAddr(a Addr) bool { return a >= PageOffset && a < PageOffset+(1<<46) }
