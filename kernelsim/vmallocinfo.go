package kernelsim

import (
	"fmt"
	"strings"
)

// /proc/vmallocinfo and the callers it names, mirroring s_show() in
// mm/vmalloc.c, and the vm areas a Debian 12 VM has when its shell prompt
// appears.

// vmCaller is vm_struct's caller: the return address of whoever asked for
// the area, which /proc/vmallocinfo prints with %pS. Kernel callers are
// kept as their symbolised text; a script caller keeps its frame and module
// and is symbolised when the file is read, as kallsyms would: after the
// module's init memory is freed, or the module is gone, the address no
// longer resolves and prints as a bare hex number.
type vmCaller struct {
	sym   string // "load_module+0x7b2/0x2ab0"; empty for a script caller
	frame Frame
	mod   *Module
}

// kernelCaller returns the caller for an area allocated by kernelsim code.
func kernelCaller(sym string) vmCaller { return vmCaller{sym: sym} }

// scriptCaller returns the innermost script frame as the caller of an
// allocation made now (__builtin_return_address(0) in vmalloc()).
func (k *Kernel) scriptCaller() vmCaller {
	for _, f := range k.stack() {
		if f.File == "" {
			continue
		}
		m := k.FindModule(f.Module)
		if m != nil {
			m.symFor(f) // kallsyms is fixed at load: place the symbol now
		}
		return vmCaller{frame: f, mod: m}
	}
	return vmCaller{}
}

// String formats the caller as %pS does; "" when there is none (a NULL
// caller, which s_show skips).
func (c vmCaller) String() string {
	switch {
	case c.sym != "":
		return c.sym
	case c.frame.File == "":
		return ""
	case c.mod == nil:
		return c.frame.Func
	}
	if s, ok := c.mod.symbolize(c.frame); ok {
		return s
	}
	return fmt.Sprintf("0x%x", uint64(c.mod.frameAddr(c.frame)))
}

// procVmallocinfo mirrors s_show() and show_purge_info(): every busy area in
// address order, then the lazily freed ranges. Addresses are printed with
// "0x%pK": with Debian's kptr_restrict=0 (panic.go) %pK hashes like %p, for
// root as for anyone, so each address is a keyed hash of its own (the end
// is not start + size) and only the size, caller and pages tell areas
// apart, as on the real machine.
func (k *Kernel) procVmallocinfo() string {
	var b strings.Builder
	for _, v := range k.vm.busy {
		b.WriteString(k.vmInfoLine(v))
	}
	for _, s := range k.vm.purge {
		fmt.Fprintf(&b, "0x%s-0x%s %7d unpurged vm_area\n", k.pointerK(s.start), k.pointerK(s.end), uint64(s.end-s.start))
	}
	return b.String()
}

// pointerK mirrors %pK (restricted_pointer() in lib/vsprintf.c) with
// kptr_restrict 0: the %p hash.
func (k *Kernel) pointerK(a Addr) string { return k.HashPointer(a) }

// vmInfoLine formats one area as s_show() does.
func (k *Kernel) vmInfoLine(v *VMStruct) string {
	var b strings.Builder
	fmt.Fprintf(&b, "0x%s-0x%s %7d", k.pointerK(v.Addr), k.pointerK(v.End()), v.Size)
	if c := v.caller.String(); c != "" {
		b.WriteString(" " + c)
	}
	if n := v.NrPages(); n != 0 {
		fmt.Fprintf(&b, " pages=%d", n)
	}
	if v.PhysAddr != 0 {
		fmt.Fprintf(&b, " phys=0x%016x", v.PhysAddr)
	}
	for _, f := range []struct {
		flag VMFlags
		name string
	}{{VMIoremap, " ioremap"}, {VMAlloc, " vmalloc"}, {VMMap, " vmap"}, {VMUsermap, " user"}, {VMDMACoherent, " dma-coherent"}} {
		if v.Flags&f.flag != 0 {
			b.WriteString(f.name)
		}
	}
	if v.pagesVM != nil {
		b.WriteString(" vpages")
	}
	// show_numa_info(): one node, N0=nr_pages.
	if n := v.NrPages(); n != 0 && v.Flags&VMUninitialized == 0 {
		fmt.Fprintf(&b, " N0=%d", n)
	}
	b.WriteByte('\n')
	return b.String()
}

// bootVMArea is one area of the vmalloc space that a freshly booted machine
// has: ACPI tables and device registers mapped with ioremap(), IRQ stacks
// mapped with vmap(), kernel thread stacks, tty buffers and BPF programs
// allocated with vmalloc().
type bootVMArea struct {
	pages  int // mapped size in pages, the guard page not included
	align  uint64
	flags  VMFlags
	phys   uint64
	caller string
	freed  bool // unmapped again before boot finished: leaves a hole
}

// stack is a kernel thread's stack: THREAD_SIZE (16 KiB) vmalloc'ed with
// THREAD_ALIGN by alloc_thread_stack_node(), inlined in dup_task_struct().
var bootStack = bootVMArea{pages: 4, align: 4 * PageSize, flags: VMAlloc, caller: "dup_task_struct+0x50/0x1b0"}

func bootIoremap(phys uint64, pages int, caller string) bootVMArea {
	return bootVMArea{pages: pages, flags: VMIoremap, phys: phys, caller: caller}
}

func bootRepeat(a bootVMArea, n int) []bootVMArea {
	out := make([]bootVMArea, n)
	for i := range out {
		out[i] = a
	}
	return out
}

// bootVmallocAreas lists the vmalloc-space areas of a Debian 12 QEMU guest
// with 2 CPUs and 512 MiB, in the order boot creates them. Unlike Linux,
// whose VM has a few hundred (one stack per task), kscript keeps a
// representative few dozen, and their pages are part of the memory the boot
// reserved rather than frames of the simulated buddy allocator.
func bootVmallocAreas() []bootVMArea {
	irqStack := bootVMArea{pages: 4, flags: VMMap, caller: "irq_init_percpu_irqstack+0x114/0x1a0"}
	acpi := "acpi_os_map_iomem+0x1c9/0x1e0"
	msix := "__pci_enable_msix_range+0x3a3/0x5c0"
	iomap := "pci_iomap_range+0x5c/0x80"
	areas := []bootVMArea{
		bootIoremap(0x1ffe0000, 1, acpi),
		bootIoremap(0xfed00000, 1, "hpet_enable+0x3d/0x2e0"),
		irqStack,
		{pages: 2, flags: VMIoremap, phys: 0x1ffe1000, caller: acpi, freed: true},
	}
	areas = append(areas, bootRepeat(bootStack, 3)...)
	areas = append(areas, irqStack)
	areas = append(areas, bootRepeat(bootStack, 4)...)
	areas = append(areas,
		bootVMArea{pages: 1, flags: VMIoremap, phys: 0x1ffe0000, caller: acpi, freed: true},
		bootIoremap(0xfebd1000, 1, msix),
		bootIoremap(0xfe000000, 1, iomap), bootIoremap(0xfe001000, 1, iomap),
		bootIoremap(0xfe002000, 1, iomap), bootIoremap(0xfe003000, 1, iomap),
		bootIoremap(0xfebd2000, 1, msix),
		bootIoremap(0xfe004000, 1, iomap), bootIoremap(0xfe005000, 1, iomap),
		bootIoremap(0xfe006000, 1, iomap), bootIoremap(0xfe007000, 1, iomap),
	)
	areas = append(areas, bootRepeat(bootStack, 5)...)
	areas = append(areas,
		bootVMArea{pages: 1, flags: VMAlloc, caller: "bpf_prog_alloc_no_stats+0x4d/0x200"},
		bootVMArea{pages: 1, flags: VMAlloc, caller: "bpf_prog_alloc_no_stats+0x4d/0x200"},
		bootVMArea{pages: 6, flags: VMAlloc, caller: "n_tty_open+0x16/0xa0"},
		bootVMArea{pages: 6, flags: VMAlloc, caller: "n_tty_open+0x16/0xa0"},
	)
	return append(areas, bootRepeat(bootStack, 4)...)
}

// bootVmalloc creates the boot-time vm areas with the same placement rules
// as later allocations, so that the holes they leave are where Linux's are.
func (k *Kernel) bootVmalloc() error {
	k.vm.once = map[string]bool{}
	for _, b := range bootVmallocAreas() {
		if _, err := k.bootVMArea(b, VmallocStart, VmallocEnd); err != nil {
			return err
		}
	}
	k.purgeVmapAreaLazy()
	return nil
}

// bootVMArea places one boot-time area in [start, end].
func (k *Kernel) bootVMArea(b bootVMArea, start, end Addr) (*VMStruct, error) {
	size := uint64(b.pages)*PageSize + PageSize
	align := b.align
	if b.flags&VMIoremap != 0 {
		align = ioremapAlign(uint64(b.pages) * PageSize)
	}
	addr, ok := k.findVmapLowestMatch(size, max(align, PageSize), start, end)
	if !ok {
		return nil, fmt.Errorf("vmalloc: no room for a boot area of %d bytes", size)
	}
	k.vm.nextID++
	v := &VMStruct{Addr: addr, Size: size, Flags: b.flags, PhysAddr: b.phys, caller: kernelCaller(b.caller), id: k.vm.nextID}
	if b.flags&VMAlloc != 0 {
		v.nrPages = b.pages
	}
	k.insertBusy(v)
	k.mem.nrVmallocPages += int64(v.nrPages)
	if b.freed {
		k.mem.nrVmallocPages -= int64(v.nrPages)
		k.removeVMArea(v)
	}
	return v, nil
}

// ioremapAlign mirrors __get_vm_area_node()'s alignment for VM_IOREMAP:
// the size rounded up to a power of two, at least a page (and at most
// 1 << IOREMAP_MAX_ORDER, far above anything kscript maps).
func ioremapAlign(size uint64) uint64 {
	align := uint64(PageSize)
	for align < size && align < 1<<24 {
		align <<= 1
	}
	return align
}
