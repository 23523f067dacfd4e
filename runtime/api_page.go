package runtime

import (
	"math/bits"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// pageAPIs is the Pages group: the buddy allocator's interface
// (include/linux/gfp.h, mm.h).
func pageAPIs() []API {
	g, k := "Pages", ScopeKernel
	return []API{
		{Name: "alloc_pages", C: "struct page *alloc_pages(gfp_t gfp, unsigned int order)", Group: g, Scope: k, fn: allocPagesFn(false),
			En: `Allocates 2^order physically contiguous pages from the buddy allocator and returns the struct page * of the first, or NULL. The buddy allocator takes the smallest free block of at least that order, splitting bigger blocks in halves ("buddies") as needed; /proc/buddyinfo shows the free blocks per order. Orders 0 to 10 exist (MAX_ORDER is 11); larger orders fail with a warning. The pages have no virtual address of their own here: use page_address. Free with __free_pages(page, order), with the same order.`,
			Th: `จอง Page หน่วยความจำที่ต่อเนื่องกันทางกายภาพ 2^order Page จาก buddy allocator และคืนค่า struct page * ของ Page แรก หรือ NULL ถ้าจองไม่ได้ buddy allocator จะหาบล็อกว่างที่เล็กที่สุดที่มี order ไม่น้อยกว่าที่ขอ และแบ่งบล็อกใหญ่ครึ่งหนึ่ง ("buddy") ตามต้องการ /proc/buddyinfo แสดงจำนวนบล็อกว่างของแต่ละ order ซึ่งมีตั้งแต่ 0 ถึง 10 (MAX_ORDER คือ 11) order ที่ใหญ่กว่านั้นจะล้มเหลวพร้อมคำเตือน ค่าที่ได้เป็น struct page ไม่ใช่ที่อยู่เสมือน ต้องใช้ page_address ก่อนเข้าถึง และต้องปล่อยด้วย __free_pages(page, order) โดยใช้ order เดิม`},
		{Name: "alloc_page", C: "struct page *alloc_page(gfp_t gfp)", Group: g, Scope: k, fn: allocPagesFn(true),
			En: `alloc_pages(gfp, 0): one page. Free with __free_page.`,
			Th: `alloc_pages(gfp, 0): จองหนึ่ง Page ต้องปล่อยด้วย __free_page`},
		{Name: "__free_pages", C: "void __free_pages(struct page *page, unsigned int order)", Group: g, Scope: k, fn: freePagesFn(false),
			En: `Returns 2^order pages that alloc_pages gave, given their struct page * and the same order. The buddy allocator merges the block with its free buddy, again and again, into the largest free block it can. A wrong order or a double free corrupts the free lists: the simulated kernel reports it.`,
			Th: `ปล่อย Page 2^order Page ที่ได้จาก alloc_pages โดยส่ง struct page * และ order เดิม buddy allocator จะรวมบล็อกนี้กับ buddy ที่ว่างอยู่ซ้ำไปเรื่อย ๆ จนได้บล็อกว่างที่ใหญ่ที่สุดเท่าที่ทำได้ การส่ง order ผิดหรือปล่อยซ้ำทำให้รายการบล็อกว่างเสียหาย ซึ่ง Kernel จำลองจะรายงาน`},
		{Name: "__free_page", C: "void __free_page(struct page *page)", Group: g, Scope: k, fn: freePagesFn(true),
			En: `__free_pages(page, 0): frees the one page alloc_page gave.`,
			Th: `__free_pages(page, 0): ปล่อย Page เดียวที่ได้จาก alloc_page`},
		{Name: "__get_free_pages", C: "unsigned long __get_free_pages(gfp_t gfp_mask, unsigned int order)", Group: g, Scope: k, fn: getFreePagesFn(false, 0),
			En: `alloc_pages followed by page_address: returns the virtual address (in the direct map) of 2^order contiguous pages as a ptr, or NULL. Free with free_pages(addr, order).`,
			Th: `alloc_pages ตามด้วย page_address: คืนค่าที่อยู่เสมือน (ใน direct map) ของหน้าที่ต่อเนื่องกัน 2^order Page เป็น ptr หรือ NULL ต้องปล่อยด้วย free_pages(addr, order)`},
		{Name: "__get_free_page", C: "unsigned long __get_free_page(gfp_t gfp_mask)", Group: g, Scope: k, fn: getFreePagesFn(true, 0),
			En: `__get_free_pages(gfp, 0). Free with free_page.`,
			Th: `__get_free_pages(gfp, 0) ต้องปล่อยด้วย free_page`},
		{Name: "get_zeroed_page", C: "unsigned long get_zeroed_page(gfp_t gfp_mask)", Group: g, Scope: k, fn: getFreePagesFn(true, kernelsim.GFPZero),
			En: `One zeroed page's address (__GFP_ZERO). Free with free_page.`,
			Th: `ที่อยู่ของหนึ่งหน้าที่ล้างเป็นศูนย์แล้ว (__GFP_ZERO) ต้องปล่อยด้วย free_page`},
		{Name: "free_pages", C: "void free_pages(unsigned long addr, unsigned int order)", Group: g, Scope: k, fn: freePagesAddrFn(false),
			En: `Frees 2^order pages given their virtual address, as __get_free_pages returned it. It takes an address, not a struct page *: for alloc_pages' result use __free_pages. free_pages(0, order) does nothing.`,
			Th: `ปล่อย Page 2^order Page โดยรับที่อยู่เสมือนที่ได้จาก __get_free_pages ฟังก์ชันนี้รับที่อยู่ ไม่ใช่ struct page * ถ้าได้ Page มาจาก alloc_pages ต้องใช้ __free_pages free_pages(0, order) ไม่ทำอะไร`},
		{Name: "free_page", C: "void free_page(unsigned long addr)", Group: g, Scope: k, fn: freePagesAddrFn(true),
			En: `free_pages(addr, 0): frees the one page __get_free_page gave.`,
			Th: `free_pages(addr, 0): ปล่อย Page เดียวที่ได้จาก __get_free_page`},
		{Name: "page_address", C: "void *page_address(const struct page *page)", Group: g, Scope: k, fn: pageAddressFn,
			En: `The virtual address of a page in the kernel's direct map of all RAM (starting at 0xffff888000000000): page_address(page) is PAGE_OFFSET + pfn * PAGE_SIZE.`,
			Th: `ที่อยู่เสมือนของ Page ใน direct map ของ Kernel ที่แมป RAM ทั้งหมดไว้ (เริ่มที่ 0xffff888000000000) คือ PAGE_OFFSET + pfn * PAGE_SIZE`},
		{Name: "virt_to_page", C: "struct page *virt_to_page(const void *addr)", Group: g, Scope: k, fn: virtToPageFn,
			En: `The struct page * of a direct-map address (kmalloc or __get_free_pages memory). It is plain arithmetic, as on Linux: for a vmalloc address the result is garbage; use vmalloc_to_page there.`,
			Th: `struct page * ของที่อยู่ใน direct map (หน่วยความจำจาก kmalloc หรือ __get_free_pages) เป็นการคำนวณตรง ๆ เหมือนบน Linux ถ้าใช้กับที่อยู่ของ vmalloc จะได้ค่าผิด ต้องใช้ vmalloc_to_page แทน`},
		{Name: "page_to_pfn", C: "unsigned long page_to_pfn(const struct page *page)", Group: g, Scope: k, fn: pageToPfnFn,
			En: `The page frame number of a page: its physical address divided by PAGE_SIZE.`,
			Th: `หมายเลข frame ของ Page (page frame number, PFN) คือที่อยู่ทางกายภาพหารด้วย PAGE_SIZE`},
		{Name: "pfn_to_page", C: "struct page *pfn_to_page(unsigned long pfn)", Group: g, Scope: k, fn: pfnToPageFn,
			En: `The struct page * of a page frame number (no check that the frame exists, as on Linux).`,
			Th: `struct page * ของหมายเลขเฟรม (ไม่ตรวจว่ามีเฟรมนั้นจริง เหมือนบน Linux)`},
		{Name: "virt_to_phys", C: "phys_addr_t virt_to_phys(volatile void *address)", Group: g, Scope: k, fn: virtToPhysFn,
			En: `The physical address of a direct-map address: address - PAGE_OFFSET.`,
			Th: `ที่อยู่ทางกายภาพของที่อยู่ใน direct map คือ address - PAGE_OFFSET`},
		{Name: "get_order", C: "int get_order(unsigned long size)", Group: g, Scope: ScopeAny, fn: getOrderFn,
			En: `The smallest order whose 2^order pages hold size bytes: get_order(4096) is 0, get_order(4097) is 1, get_order(16384) is 2.`,
			Th: `order ที่เล็กที่สุดที่ 2^order Page จุ size ไบต์ได้ เช่น get_order(4096) ได้ 0, get_order(4097) ได้ 1, get_order(16384) ได้ 2`},
		{Name: "PAGE_SIZE", C: "#define PAGE_SIZE (_AC(1,UL) << PAGE_SHIFT)  /* 4096 */", Group: g, Scope: ScopeAny, v: intConst(kernelsim.PageSize),
			En: `The size of a page on x86-64: 4096 bytes.`, Th: `ขนาดของหนึ่ง Page บน x86-64 คือ 4096 ไบต์`},
		{Name: "PAGE_SHIFT", C: "#define PAGE_SHIFT 12", Group: g, Scope: ScopeAny, v: intConst(kernelsim.PageShift),
			En: `log2(PAGE_SIZE): 12.`, Th: `log2(PAGE_SIZE) คือ 12`},
		{Name: "PAGE_MASK", C: "#define PAGE_MASK (~(PAGE_SIZE-1))  /* 0xfffffffffffff000 */", Group: g, Scope: ScopeAny, v: uintConst(kernelsim.PageMask),
			En: `Masks an address down to the start of its page: addr & PAGE_MASK.`, Th: `ใช้ปัดที่อยู่ลงไปที่ต้น Page: addr & PAGE_MASK`},
		{Name: "MAX_ORDER", C: "#define MAX_ORDER 11", Group: g, Scope: ScopeAny, v: intConst(kernelsim.MaxOrder),
			En: `One more than the largest order the buddy allocator manages (6.1's meaning): orders 0..10, blocks of up to 1024 pages (4 MiB).`,
			Th: `มากกว่า order ที่ใหญ่ที่สุดที่ buddy allocator จัดการอยู่หนึ่ง (ความหมายใน 6.1) คือ order 0..10 บล็อกใหญ่สุด 1024 Page (4 MiB)`},
	}
}

func allocPagesFn(single bool) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var gfp GFPArg
		var order Order
		pairs := []any{"gfp", &gfp}
		if !single {
			pairs = append(pairs, "order", &order)
		}
		if err := c.unpack(args, kwargs, pairs...); err != nil {
			return nil, err
		}
		c.mightAlloc(kernelsim.GFP(gfp), allocPagesFrames)
		pfn, ok := c.k().AllocPages(kernelsim.GFP(gfp), int(order))
		var a kernelsim.Addr
		if ok {
			a = kernelsim.PageAddress(pfn)
		}
		c.recordAlloc(kernelsim.GFP(gfp), uint64(order), a, nil)
		c.holdBlock(a, int(order))
		if !ok {
			return c.ptr(0), nil
		}
		return Page{e: c.e, pfn: pfn}, nil
	}
}

func freePagesFn(single bool) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var page PageArg
		var order Order
		pairs := []any{"page", &page}
		if !single {
			pairs = append(pairs, "order", &order)
		}
		if err := c.unpack(args, kwargs, pairs...); err != nil {
			return nil, err
		}
		if err := order.valid(c); err != nil {
			return nil, err
		}
		var a kernelsim.Addr
		if !page.null {
			a = kernelsim.PageAddress(page.pfn)
		}
		c.recordFree(a, uint64(order), nil, true)
		if page.null {
			return nil, c.nullDeref(0x34) // put_page_testzero reads page->_refcount
		}
		return starlark.None, c.k().FreePages(page.pfn, int(order))
	}
}

func getFreePagesFn(single bool, extra kernelsim.GFP) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var gfp GFPArg
		var order Order
		pairs := []any{"gfp_mask", &gfp}
		if !single {
			pairs = append(pairs, "order", &order)
		}
		if err := c.unpack(args, kwargs, pairs...); err != nil {
			return nil, err
		}
		flags := kernelsim.GFP(gfp) | extra
		c.mightAlloc(flags, allocPagesFrames)
		a := c.k().GetFreePages(flags, int(order))
		c.recordAlloc(flags, uint64(order), a, nil)
		c.holdBlock(a, int(order))
		return c.ptr(a), nil
	}
}

func freePagesAddrFn(single bool) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		addr := AddrArg{pageHint: "use __free_pages(page, order) for a struct page *"}
		var order Order
		pairs := []any{"addr", &addr}
		if !single {
			pairs = append(pairs, "order", &order)
		}
		if err := c.unpack(args, kwargs, pairs...); err != nil {
			return nil, err
		}
		if err := order.valid(c); err != nil {
			return nil, err
		}
		c.recordFree(addr.a, uint64(order), nil, true)
		return starlark.None, c.k().FreePagesAddr(addr.a, int(order))
	}
}

// virtToPFN mirrors virt_to_pfn() for the direct map: __pa(addr) >> PAGE_SHIFT,
// plain arithmetic whatever the address.
func virtToPFN(a kernelsim.Addr) kernelsim.PFN {
	return kernelsim.PFN(uint64(a-kernelsim.PageOffset) >> kernelsim.PageShift)
}

func pageAddressFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var page PageArg
	if err := c.unpack(args, kwargs, "page", &page); err != nil {
		return nil, err
	}
	pfn := page.pfn
	if page.null { // page_to_pfn(NULL): (NULL - vmemmap) / sizeof(struct page)
		pfn = kernelsim.PFN(nullPagePFN)
	}
	return c.ptr(kernelsim.PageAddress(pfn)), nil
}

func virtToPageFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	addr := AddrArg{pageHint: "it is already a struct page *"}
	if err := c.unpack(args, kwargs, "addr", &addr); err != nil {
		return nil, err
	}
	return Page{e: c.e, pfn: virtToPFN(addr.a)}, nil
}

func pageToPfnFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var page PageArg
	if err := c.unpack(args, kwargs, "page", &page); err != nil {
		return nil, err
	}
	if page.null {
		return starlark.MakeUint64(nullPagePFN), nil
	}
	return starlark.MakeUint64(uint64(page.pfn)), nil
}

func pfnToPageFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var pfn uint64
	if err := c.unpack(args, kwargs, "pfn", &pfn); err != nil {
		return nil, err
	}
	return Page{e: c.e, pfn: kernelsim.PFN(pfn)}, nil
}

func virtToPhysFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	addr := AddrArg{pageHint: "use page_to_pfn(page) << PAGE_SHIFT for a struct page *"}
	if err := c.unpack(args, kwargs, "address", &addr); err != nil {
		return nil, err
	}
	if phys, ok := c.k().VirtToPhys(addr.a); ok {
		return starlark.MakeUint64(phys), nil
	}
	return starlark.MakeUint64(uint64(addr.a - kernelsim.PageOffset)), nil // __pa() of a bad address: garbage, as on Linux
}

// getOrderFn mirrors get_order(): fls64((size - 1) >> PAGE_SHIFT).
func getOrderFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var size Size
	if err := c.unpack(args, kwargs, "size", &size); err != nil {
		return nil, err
	}
	return starlark.MakeInt(bits.Len64((uint64(size) - 1) >> kernelsim.PageShift)), nil
}

// nullPagePFN is page_to_pfn(NULL): (NULL - vmemmap) / sizeof(struct page),
// the garbage frame number Linux computes for a NULL struct page *.
const nullPagePFN = (1<<64 - 0xffffea0000000000) / kernelsim.StructPageSize // (2^64 - VMEMMAP_START) / 64
