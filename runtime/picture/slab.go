package picture

import (
	"fmt"
	"sort"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/i18n"
)

var slabTexts = i18n.Lazy(slabTextsTable)

func slabTextsTable() i18n.Catalog {
	return i18n.Catalog{
		"title":   {"slab cache %s: objects of %d bytes every %d bytes, %d per slab of %d page(s); %d slabs, %d of %d objects in use", "slab cache %s: object ขนาด %d ไบต์ ห่างกัน %d ไบต์ slab ละ %d object (%d Page) มี %d slab ใช้อยู่ %d จาก %d object"},
		"cpu":     {"CPU slab", "CPU slab"},
		"partial": {"partial", "partial"},
		"full":    {"full", "full"},
		"held":    {"object %d of the slab at pfn %#x (%#x): allocated at %s, %d of %d bytes requested", "object %d ของ slab ที่ pfn %#x (%#x): จองที่ %s ขอ %d จาก %d ไบต์"},
		"others":  {"… %d more slabs not drawn (%d full)", "… ยังมีอีก %d slab ที่ไม่ได้วาด (เต็ม %d slab)"},
		"k-used":  {"in use", "ใช้อยู่"},
		"k-free":  {"free", "ว่าง"},
		"k-held":  {"allocated by the script", "สคริปต์เป็นผู้จอง"},
		"k-new":   {"allocated in this step", "จองในขั้นนี้"},
		"k-gone":  {"freed in this step", "คืนในขั้นนี้"},
		"layout":  {"one object's slot with SLUB debugging (slub_debug=%s):", "โครงสร้างของช่อง object หนึ่งช่องเมื่อเปิด SLUB debug (slub_debug=%s):"},
		"l-rz":    {"red zone (bb/cc)", "red zone (bb/cc)"},
		"l-obj":   {"object: 6b…6b a5 when free", "object: เป็น 6b…6b a5 เมื่อว่าง"},
		"l-objn":  {"object", "object"},
		"l-fp":    {"free pointer", "free pointer"},
		"l-track": {"alloc/free tracks", "alloc/free track"},
		"l-pad":   {"padding", "padding"},
		"nocache": {"no slab cache named %q", "ไม่มี slab cache ชื่อ %q"},
	}
}

const maxSlabRows = 6

// SlabSVG draws a cache after the step: its slabs and their objects, the
// objects the script holds, what the step allocated and freed (when
// before is given), and the layout of an object slot when SLUB debugging
// is on for the cache.
func SlabSVG(before *kernelsim.SlabCacheView, c kernelsim.SlabCacheView, lang string) string {
	const cell, left, perRow = 11.0, 96.0, 64
	rows := slabRows(before, c)
	inUse := 0
	full := 0
	for _, sl := range c.Slabs {
		inUse += sl.InUse
		if sl.InUse == sl.Objects {
			full++
		}
	}
	title := slabTexts.T("title", c.Name, c.ObjectSize, c.Size, c.Objects, 1<<c.Order, len(c.Slabs), inUse, len(c.Slabs)*c.Objects).In(lang)
	var held []string
	h := 40.0
	for _, sl := range rows {
		h += float64((sl.Objects+perRow-1)/perRow)*(cell+2) + 8
		for i := range sl.Objects {
			if sl.AllocAt != nil && sl.AllocAt[i] != "" && len(held) < 8 {
				held = append(held, slabTexts.T("held", i, sl.PFN, uint64(sl.Base)+uint64(i)*c.Size+c.RedLeftPad, sl.AllocAt[i], sl.Requested[i], c.ObjectSize).In(lang))
			}
		}
	}
	debug := c.Poison || c.RedZone
	h += 30 + float64(len(held))*15 + 20
	if debug {
		h += 60
	}
	s := newSVG(left+perRow*cell+20, h, title)
	s.text(0, 16, "start", ` font-weight="600"`, title)
	y := 30.0
	prev := map[kernelsim.PFN]kernelsim.SlabView{}
	if before != nil {
		for _, sl := range before.Slabs {
			prev[sl.PFN] = sl
		}
	}
	for _, sl := range rows {
		s.text(left-8, y+9, "end", ` font-size="10" fill="#333"`, fmt.Sprintf("%s %#x", slabTexts.T(sl.List).In(lang), uint64(sl.PFN)))
		old, had := prev[sl.PFN]
		for i := range sl.Objects {
			x, yy := left+float64(i%perRow)*cell, y+float64(i/perRow)*(cell+2)
			fill := "#eeeeee"
			switch {
			case sl.AllocAt != nil && sl.AllocAt[i] != "":
				fill = "#c26a00"
			case sl.Used[i]:
				fill = hex(owners[kernelsim.FrameSlab].rgb)
			}
			extra := ` stroke="#999" stroke-width="0.5"`
			if before != nil {
				wasUsed := had && i < len(old.Used) && old.Used[i]
				switch {
				case sl.Used[i] && !wasUsed:
					extra = ` stroke="#000" stroke-width="1.5"`
				case !sl.Used[i] && wasUsed:
					extra = ` stroke="#000" stroke-width="1.5" stroke-dasharray="2 1.5"`
				}
			}
			s.open(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s><title>object %d: %s</title></rect>`,
				num(x+1), num(yy), num(cell-2), num(cell), fill, extra, i, objState(sl, i))
		}
		y += float64((sl.Objects+perRow-1)/perRow)*(cell+2) + 8
	}
	if n := len(c.Slabs) - len(rows); n > 0 {
		shownFull := 0
		for _, sl := range rows {
			if sl.InUse == sl.Objects {
				shownFull++
			}
		}
		s.text(left, y+8, "start", ` font-size="11" fill="#555"`, slabTexts.T("others", n, full-shownFull).In(lang))
		y += 16
	}
	y = slabKey(s, y, before != nil, lang)
	for _, t := range held {
		s.text(0, y+10, "start", ` font-size="11"`, t)
		y += 15
	}
	if debug {
		slabLayout(s, c, y+6, lang)
	}
	return s.String()
}

func objState(sl kernelsim.SlabView, i int) string {
	switch {
	case sl.AllocAt != nil && sl.AllocAt[i] != "":
		return fmt.Sprintf("in use, %d bytes, %s", sl.Requested[i], sl.AllocAt[i])
	case sl.Used[i]:
		return "in use"
	}
	return "free"
}

// slabRows picks the slabs to draw: those with objects the script holds or
// the step changed first, then the CPU slab, then the rest, at most
// maxSlabRows.
func slabRows(before *kernelsim.SlabCacheView, c kernelsim.SlabCacheView) []kernelsim.SlabView {
	prev := map[kernelsim.PFN]kernelsim.SlabView{}
	if before != nil {
		for _, sl := range before.Slabs {
			prev[sl.PFN] = sl
		}
	}
	score := func(sl kernelsim.SlabView) int {
		n := 0
		old, had := prev[sl.PFN]
		for i := range sl.Objects {
			if sl.AllocAt != nil && sl.AllocAt[i] != "" {
				n += 4
			}
			if before != nil && sl.Used[i] != (had && i < len(old.Used) && old.Used[i]) {
				n += 4
			}
		}
		if sl.List == "cpu" {
			n++
		}
		return n
	}
	rows := append([]kernelsim.SlabView(nil), c.Slabs...)
	sort.SliceStable(rows, func(i, j int) bool { return score(rows[i]) > score(rows[j]) })
	return rows[:min(len(rows), maxSlabRows)]
}

// slabKey draws the key to the object colours.
func slabKey(s *svg, y float64, step bool, lang string) float64 {
	x := 0.0
	key := func(fill, extra, label string) {
		s.rect(x, y+2, 10, 10, fill, extra)
		s.text(x+14, y+11, "start", ` font-size="11"`, label)
		x += 22 + float64(len([]rune(label)))*6
	}
	key("#eeeeee", ` stroke="#999" stroke-width="0.5"`, slabTexts.T("k-free").In(lang))
	key(hex(owners[kernelsim.FrameSlab].rgb), "", slabTexts.T("k-used").In(lang))
	key("#c26a00", "", slabTexts.T("k-held").In(lang))
	if step {
		key("#ffffff", ` stroke="#000" stroke-width="1.5"`, slabTexts.T("k-new").In(lang))
		key("#ffffff", ` stroke="#000" stroke-width="1.5" stroke-dasharray="2 1.5"`, slabTexts.T("k-gone").In(lang))
	}
	return y + 22
}

// slabLayout draws one object slot as SLUB lays it out with debugging
// (mm/slub.c's comment above check_pad_bytes): left red zone, object, red
// zone up to inuse, free pointer, tracks, padding up to size.
func slabLayout(s *svg, c kernelsim.SlabCacheView, y float64, lang string) {
	opts := ""
	if c.RedZone {
		opts += "Z"
	}
	if c.Poison {
		opts += "P"
	}
	s.text(0, y+10, "start", ` font-size="11"`, slabTexts.T("layout", opts).In(lang))
	total := float64(c.Size + c.RedLeftPad)
	scale := 700 / total
	x := 0.0
	seg := func(n uint64, fill, label string) {
		if n == 0 {
			return
		}
		w := float64(n) * scale
		s.open(`<g><title>%s: %d bytes</title>`, label, n)
		s.rect(x, y+16, w, 22, fill, ` stroke="#333" stroke-width="0.5"`)
		s.raw(`</g>`)
		if w > 40 {
			s.text(x+w/2, y+31, "middle", ` font-size="10"`, label)
		}
		s.text(x+1, y+50, "start", ` font-size="9" fill="#555"`, fmt.Sprint(n))
		x += w
	}
	objLabel := slabTexts.T("l-objn").In(lang)
	if c.Poison {
		objLabel = slabTexts.T("l-obj").In(lang)
	}
	seg(c.RedLeftPad, "#e57373", slabTexts.T("l-rz").In(lang))
	seg(c.ObjectSize, hex(owners[kernelsim.FrameSlab].rgb), objLabel)
	rz := c.Inuse - c.ObjectSize
	seg(rz, "#e57373", slabTexts.T("l-rz").In(lang))
	rest := c.Size - c.Inuse
	fp := min(uint64(8), rest)
	seg(fp, "#90caf9", slabTexts.T("l-fp").In(lang))
	rest -= fp
	track := uint64(0)
	if rest >= 16 {
		track = rest - rest%8
		if c.RedZone && c.Poison {
			track = rest
		}
	}
	seg(track, "#ce93d8", slabTexts.T("l-track").In(lang))
	seg(rest-track, "#eeeeee", slabTexts.T("l-pad").In(lang))
}

// slabsOfStep picks the caches a step's pictures show: those whose objects
// the step changed, those holding objects the script allocated first, at
// most max.
func slabsOfStep(before, after *Snapshot, max int) []string {
	type cand struct {
		name  string
		score int
	}
	var cs []cand
	for _, c := range after.Caches {
		old, _ := before.Cache(c.Name)
		prev := make(map[kernelsim.PFN]int, len(old.Slabs)) // index in old.Slabs
		for j, sl := range old.Slabs {
			prev[sl.PFN] = j
		}
		score, changed := 0, 0
		now := make(map[kernelsim.PFN]bool, len(c.Slabs))
		for _, sl := range c.Slabs {
			now[sl.PFN] = true
			j, ok := prev[sl.PFN]
			var o []bool
			if ok {
				o = old.Slabs[j].Used
			}
			for i := range sl.Objects {
				if sl.AllocAt != nil && sl.AllocAt[i] != "" {
					score++
				}
				if sl.Used[i] != (i < len(o) && o[i]) {
					changed++
				}
			}
		}
		// Objects freed with a whole slab: count the slabs that went away.
		for _, o := range old.Slabs {
			if !now[o.PFN] {
				changed += o.InUse
			}
		}
		if changed > 0 {
			cs = append(cs, cand{c.Name, score*8 + changed})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].score > cs[j].score })
	var out []string
	for _, c := range cs[:min(len(cs), max)] {
		out = append(out, c.name)
	}
	return out
}
