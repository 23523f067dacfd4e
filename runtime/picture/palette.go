package picture

import (
	"image/color"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/i18n"
)

// owner describes how an owner of page frames is drawn and named.
type owner struct {
	rgb   uint32 // colour in the SVG and PNG pictures
	ansi  int    // xterm-256 colour in the terminal
	glyph byte   // its letter in plain text (NO_COLOR)
	name  i18n.Text
}

// owners is indexed by kernelsim.FrameOwner. Free memory is drawn in greens
// that darken with the order (freeShade).
var owners = [kernelsim.NrFrameOwners]owner{
	kernelsim.FrameHole:         {0xffffff, 255, ' ', i18n.Text{EN: "no RAM (hole)", TH: "ไม่มี RAM (hole)"}},
	kernelsim.FrameReserved:     {0x4a4a4a, 238, '#', i18n.Text{EN: "reserved at boot", TH: "จองไว้ตอนบูต (reserved)"}},
	kernelsim.FrameFree:         {0x6cc070, 71, '.', i18n.Text{EN: "free (buddy lists)", TH: "ว่าง (อยู่ใน free list ของ Buddy System)"}},
	kernelsim.FramePCP:          {0x9fe2d6, 116, ',', i18n.Text{EN: "free on per-CPU lists (pcp)", TH: "ว่าง แต่อยู่ใน per-CPU list (pcp)"}},
	kernelsim.FrameKernel:       {0xa7a7a7, 248, 'k', i18n.Text{EN: "kernel (boot, page tables, stacks)", TH: "Kernel (ตอนบูต, page table, stack)"}},
	kernelsim.FrameSlab:         {0xf0a030, 214, 's', i18n.Text{EN: "slab caches", TH: "slab cache"}},
	kernelsim.FrameKmallocLarge: {0xe4572e, 202, 'L', i18n.Text{EN: "kmalloc-large (> 8 KiB)", TH: "kmalloc ขนาดใหญ่ (> 8 KiB)"}},
	kernelsim.FramePages:        {0xc0264a, 161, 'P', i18n.Text{EN: "alloc_pages()", TH: "alloc_pages()"}},
	kernelsim.FrameVmalloc:      {0x7b4fd6, 98, 'V', i18n.Text{EN: "vmalloc", TH: "vmalloc"}},
	kernelsim.FrameModule:       {0x2e86de, 33, 'M', i18n.Text{EN: "module memory (module_alloc)", TH: "หน่วยความจำของ module (module_alloc)"}},
	kernelsim.FramePageCache:    {0xf3d56b, 221, 'c', i18n.Text{EN: "page cache (reclaimable)", TH: "page cache (เรียกคืนได้)"}},
	kernelsim.FrameUser:         {0xd88bc4, 176, 'u', i18n.Text{EN: "user processes (anonymous)", TH: "โปรเซสผู้ใช้ (anonymous)"}},
}

// freeShade returns the colour of a free block of the order: light green
// for single pages, dark green for 4 MiB blocks.
func freeShade(order int) uint32 {
	lo, hi := [3]float64{0xc8, 0xee, 0xc0}, [3]float64{0x1b, 0x6e, 0x2e}
	t := float64(order) / float64(kernelsim.MaxOrder-1)
	var c uint32
	for i := range 3 {
		c = c<<8 | uint32(lo[i]+(hi[i]-lo[i])*t)
	}
	return c
}

// frameRGB is the colour a frame is drawn in.
func frameRGB(f kernelsim.PageFrame) uint32 {
	if f.Owner == kernelsim.FrameFree {
		return freeShade(int(f.Order))
	}
	return owners[f.Owner].rgb
}

func hex(c uint32) string {
	const digits = "0123456789abcdef"
	b := []byte{'#', 0, 0, 0, 0, 0, 0}
	for i := 6; i >= 1; i-- {
		b[i] = digits[c&15]
		c >>= 4
	}
	return string(b)
}

func rgba(c uint32) color.RGBA {
	return color.RGBA{uint8(c >> 16), uint8(c >> 8), uint8(c), 0xff}
}
