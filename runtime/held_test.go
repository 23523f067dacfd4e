package runtime

import (
	"strconv"
	"strings"
	"testing"

	"kscript.dev/kscript/kernelsim"
)

// TestHeld: the frames and pointers a module printed from its own
// allocations are held (freed since or not); typed-in numbers, and an
// address printed by other means than %p or %px (%lx, %s), are not.
func TestHeld(t *testing.T) {
	m := newTestMachine(t)
	err := insmodSrc(t, m, `
def i():
    p = alloc_pages(GFP_KERNEL, 2)
    v = vmalloc(3 * PAGE_SIZE)
    k = kmalloc(64, GFP_KERNEL)
    pr_info("v %lu %lu %lu\n", page_to_pfn(p) + 3, vmalloc_to_pfn(v + 2 * PAGE_SIZE), page_to_pfn(virt_to_page(k)))
    pr_info("p %p %px %p %px\n", v, page_address(p) + 100, k, p)
    pr_info("typed %lu %lx\n", page_to_pfn(p) + 4, v + PAGE_SIZE)
    __free_pages(p, 2)
    vfree(v)
    kfree(k)
    return 0
module_init(i)
`)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string][]string{}
	for _, rec := range m.Kernel().LogSince(0) {
		f := strings.Fields(rec.Text)
		if len(f) > 1 && (f[0] == "v" || f[0] == "p" || f[0] == "typed") {
			fields[f[0]] = f[1:]
		}
	}
	num := func(s string, base int) uint64 {
		n, err := strconv.ParseUint(s, base, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, s := range fields["v"] {
		if !m.HeldPFN(num(s, 10)) {
			t.Errorf("HeldPFN(%s) = false, want true", s)
		}
	}
	for _, s := range fields["p"] {
		if !m.HeldPointer(num(s, 16)) {
			t.Errorf("HeldPointer(%s) = false, want true", s)
		}
	}
	if ty := fields["typed"]; len(ty) != 2 || m.HeldPFN(num(ty[0], 10)) || m.HeldPointer(num(ty[1], 16)) {
		t.Errorf("typed %q: held, want neither", ty)
	}
	if m.HeldPFN(4242) || m.HeldPointer(0xc0ffee42) {
		t.Error("made-up values are held")
	}
}

// TestHeldIndex: the indexes HeldPFN and HeldPointer build are rebuilt
// when the record grows, and overlapping ranges (an area freed and its
// addresses handed out again in pieces) are all found.
func TestHeldIndex(t *testing.T) {
	m := newTestMachine(t)
	h := &m.env.calls.held
	a := kernelsim.PageAddress(100)
	h.holdPages(100, 0)
	h.notePrinted(a + 8)
	h.notePrinted(kernelsim.PageAddress(200))
	if !m.HeldPointer(uint64(a+8)) || !m.HeldPointer(m.k.PointerID(a+8)) || m.HeldPointer(uint64(kernelsim.PageAddress(200))) {
		t.Fatal("first index wrong")
	}
	if m.HeldPFN(200) {
		t.Fatal("HeldPFN(200) before the block was held")
	}
	h.holdPages(200, 1)
	if !m.HeldPointer(uint64(kernelsim.PageAddress(200))) || !m.HeldPFN(201) {
		t.Error("the index did not see the block held after it was built")
	}
	big := kernelsim.Addr(0xffffc90000100000)
	h.holdArea(big, 64*kernelsim.PageSize, []kernelsim.PFN{300})
	for i := range 16 {
		h.holdArea(big+kernelsim.Addr(i)*kernelsim.PageSize, kernelsim.PageSize, []kernelsim.PFN{kernelsim.PFN(400 + i)})
	}
	h.notePrinted(big + 40*kernelsim.PageSize)
	h.notePrinted(big + 3*kernelsim.PageSize + 5)
	if !m.HeldPointer(uint64(big+40*kernelsim.PageSize)) || !m.HeldPointer(uint64(big+3*kernelsim.PageSize+5)) || !m.HeldPFN(415) {
		t.Error("overlapping areas: an address or frame not found")
	}
}
