package picture

import (
	"fmt"
	"math"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/i18n"
)

var buddyTexts = i18n.Lazy(buddyTextsTable)

func buddyTextsTable() i18n.Catalog {
	return i18n.Catalog{
		"title":    {"Buddy allocator: free blocks per zone and order (the columns of /proc/buddyinfo)", "Buddy System: จำนวนบล็อกว่างของแต่ละ zone และ order (คอลัมน์ของ /proc/buddyinfo)"},
		"order":    {"order %d", "order %d"},
		"pages":    {"%s per block", "บล็อกละ %s"},
		"events":   {"in this step: %d blocks taken from the free lists, %d splits, %d merges, %d blocks put back", "ในขั้นนี้: หยิบบล็อกจาก free list %d ครั้ง, แบ่ง (split) %d ครั้ง, รวม (merge) %d ครั้ง, คืนเข้า free list %d ครั้ง"},
		"dropped":  {" (%d more not recorded)", " (ไม่ได้บันทึกอีก %d เหตุการณ์)"},
		"split":    {"split: an order-%d block at pfn %#x became %s", "split: บล็อก order %d ที่ pfn %#x ถูกแบ่งเป็น %s"},
		"merge":    {"merge: a block freed at pfn %#x (order %d) joined its free buddies into order %d", "merge: บล็อกที่คืนที่ pfn %#x (order %d) รวมกับบัดดี้ที่ว่างจนกลายเป็น order %d"},
		"kept":     {"handed out", "ถูกจองไป"},
		"back":     {"back on free list", "กลับเข้า free list"},
		"noevents": {"the free lists did not change in this step", "free list ไม่เปลี่ยนในขั้นนี้"},
		"pcp":      {"per-CPU lists: %d pages", "per-CPU list: %d Page"},
	}
}

// BuddySVG draws each zone's free lists after the step as bars per order,
// the change from before (if given) as +n/−n, and the splits and merges
// of the step's events (the first few, block by block).
func BuddySVG(before, after *Snapshot, events []kernelsim.BuddyEvent, dropped int, lang string) string {
	const colW, barH, left = 62.0, 70.0, 70.0
	eps := episodes(events)
	shown := eps[:min(len(eps), 4)]
	h := 30 + float64(len(after.Zones))*(barH+50) + 34 + float64(len(shown))*64
	s := newSVG(left+colW*kernelsim.MaxOrder+20, h, buddyTexts.T("title").In(lang))
	s.text(0, 16, "start", ` font-weight="600"`, buddyTexts.T("title").In(lang))
	y := 30.0
	maxPages := 1.0
	for _, z := range after.Zones {
		for o, n := range z.NrFree {
			maxPages = math.Max(maxPages, float64(n<<o))
		}
	}
	for _, z := range after.Zones {
		var prev *kernelsim.ZoneView
		if before != nil {
			for i := range before.Zones {
				if before.Zones[i].Index == z.Index {
					prev = &before.Zones[i]
				}
			}
		}
		s.text(0, y+barH/2, "start", ` font-weight="600"`, z.Name)
		s.text(0, y+barH/2+14, "start", ` font-size="10" fill="#555"`, buddyTexts.T("pcp", z.PCPPages).In(lang))
		for o := 0; o < kernelsim.MaxOrder; o++ {
			x := left + float64(o)*colW
			n := z.NrFree[o]
			// Bar height: free pages in blocks of this order, on a
			// square-root scale so that small orders stay visible.
			bh := barH * math.Sqrt(float64(n<<o)/maxPages)
			s.open(`<g><title>%s order %d: %d free blocks (%d pages)</title>`, z.Name, o, n, n<<o)
			s.rect(x+8, y+barH-bh, colW-16, bh, hex(freeShade(o)), ` stroke="#2d6a2d" stroke-width="0.5"`)
			s.raw(`</g>`)
			s.text(x+colW/2, y+barH+13, "middle", ` font-family="ui-monospace,monospace"`, fmt.Sprint(n))
			if prev != nil && prev.NrFree[o] != n {
				d := int64(n) - int64(prev.NrFree[o])
				col := "#1a7f37"
				if d < 0 {
					col = "#c62828"
				}
				s.text(x+colW/2, y+barH+28, "middle", fmt.Sprintf(` font-weight="600" fill="%s"`, col), fmt.Sprintf("%+d", d))
			}
		}
		y += barH + 50
	}
	for o := 0; o < kernelsim.MaxOrder; o++ {
		s.text(left+float64(o)*colW+colW/2, y-4, "middle", ` font-size="10" fill="#555"`,
			fmt.Sprintf("%d: %s", o, size(4096<<o)))
	}
	y += 10
	if before != nil {
		var c [4]int
		for _, e := range events {
			c[e.Kind]++
		}
		msg := buddyTexts.T("events", c[kernelsim.BuddyTake], c[kernelsim.BuddySplit], c[kernelsim.BuddyMerge], c[kernelsim.BuddyPut]).In(lang)
		if len(events) == 0 {
			msg = buddyTexts.T("noevents").In(lang)
		}
		if dropped > 0 {
			msg += buddyTexts.T("dropped", dropped).In(lang)
		}
		s.text(0, y+10, "start", "", msg)
		y += 24
	}
	for _, ep := range shown {
		drawEpisode(s, ep, y, lang)
		y += 64
	}
	return s.String()
}

// episode is one allocation that split a block, or one free that merged.
type episode struct {
	split bool
	pfn   int // the block split, or the block freed
	order int // its order (before the split; as freed)
	to    int // the order it ended at: what was handed out, or the merged block's
}

// episodes finds, in the event stream, the takes that split a block and
// the puts that followed merges.
func episodes(events []kernelsim.BuddyEvent) []episode {
	var eps []episode
	for i := 0; i < len(events); i++ {
		e := events[i]
		switch e.Kind {
		case kernelsim.BuddyTake:
			j := i + 1
			for j < len(events) && events[j].Kind == kernelsim.BuddySplit && events[j].PFN == e.PFN {
				j++
			}
			if j > i+1 {
				eps = append(eps, episode{split: true, pfn: int(e.PFN), order: e.Order, to: events[j-1].Order - 1})
			}
			i = j - 1
		case kernelsim.BuddyMerge:
			j, first := i, e
			for j < len(events) && events[j].Kind == kernelsim.BuddyMerge {
				j++
			}
			if j < len(events) && events[j].Kind == kernelsim.BuddyPut {
				eps = append(eps, episode{pfn: int(first.PFN), order: first.Order, to: events[j].Order})
			}
			i = j
		}
	}
	return eps
}

// drawEpisode draws a split block as its 2^order pages, the part handed
// out and the halves put back each outlined; or a merge as the freed
// block inside the merged one.
func drawEpisode(s *svg, ep episode, y float64, lang string) {
	n := 1 << ep.order
	if !ep.split {
		n = 1 << ep.to
	}
	cell := math.Min(22, 600/float64(n))
	x0 := 10.0
	if ep.split {
		var parts string
		for o := ep.order - 1; o >= ep.to; o-- {
			parts += fmt.Sprintf("%d+", 1<<o)
		}
		parts += fmt.Sprintf("%d (%s)", 1<<ep.to, buddyTexts.T("kept").In(lang))
		s.text(0, y+10, "start", "", buddyTexts.T("split", ep.order, ep.pfn, parts).In(lang))
		// Handed out: the lowest 2^to pages; then halves of growing order.
		s.rect(x0, y+16, cell*float64(int(1)<<ep.to), 20, hex(owners[kernelsim.FramePages].rgb), ` stroke="#000"`)
		s.text(x0+2, y+48, "start", ` font-size="10"`, buddyTexts.T("kept").In(lang))
		for o := ep.to; o < ep.order; o++ {
			off := float64(int(1) << o)
			s.open(`<g><title>order %d → free_area[%d]</title>`, o, o)
			s.rect(x0+off*cell, y+16, off*cell, 20, hex(freeShade(o)), ` stroke="#000"`)
			s.raw(`</g>`)
			s.text(x0+off*cell+off*cell/2, y+30, "middle", ` font-size="10"`, fmt.Sprintf("o%d", o))
		}
		// Beside the block, not under it: under a small block the two
		// labels would overlap.
		s.text(x0+cell*float64(n)+6, y+30, "start", ` font-size="10"`, "← "+buddyTexts.T("back").In(lang))
		return
	}
	s.text(0, y+10, "start", "", buddyTexts.T("merge", ep.pfn, ep.order, ep.to).In(lang))
	base := ep.pfn &^ (n - 1)
	s.rect(x0, y+16, cell*float64(n), 20, hex(freeShade(ep.to)), ` stroke="#000"`)
	fx := x0 + float64(ep.pfn-base)*cell
	s.rect(fx, y+16, cell*float64(int(1)<<ep.order), 20, "none", ` stroke="#000" stroke-width="2" stroke-dasharray="3 2"`)
}
