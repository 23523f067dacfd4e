package picture

import (
	"fmt"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/i18n"
)

var kasanTexts = i18n.Lazy(kasanTextsTable)

func kasanTextsTable() i18n.Catalog {
	return i18n.Catalog{
		"title": {"KASAN shadow memory around the bad address: one cell per 8 bytes", "shadow memory ของ KASAN รอบที่อยู่ที่ผิด: หนึ่งช่องต่อ 8 ไบต์"},
		"ok":    {"00: all 8 bytes accessible", "00: ใช้ได้ทั้ง 8 ไบต์"},
		"part":  {"01–07: only the first N bytes", "01–07: ใช้ได้แค่ N ไบต์แรก"},
		"rz":    {"fc/fe/f9/f8: red zone, never accessible", "fc/fe/f9/f8: red zone ห้ามเข้าถึง"},
		"free":  {"fb/fa/ff: freed memory", "fb/fa/ff: หน่วยความจำที่คืนแล้ว"},
		"acc":   {"the access: %s of %d bytes at %#x", "การเข้าถึง: %s %d ไบต์ที่ %#x"},
		"read":  {"read", "อ่าน"},
		"write": {"write", "เขียน"},
	}
}

// shadowRGB is the colour of a shadow byte.
func shadowRGB(b byte) uint32 {
	switch {
	case b == 0:
		return 0x8bd48f
	case b < 8:
		return 0xd7efc0
	case b == 0xFB || b == 0xFA || b == 0xFF:
		return 0xb39ddb
	}
	return 0xef7b7b
}

// KasanSVG draws a KASAN report's memory state: the five rows of 16 shadow
// bytes the report prints, coloured by meaning, the bad granule marked and
// the access's granules outlined.
func KasanSVG(sh *kernelsim.KasanShadow, lang string) string {
	const cell, left = 34.0, 150.0
	s := newSVG(left+16*cell+10, 40+5*(cell+4)+90, kasanTexts.T("title").In(lang))
	s.text(0, 16, "start", ` font-weight="600"`, kasanTexts.T("title").In(lang))
	for r := 0; r < 5; r++ {
		row := uint64(sh.Start) + uint64(r)*128
		y := 30 + float64(r)*(cell+4)
		mark := ""
		if kernelsim.Addr(row) <= sh.Bad && sh.Bad < kernelsim.Addr(row+128) {
			mark = "> "
		}
		s.text(left-6, y+cell/2+4, "end", ` font-size="11" font-family="ui-monospace,monospace"`, fmt.Sprintf("%s%016x", mark, row))
		for g := 0; g < 16; g++ {
			b := sh.Bytes[r*16+g]
			a := row + uint64(g)*8
			x := left + float64(g)*cell
			extra := ` stroke="#fff" stroke-width="1"`
			s.open(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s><title>%#x: shadow %02x</title></rect>`,
				num(x), num(y), num(cell), num(cell), hex(shadowRGB(b)), extra, a, b)
			s.text(x+cell/2, y+cell/2+4, "middle", ` font-size="11" font-family="ui-monospace,monospace"`, fmt.Sprintf("%02x", b))
			if a+8 > uint64(sh.Access) && a < uint64(sh.Access)+sh.Size {
				s.rect(x+1.5, y+1.5, cell-3, cell-3, "none", ` stroke="#1565c0" stroke-width="2"`)
			}
			if kernelsim.Addr(a) <= sh.Bad && sh.Bad < kernelsim.Addr(a+8) {
				s.rect(x, y, cell, cell, "none", ` stroke="#000" stroke-width="3"`)
			}
		}
	}
	y := 30 + 5*(cell+4) + 16
	key := []struct {
		c   uint32
		key string
	}{{0x8bd48f, "ok"}, {0xd7efc0, "part"}, {0xef7b7b, "rz"}, {0xb39ddb, "free"}}
	for i, k := range key {
		x := float64(i%2) * 330
		yy := y + float64(i/2)*18
		s.rect(x, yy, 12, 12, hex(k.c), "")
		s.text(x+17, yy+10, "start", ` font-size="11"`, kasanTexts.T(k.key).In(lang))
	}
	rw := kasanTexts.T("read")
	if sh.Write {
		rw = kasanTexts.T("write")
	}
	s.rect(0, y+38, 12, 12, "none", ` stroke="#1565c0" stroke-width="2"`)
	s.text(17, y+48, "start", ` font-size="11"`, kasanTexts.T("acc", rw, sh.Size, uint64(sh.Access)).In(lang))
	return s.String()
}
