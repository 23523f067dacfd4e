package picture

import (
	"fmt"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/i18n"
)

var vmTexts = i18n.Lazy(vmTextsTable)

func vmTextsTable() i18n.Catalog {
	return i18n.Catalog{
		"title":   {"vmalloc area: contiguous virtual pages, scattered page frames", "พื้นที่ vmalloc: Page เสมือนที่ต่อกัน แต่ page frame จริงกระจัดกระจาย"},
		"area":    {"%#x–%#x  %s, %d pages + guard page, by %s", "%#x–%#x  %s, %d Page + guard page, จอง โดย %s"},
		"areang":  {"%#x–%#x  %s, %d pages, by %s", "%#x–%#x  %s, %d Page, จองโดย %s"},
		"guard":   {"guard", "guard"},
		"phys":    {"physical memory, pfn 0 → %#x", "หน่วยความจำกายภาพ pfn 0 → %#x"},
		"more":    {"… %d more pages not drawn", "… อีก %d Page ที่ไม่ได้วาด"},
		"nonew":   {"no vm area was created or freed in this step", "ไม่มีการสร้างหรือคืน vm area ในขั้นนี้"},
		"freed":   {"freed in this step: %#x (%d pages)", "คืนในขั้นนี้: %#x (%d Page)"},
		"virtual": {"virtual", "เสมือน"},
	}
}

const maxVMPages = 48

// VmallocSVG draws the vm areas: each as a row of its virtual pages and
// guard page, with a line from every page to its frame on a bar of
// physical memory, so that the scattering shows. nFrames is the machine's
// page frames (the bar's length).
func VmallocSVG(areas []Area, freed []Area, nFrames int, lang string) string {
	const cell, left = 13.0, 10.0
	barY := func(i int) float64 { return 50 + float64(i)*110 + 70 }
	h := 40 + float64(len(areas))*110 + float64(len(freed))*16 + 10
	width := 760.0
	s := newSVG(width, h, vmTexts.T("title").In(lang))
	s.text(0, 16, "start", ` font-weight="600"`, vmTexts.T("title").In(lang))
	for i, a := range areas {
		y := 40 + float64(i)*110
		kind := "vmalloc"
		if a.Module {
			kind = "module"
		}
		label := vmTexts.T("area", uint64(a.Addr), uint64(a.Addr)+a.Size, kind, len(a.Pages), a.Caller)
		if !a.Guard {
			label = vmTexts.T("areang", uint64(a.Addr), uint64(a.Addr)+a.Size, kind, len(a.Pages), a.Caller)
		}
		s.text(0, y, "start", ` font-size="11" font-family="ui-monospace,monospace"`, label.In(lang))
		n := min(len(a.Pages), maxVMPages)
		colour := hex(owners[kernelsim.FrameVmalloc].rgb)
		if a.Module {
			colour = hex(owners[kernelsim.FrameModule].rgb)
		}
		by := barY(i)
		s.rect(left, by, width-2*left, 10, "#e8f5e9", ` stroke="#333" stroke-width="0.5"`)
		s.text(width-left, by+24, "end", ` font-size="10" fill="#555"`, vmTexts.T("phys", nFrames).In(lang))
		for j := 0; j < n; j++ {
			x := left + float64(j)*cell
			px := left + (width-2*left)*float64(a.Pages[j])/float64(max(1, nFrames))
			s.line(x+cell/2, y+22, px, by, colour, ` stroke-width="0.7" opacity="0.7"`)
			s.raw(`<rect x="%s" y="%s" width="1.6" height="10" fill="%s"/>`, num(px-0.8), num(by), colour)
			s.open(`<rect x="%s" y="%s" width="%s" height="14" fill="%s" stroke="#fff" stroke-width="0.5"><title>%#x → pfn %#x</title></rect>`,
				num(x), num(y+8), num(cell), colour, uint64(a.Addr)+uint64(j)*4096, uint64(a.Pages[j]))
		}
		x := left + float64(n)*cell
		if n < len(a.Pages) {
			s.text(x+4, y+19, "start", ` font-size="10"`, vmTexts.T("more", len(a.Pages)-n).In(lang))
			x += 110
		}
		if a.Guard {
			s.raw(`<pattern id="hatch%d" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="2" height="4" fill="#999"/></pattern>`, i)
			s.rect(x, y+8, cell, 14, fmt.Sprintf("url(#hatch%d)", i), ` stroke="#333" stroke-width="0.8"`)
			s.text(x+cell+3, y+19, "start", ` font-size="10"`, vmTexts.T("guard").In(lang))
		}
	}
	y := 40 + float64(len(areas))*110
	for _, a := range freed {
		s.text(0, y, "start", ` font-size="11" fill="#555"`, vmTexts.T("freed", uint64(a.Addr), len(a.Pages)).In(lang))
		y += 16
	}
	return s.String()
}

// areasOfStep returns the vm areas a step created (present after, not
// before) and those it freed, skipping areas without frames.
func areasOfStep(before, after *Snapshot) (made, freed []Area) {
	was := map[kernelsim.Addr]bool{}
	for _, a := range before.Areas {
		was[a.Addr] = true
	}
	is := map[kernelsim.Addr]bool{}
	for _, a := range after.Areas {
		is[a.Addr] = true
		if !was[a.Addr] && len(a.Pages) > 0 {
			made = append(made, a)
		}
	}
	for _, a := range before.Areas {
		if !is[a.Addr] && len(a.Pages) > 0 {
			freed = append(freed, a)
		}
	}
	return made, freed
}
