package picture

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"sort"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/i18n"
)

// The memory map draws every page frame as one pixel (or, on machines
// above 1 GiB, one pixel for a few frames, coloured by the owner most of
// them have), mapCols to a row, in a PNG inside the SVG; the blocks a step
// changed are outlined over it, and strips below show them frame by frame,
// before and after the step.
const (
	mapCols     = 512
	mapMaxRows  = 512
	mapWidth    = 768.0 // CSS pixels the map is drawn in
	mapLeft     = 78.0  // room for the address labels
	stripCells  = 64    // frames in a detail strip
	maxStrips   = 4
	stripHeight = 90.0
)

// mapGeometry is how frames fall on the map.
type mapGeometry struct {
	fpp  int     // frames per pixel
	rows int     // pixel rows
	px   float64 // CSS pixels per map pixel
}

func geometryFor(n int) mapGeometry {
	fpp := max(1, (n+mapCols*mapMaxRows-1)/(mapCols*mapMaxRows))
	rows := (n/fpp + mapCols - 1) / mapCols
	return mapGeometry{fpp: fpp, rows: rows, px: mapWidth / mapCols}
}

// xy is where frame pfn's pixel is, in CSS pixels from the map's corner.
func (g mapGeometry) xy(pfn int) (x, y float64) {
	p := pfn / g.fpp
	return float64(p%mapCols) * g.px, float64(p/mapCols) * g.px
}

var mapTexts = i18n.Lazy(mapTextsTable)

func mapTextsTable() i18n.Catalog {
	return i18n.Catalog{
		"title":     {"Physical memory: %d page frames of 4 KiB (%s), one pixel per %s", "หน่วยความจำกายภาพ: %d page frame ขนาด 4 KiB (%s) หนึ่งพิกเซลต่อ %s"},
		"frame":     {"frame", "frame"},
		"frames":    {"%d frames", "%d frame"},
		"alloc":     {"allocated in this step", "จองในขั้นนี้"},
		"freed":     {"freed in this step", "คืนในขั้นนี้"},
		"more":      {"… and %d more changed blocks", "… และบล็อกที่เปลี่ยนอีก %d บล็อก"},
		"before":    {"before", "ก่อน"},
		"after":     {"after", "หลัง"},
		"strip":     {"pfn %#x–%#x, one cell per page frame", "pfn %#x–%#x หนึ่งช่องต่อหนึ่ง page frame"},
		"free-ord":  {"free, by order 0 → 10 (light: single pages, dark: 4 MiB blocks)", "ว่าง แยกตาม order 0 → 10 (อ่อน: ทีละ Page, เข้ม: บล็อก 4 MiB)"},
		"nochange":  {"no page frame changed owner in this step", "ไม่มี page frame ใดเปลี่ยนเจ้าของในขั้นนี้"},
		"pages-mib": {"%d pages (%s)", "%d Page (%s)"},
	}
}

// MemMapSVG draws the map of after's page frames, outlining the blocks
// that changed since before (nil: no outlines).
func MemMapSVG(before, after *Snapshot, lang string) string {
	n := len(after.Frames)
	g := geometryFor(n)
	var blocks []Block
	more := 0
	if before != nil {
		blocks, more = Changes(before, after, 200)
	}
	mapH := float64(g.rows) * g.px
	strips := stripWindows(blocks)
	legendY := 34 + mapH + 16
	stripY := legendY + legendHeight()
	h := stripY + float64(len(strips))*stripHeight + 10
	if before != nil && len(blocks) == 0 {
		h += 20
	}
	title := mapTexts.T("title", n, size(uint64(n)*4096), fppText(g.fpp)).In(lang)
	s := newSVG(mapLeft+mapWidth+70, h, title)
	s.text(0, 16, "start", ` font-weight="600"`, title)
	top := 30.0
	s.raw(`<image x="%s" y="%s" width="%s" height="%s" preserveAspectRatio="none" style="image-rendering:pixelated;image-rendering:crisp-edges" href="data:image/png;base64,%s"/>`,
		num(mapLeft), num(top), num(mapWidth), num(mapH), mapPNG(after.Frames, g))
	s.rect(mapLeft-0.5, top-0.5, mapWidth+1, mapH+1, "none", ` stroke="#333" stroke-width="1"`)
	addressLabels(s, g, top, n)
	zoneMarks(s, after, g, top)
	for _, b := range blocks {
		outline(s, g, top, b)
	}
	legend(s, after, lang, legendY)
	y := stripY
	if before != nil && len(blocks) == 0 {
		s.text(0, y+12, "start", ` fill="#555"`, mapTexts.T("nochange").In(lang))
		y += 20
	}
	for _, w := range strips {
		detailStrip(s, before, after, blocks, w, y, lang)
		y += stripHeight
	}
	if more > 0 {
		s.text(mapLeft+mapWidth, 16, "end", ` fill="#555"`, mapTexts.T("more", more).In(lang))
	}
	return s.String()
}

func fppText(fpp int) string {
	if fpp == 1 {
		return "frame"
	}
	return fmt.Sprintf("%d frames", fpp)
}

// size formats a byte count as KiB, MiB or GiB.
func size(b uint64) string {
	switch {
	case b >= 1<<30 && b%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", b>>30)
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", b>>10)
}

// mapPNG paints one pixel per g.fpp frames and returns the PNG in base64.
func mapPNG(frames []kernelsim.PageFrame, g mapGeometry) string {
	pal := color.Palette{}
	index := map[uint32]uint8{}
	colour := func(c uint32) uint8 {
		if i, ok := index[c]; ok {
			return i
		}
		index[c] = uint8(len(pal))
		pal = append(pal, rgba(c))
		return index[c]
	}
	// A fixed palette order keeps the bytes deterministic.
	for o := range owners {
		colour(owners[o].rgb)
	}
	for o := 0; o < kernelsim.MaxOrder; o++ {
		colour(freeShade(o))
	}
	img := image.NewPaletted(image.Rect(0, 0, mapCols, g.rows), pal)
	for p := 0; p*g.fpp < len(frames); p++ {
		f := dominant(frames[p*g.fpp : min(len(frames), (p+1)*g.fpp)])
		img.Pix[p] = colour(frameRGB(f))
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		panic(err) // encoding into memory cannot fail
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// dominant returns the frame whose owner most of fs have.
func dominant(fs []kernelsim.PageFrame) kernelsim.PageFrame {
	if len(fs) == 1 {
		return fs[0]
	}
	var n [kernelsim.NrFrameOwners]int
	best := fs[0]
	for _, f := range fs {
		n[f.Owner]++
		if n[f.Owner] > n[best.Owner] {
			best = f
		}
	}
	return best
}

// addressLabels writes the physical address at the start of every 64th
// row (and the first).
func addressLabels(s *svg, g mapGeometry, top float64, n int) {
	step := max(1, g.rows/8)
	for r := 0; r < g.rows; r += step {
		addr := uint64(r*mapCols*g.fpp) * 4096
		s.text(mapLeft-6, top+float64(r)*g.px+9, "end", ` font-size="10" font-family="ui-monospace,monospace" fill="#444"`, size(addr))
	}
	s.text(mapLeft-6, top+float64(g.rows)*g.px, "end", ` font-size="10" font-family="ui-monospace,monospace" fill="#444"`, size(uint64(n)*4096))
}

// zoneMarks marks where each zone starts, on the right of the map.
func zoneMarks(s *svg, snap *Snapshot, g mapGeometry, top float64) {
	for _, z := range snap.Zones {
		_, y := g.xy(int(z.StartPFN))
		s.line(mapLeft+mapWidth, top+y, mapLeft+mapWidth+8, top+y, "#333", "")
		s.text(mapLeft+mapWidth+10, top+y+10, "start", ` font-size="11" fill="#333"`, z.Name)
	}
}

// outline draws a frame around a changed block, row by row: solid for an
// allocation, dashed for a free. A block too small to see gets a ring.
func outline(s *svg, g mapGeometry, top float64, b Block) {
	stroke := `stroke="#000" stroke-width="1.2"`
	if b.Freed {
		stroke = `stroke="#000" stroke-width="1.2" stroke-dasharray="2 1.5"`
	}
	s.open(`<g fill="none" %s class="%s">`, stroke, map[bool]string{false: "alloc", true: "freed"}[b.Freed])
	for pfn := b.PFN; pfn < b.PFN+b.Pages; {
		x, y := g.xy(pfn)
		run := min(b.PFN+b.Pages-pfn, (mapCols-int(x/g.px))*g.fpp)
		w := float64((run+g.fpp-1)/g.fpp) * g.px
		if w < 4 {
			s.raw(`<circle cx="%s" cy="%s" r="4"/>`, num(mapLeft+x+w/2), num(top+y+g.px/2))
		} else {
			s.rect(mapLeft+x, top+y, w, g.px, "none", "")
		}
		pfn += run
	}
	s.raw(`</g>`)
}

func legendHeight() float64 { return 6*18 + 20 }

// legend lists the owners present, with their page counts, in columns.
func legend(s *svg, snap *Snapshot, lang string, y float64) {
	c := snap.Counts()
	i := 0
	for o := kernelsim.FrameOwner(1); o < kernelsim.NrFrameOwners; o++ {
		if o == kernelsim.FrameFree {
			continue
		}
		x, yy := float64(i/6)*420, y+float64(i%6)*18
		s.rect(x, yy, 12, 12, hex(owners[o].rgb), ` stroke="#555" stroke-width="0.5"`)
		s.text(x+17, yy+10, "start", "", fmt.Sprintf("%s — %s", owners[o].name.In(lang),
			mapTexts.T("pages-mib", c.Pages[o], size(uint64(c.Pages[o])*4096)).In(lang)))
		i++
	}
	x, yy := float64(i/6)*420, y+float64(i%6)*18
	for ord := 0; ord < kernelsim.MaxOrder; ord++ {
		s.rect(x+float64(ord)*6, yy, 6, 12, hex(freeShade(ord)), "")
	}
	s.text(x+70, yy+10, "start", "", fmt.Sprintf("%s — %s", owners[kernelsim.FrameFree].name.In(lang),
		mapTexts.T("pages-mib", c.Pages[kernelsim.FrameFree], size(uint64(c.Pages[kernelsim.FrameFree])*4096)).In(lang)))
	s.text(x+70, yy+24, "start", ` font-size="10" fill="#555"`, mapTexts.T("free-ord").In(lang))
}

// stripWindows picks the 64-frame windows the detail strips show: those
// holding what a module asks for itself (alloc_pages, kmalloc-large,
// vmalloc) first, then the rest, in address order within each rank.
func stripWindows(blocks []Block) []int {
	var ws []int
	seen := map[int]bool{}
	for _, first := range []bool{true, false} {
		for _, b := range blocks {
			w := b.PFN &^ (stripCells - 1)
			if seen[w] || len(ws) == maxStrips || first != (direct(b.Owner) || direct(b.Was)) {
				continue
			}
			seen[w] = true
			ws = append(ws, w)
		}
	}
	sort.Ints(ws)
	return ws
}

// direct tells the owners a module's own calls produce from those of the
// kernel's bookkeeping (slab pages, module memory).
func direct(o kernelsim.FrameOwner) bool {
	switch o {
	case kernelsim.FramePages, kernelsim.FrameKmallocLarge, kernelsim.FrameVmalloc, kernelsim.FrameUser:
		return true
	}
	return false
}

// detailStrip draws frames w..w+63 before and after the step, one cell a
// frame, with the changed blocks outlined and labelled.
func detailStrip(s *svg, before, after *Snapshot, blocks []Block, w int, y float64, lang string) {
	const cell = 11.0
	s.text(0, y+10, "start", ` font-size="11" fill="#333"`, mapTexts.T("strip", w, w+stripCells-1).In(lang))
	rows := []struct {
		label string
		snap  *Snapshot
	}{{mapTexts.T("before").In(lang), before}, {mapTexts.T("after").In(lang), after}}
	for r, row := range rows {
		yy := y + 16 + float64(r)*(cell+6)
		s.text(mapLeft-6, yy+9, "end", ` font-size="10" fill="#444"`, row.label)
		for i := 0; i < stripCells && w+i < len(row.snap.Frames); i++ {
			f := row.snap.Frames[w+i]
			s.open(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#fff" stroke-width="0.5"><title>pfn %#x: %s, order %d</title></rect>`,
				num(mapLeft+float64(i)*cell), num(yy), num(cell), num(cell), hex(frameRGB(f)), w+i, f.Owner, f.Order)
		}
		blockEdges(s, row.snap, w, mapLeft, yy, cell)
	}
	yy := y + 16 + 2*(cell+6)
	labels := 0
	for _, b := range blocks {
		if b.PFN+b.Pages <= w || b.PFN >= w+stripCells {
			continue
		}
		x0 := mapLeft + float64(max(b.PFN, w)-w)*cell
		x1 := mapLeft + float64(min(b.PFN+b.Pages, w+stripCells)-w)*cell
		dash := ""
		what := mapTexts.T("alloc").In(lang)
		if b.Freed {
			dash, what = ` stroke-dasharray="3 2"`, mapTexts.T("freed").In(lang)
		}
		s.rect(x0, y+16+(cell+6), x1-x0, cell, "none", ` stroke="#000" stroke-width="1.5"`+dash)
		if labels == 2 {
			continue // the outline says enough; two labels fit under a strip
		}
		ly := yy + 14 + float64(labels)*13
		s.line(x0, yy+1, x0, ly-9, "#000", "")
		anchor, lx := "start", x0+2
		if x0 > mapLeft+stripCells*cell/2 {
			anchor, lx = "end", x0-2
		}
		who := b.Owner
		if b.Freed {
			who = b.Was
		}
		s.text(lx, ly, anchor, ` font-size="10"`, fmt.Sprintf("%s: %s", owners[who].name.In(lang), what))
		labels++
	}
}

// blockEdges draws a thin dark line where a block of the snapshot starts,
// so that the buddy blocks read as blocks.
func blockEdges(s *svg, snap *Snapshot, w int, x, y, cell float64) {
	for i := 0; i < stripCells && w+i < len(snap.Frames); i++ {
		if snap.Frames[w+i].Head && i > 0 {
			s.line(x+float64(i)*cell, y-1, x+float64(i)*cell, y+cell+1, "#222", ` stroke-width="1"`)
		}
	}
}
