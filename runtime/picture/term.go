package picture

import (
	"fmt"
	"math"
	"strings"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/i18n"
)

// Terminal pictures for the shell's memmap, buddy and slab commands: Unicode
// blocks in xterm-256 colours, or, without colour (NO_COLOR), one letter per
// owner so that the picture still reads in plain text.

const (
	termCols = 64
	termRows = 32
)

var termTexts = i18n.Lazy(termTextsTable)

func termTextsTable() i18n.Catalog {
	return i18n.Catalog{
		"memmap": {"physical memory: %d page frames, one cell per %d frames (the owner most of them have)", "หน่วยความจำกายภาพ: %d page frame หนึ่งช่องต่อ %d frame (เจ้าของส่วนใหญ่ของช่อง)"},
		"buddy":  {"free blocks per order (nr_free, as /proc/buddyinfo)", "บล็อกว่างแต่ละ order (nr_free แบบ /proc/buddyinfo)"},
		"pcp":    {"%d pages on per-CPU lists", "%d Page อยู่ใน per-CPU list"},
		"slab":   {"%s: %d-byte objects every %d bytes, %d per slab (order %d), %d slabs, %d/%d objects in use", "%s: object ขนาด %d ไบต์ ห่างกัน %d ไบต์ slab ละ %d object (order %d) มี %d slab ใช้อยู่ %d/%d object"},
		"key":    {"key: %s in use  %s allocated by a script  %s free", "สัญลักษณ์: %s ใช้อยู่  %s สคริปต์เป็นผู้จอง  %s ว่าง"},
		"more":   {"… %d more slabs", "… อีก %d slab"},
		"debug":  {"SLUB debugging on this cache:%s", "cache นี้เปิด SLUB debug:%s"},
	}
}

func paint(on bool, ansi int, s string) string {
	if !on {
		return s
	}
	return fmt.Sprintf("\x1b[38;5;%dm%s\x1b[0m", ansi, s)
}

func termANSI(f kernelsim.PageFrame) int {
	if f.Owner == kernelsim.FrameFree {
		shades := [...]int{194, 157, 120, 114, 77, 71, 71, 35, 28, 28, 22}
		return shades[min(int(f.Order), len(shades)-1)]
	}
	return owners[f.Owner].ansi
}

// MemMapText draws the snapshot's page frames as termRows rows of termCols
// cells, then a legend with pages per owner.
func MemMapText(s *Snapshot, color bool, lang string) string {
	var b strings.Builder
	n := len(s.Frames)
	per := max(1, (n+termCols*termRows-1)/(termCols*termRows))
	fmt.Fprintln(&b, termTexts.T("memmap", n, per).In(lang))
	for row := 0; row*termCols*per < n; row++ {
		fmt.Fprintf(&b, "%9s ", size(uint64(row*termCols*per)*4096))
		for c := 0; c < termCols; c++ {
			i := (row*termCols + c) * per
			if i >= n {
				break
			}
			f := dominant(s.Frames[i:min(n, i+per)])
			if color {
				b.WriteString(paint(true, termANSI(f), "█"))
			} else {
				b.WriteByte(owners[f.Owner].glyph)
			}
		}
		b.WriteByte('\n')
	}
	c := s.Counts()
	for o := kernelsim.FrameOwner(1); o < kernelsim.NrFrameOwners; o++ {
		sw := string(owners[o].glyph)
		if color {
			sw = paint(true, owners[o].ansi, "█")
		}
		fmt.Fprintf(&b, "  %s %-36s %7d pages %10s\n", sw, owners[o].name.In(lang), c.Pages[o], size(uint64(c.Pages[o])*4096))
	}
	return b.String()
}

// BuddyText draws each zone's free lists: per order, nr_free and a bar of
// the free pages in blocks of that order (square-root scale).
func BuddyText(s *Snapshot, color bool, lang string) string {
	var b strings.Builder
	fmt.Fprintln(&b, termTexts.T("buddy").In(lang))
	maxPages := 1.0
	for _, z := range s.Zones {
		for o, n := range z.NrFree {
			maxPages = math.Max(maxPages, float64(n<<o))
		}
	}
	for _, z := range s.Zones {
		fmt.Fprintf(&b, "zone %-7s %s\n", z.Name, termTexts.T("pcp", z.PCPPages).In(lang))
		for o, n := range z.NrFree {
			w := int(math.Round(40 * math.Sqrt(float64(n<<o)/maxPages)))
			bar := strings.Repeat("#", w)
			if color && w > 0 {
				bar = paint(true, termANSI(kernelsim.PageFrame{Owner: kernelsim.FrameFree, Order: uint8(o)}), strings.Repeat("█", w))
			}
			fmt.Fprintf(&b, "  order %2d %8s %6d %s\n", o, size(4096<<o), n, bar)
		}
	}
	return b.String()
}

// SlabText draws a cache: a line per slab (at most eight, those with
// objects a script holds first), a cell per object.
func SlabText(c kernelsim.SlabCacheView, color bool, lang string) string {
	var b strings.Builder
	inUse := 0
	for _, sl := range c.Slabs {
		inUse += sl.InUse
	}
	fmt.Fprintln(&b, termTexts.T("slab", c.Name, c.ObjectSize, c.Size, c.Objects, c.Order, len(c.Slabs), inUse, len(c.Slabs)*c.Objects).In(lang))
	if c.Poison || c.RedZone {
		opts := ""
		if c.RedZone {
			opts += " red zones (bb/cc)"
		}
		if c.Poison {
			opts += " poison (6b…a5)"
		}
		fmt.Fprintln(&b, termTexts.T("debug", opts).In(lang))
	}
	used, held, free := "#", "@", "."
	if color {
		used, held, free = paint(true, 214, "■"), paint(true, 130, "■"), paint(true, 250, "□")
	}
	rows := slabRows(nil, c)
	rows = rows[:min(len(rows), 8)]
	for _, sl := range rows {
		fmt.Fprintf(&b, "  %-7s pfn %#-8x ", sl.List, uint64(sl.PFN))
		for i := range sl.Objects {
			if i > 0 && i%64 == 0 {
				b.WriteString("\n                       ")
			}
			switch {
			case sl.AllocAt != nil && sl.AllocAt[i] != "":
				b.WriteString(held)
			case sl.Used[i]:
				b.WriteString(used)
			default:
				b.WriteString(free)
			}
		}
		b.WriteByte('\n')
	}
	if n := len(c.Slabs) - len(rows); n > 0 {
		fmt.Fprintln(&b, "  "+termTexts.T("more", n).In(lang))
	}
	fmt.Fprintln(&b, "  "+termTexts.T("key", used, held, free).In(lang))
	for _, sl := range rows {
		for i := range sl.Objects {
			if sl.AllocAt != nil && sl.AllocAt[i] != "" {
				fmt.Fprintf(&b, "  %s %#x: %s (%d B)\n", held, uint64(sl.Base)+uint64(i)*c.Size+c.RedLeftPad, sl.AllocAt[i], sl.Requested[i])
			}
		}
	}
	return b.String()
}
