package runtime

import (
	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// vmallocAPIs is the vmalloc group (include/linux/vmalloc.h, mm.h's kvmalloc).
func vmallocAPIs() []API {
	g, k := "vmalloc", ScopeKernel
	return []API{
		{Name: "vmalloc", C: "void *vmalloc(unsigned long size)", Group: g, Scope: k, fn: vmallocFn(0),
			En: `Allocates size bytes that are contiguous in virtual memory only: vmalloc takes pages one at a time from the buddy allocator, wherever they are in RAM, and maps them one after another in the vmalloc area (0xffffc90000000000 and up), followed by an unmapped guard page. It can give far more than kmalloc, is slower, may sleep, and is not usable for DMA. /proc/vmallocinfo lists the area with its caller. Returns a ptr or NULL; free with vfree.`,
			Th: `จองหน่วยความจำ size ไบต์ที่ต่อเนื่องกันเฉพาะในหน่วยความจำเสมือน vmalloc จะขอ Page จาก buddy allocator ทีละ Page จากตรงไหนก็ได้ใน RAM แล้วแมปเรียงต่อกันในพื้นที่ vmalloc (ตั้งแต่ 0xffffc90000000000) ตามด้วย guard page ที่ไม่ได้แมป จองได้มากกว่า kmalloc มาก แต่ช้ากว่า อาจ sleep และใช้กับ DMA ไม่ได้ /proc/vmallocinfo แสดงพื้นที่นี้พร้อมผู้เรียก คืนค่า ptr หรือ NULL ต้องปล่อยด้วย vfree`},
		{Name: "vzalloc", C: "void *vzalloc(unsigned long size)", Group: g, Scope: k, fn: vmallocFn(kernelsim.GFPZero),
			En: `vmalloc with the memory zeroed.`,
			Th: `vmalloc ที่ล้างหน่วยความจำเป็นศูนย์แล้ว`},
		{Name: "vfree", C: "void vfree(const void *addr)", Group: g, Scope: k, fn: vfreeFn,
			En: `Frees a vmalloc area: unmaps it and returns each of its pages to the buddy allocator. vfree(NULL) does nothing. Never vfree kmalloc memory, nor kfree vmalloc memory.`,
			Th: `ปล่อยพื้นที่ของ vmalloc: ยกเลิกการแมปและปล่อยทุก Page ให้ buddy allocator โดย vfree(NULL) ไม่ทำอะไร ห้ามใช้ vfree กับหน่วยความจำจาก kmalloc และห้ามใช้ kfree กับหน่วยความจำจาก vmalloc`},
		{Name: "vmalloc_to_page", C: "struct page *vmalloc_to_page(const void *addr)", Group: g, Scope: k, fn: vmallocToPageFn(false),
			En: `The struct page * backing a vmalloc address, found by walking the page tables; NULL where nothing is mapped (a guard page).`,
			Th: `struct page * ที่อยู่เบื้องหลังที่อยู่ของ vmalloc โดยค้นจาก page table ได้ NULL ถ้าตรงนั้นไม่มีอะไรแมปอยู่ (เช่น guard page)`},
		{Name: "vmalloc_to_pfn", C: "unsigned long vmalloc_to_pfn(const void *addr)", Group: g, Scope: k, fn: vmallocToPageFn(true),
			En: `The page frame number backing a vmalloc address (0 where nothing is mapped). Consecutive vmalloc pages usually have scattered pfns: that is the point of vmalloc.`,
			Th: `หมายเลขเฟรมที่อยู่เบื้องหลังที่อยู่ของ vmalloc (0 ถ้าไม่มีอะไรแมปอยู่) หน้าที่ติดกันใน vmalloc มักมี pfn กระจัดกระจาย ซึ่งคือจุดประสงค์ของ vmalloc`},
		{Name: "is_vmalloc_addr", C: "bool is_vmalloc_addr(const void *x)", Group: g, Scope: ScopeAny, fn: isVmallocAddrFn,
			En: `True when the address lies in the vmalloc area (VMALLOC_START..VMALLOC_END).`,
			Th: `เป็นจริงเมื่อที่อยู่อยู่ในพื้นที่ vmalloc (VMALLOC_START..VMALLOC_END)`},
		{Name: "kvmalloc", C: "void *kvmalloc(size_t size, gfp_t flags)", Group: g, Scope: k, fn: kvmallocFn(0),
			En: `Tries kmalloc first (quietly, without retrying hard) and falls back to vmalloc for sizes above a page when flags allow sleeping. Free with kvfree, which works for both.`,
			Th: `ลอง kmalloc ก่อน (แบบเงียบและไม่พยายามหนัก) ถ้าขนาดเกินหนึ่ง Page และ flags อนุญาตให้ sleep จะถอยไปใช้ vmalloc ต้องปล่อยด้วย kvfree ซึ่งใช้ได้กับทั้งสองแบบ`},
		{Name: "kvzalloc", C: "void *kvzalloc(size_t size, gfp_t flags)", Group: g, Scope: k, fn: kvmallocFn(kernelsim.GFPZero),
			En: `kvmalloc with the memory zeroed.`,
			Th: `kvmalloc ที่ล้างหน่วยความจำเป็นศูนย์แล้ว`},
		{Name: "kvfree", C: "void kvfree(const void *addr)", Group: g, Scope: k, fn: kvfreeFn,
			En: `Frees kvmalloc memory: vfree for a vmalloc address, kfree otherwise.`,
			Th: `คืนหน่วยความจำจาก kvmalloc: ใช้ vfree ถ้าเป็นที่อยู่ของ vmalloc ไม่อย่างนั้นใช้ kfree`},
	}
}

// vmallocFn makes vmalloc and vzalloc: __vmalloc(size, GFP_KERNEL[|__GFP_ZERO]).
func vmallocFn(extra kernelsim.GFP) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var size Size
		if err := c.unpack(args, kwargs, "size", &size); err != nil {
			return nil, err
		}
		gfp := kernelsim.GFP_KERNEL | extra
		c.mightAlloc(gfp, vmallocFrames)
		a := c.k().Vmalloc(uint64(size), gfp)
		c.recordAlloc(gfp, uint64(size), a, nil)
		c.holdVmalloc(a, uint64(size))
		return c.ptr(a), nil
	}
}

func vfreeFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p PtrArg
	if err := c.unpack(args, kwargs, "addr", &p); err != nil {
		return nil, err
	}
	c.recordFree(p.addr(), 0, nil, false)
	return starlark.None, c.k().Vfree(p.addr())
}

func vmallocToPageFn(pfnOnly bool) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var p PtrArg
		if err := c.unpack(args, kwargs, "addr", &p); err != nil {
			return nil, err
		}
		// Recorded, so that a check can ask for the pfns a line prints to
		// come from the kernel (lesson 12): failed where nothing is mapped.
		if pfnOnly {
			pfn := c.k().VmallocToPFN(p.addr())
			c.record(0, 0, pfn == 0)
			return starlark.MakeUint64(uint64(pfn)), nil
		}
		pfn, ok := c.k().VmallocToPage(p.addr())
		c.record(0, 0, !ok)
		switch {
		case !ok:
			return c.ptr(0), nil
		}
		return Page{e: c.e, pfn: pfn}, nil
	}
}

func isVmallocAddrFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p PtrArg
	if err := c.unpack(args, kwargs, "x", &p); err != nil {
		return nil, err
	}
	return starlark.Bool(kernelsim.IsVmallocAddr(p.addr())), nil
}

// kvmallocFn makes kvmalloc and kvzalloc (kvmalloc_node() in mm/util.c:
// kmalloc first, vmalloc as the fallback).
func kvmallocFn(extra kernelsim.GFP) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var size Size
		var gfp GFPArg
		if err := c.unpack(args, kwargs, "size", &size, "flags", &gfp); err != nil {
			return nil, err
		}
		flags := kernelsim.GFP(gfp) | extra
		c.mightAllocSize(flags, uint64(size))
		a := c.k().Kvmalloc(uint64(size), flags)
		c.recordAlloc(flags, uint64(size), a, nil)
		c.holdVmalloc(a, uint64(size))
		return c.ptr(a), nil
	}
}

func kvfreeFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p PtrArg
	if err := c.unpack(args, kwargs, "addr", &p); err != nil {
		return nil, err
	}
	c.recordFree(p.addr(), 0, nil, false)
	return starlark.None, c.k().Kvfree(p.addr())
}
