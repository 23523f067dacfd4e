package picture

import (
	"strings"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/i18n"
)

// Picture is one drawing of a step.
type Picture struct {
	// Kind is "memmap", "buddy", "slab", "vmalloc" or "kasan".
	Kind string `json:"kind"`
	// Caption says what it shows; Text, for a KASAN picture, is the
	// report's header line the picture stands beside.
	Caption string `json:"caption"`
	Text    string `json:"text,omitempty"`
	SVG     string `json:"svg"`
}

var stepTexts = i18n.Lazy(stepTextsTable)

func stepTextsTable() i18n.Catalog {
	return i18n.Catalog{
		"memmap":   {"Physical memory after the step", "หน่วยความจำกายภาพหลังขั้นนี้"},
		"buddy":    {"Buddy allocator free lists", "free list ของ Buddy System"},
		"slab":     {"slab cache %s", "slab cache %s"},
		"vmalloc":  {"vmalloc areas made or freed", "vm area ที่สร้างหรือคืนในขั้นนี้"},
		"kasan":    {"KASAN report: shadow memory", "รายงาน KASAN: shadow memory"},
		"nochange": {"Memory did not change in this step.", "หน่วยความจำไม่เปลี่ยนในขั้นนี้"},
	}
}

// Pictures draws the step: the memory map (when a frame changed owner, or
// for the first step), the buddy free lists (when they changed), the slab
// caches whose objects changed, the vm areas made or freed, and the shadow
// of each KASAN report.
func (st *Step) Pictures(lang string) []Picture {
	var pics []Picture
	t := func(key string, args ...any) string { return stepTexts.T(key, args...).In(lang) }
	blocks, _ := Changes(st.Before, st.After, 1)
	if len(blocks) > 0 || st.N == 1 {
		pics = append(pics, Picture{Kind: "memmap", Caption: t("memmap"), SVG: MemMapSVG(st.Before, st.After, lang)})
	}
	if len(st.Events) > 0 || freeListsDiffer(st.Before, st.After) {
		pics = append(pics, Picture{Kind: "buddy", Caption: t("buddy"),
			SVG: BuddySVG(st.Before, st.After, st.Events, st.Dropped, lang)})
	}
	for _, name := range slabsOfStep(st.Before, st.After, 2) {
		c, _ := st.After.Cache(name)
		var before = new(kernelsim.SlabCacheView)
		if b, ok := st.Before.Cache(name); ok {
			*before = b
		} else {
			before = nil
		}
		pics = append(pics, Picture{Kind: "slab", Caption: t("slab", name), SVG: SlabSVG(before, c, lang)})
	}
	if made, freed := areasOfStep(st.Before, st.After); len(made)+len(freed) > 0 {
		pics = append(pics, Picture{Kind: "vmalloc", Caption: t("vmalloc"),
			SVG: VmallocSVG(made[:min(len(made), 4)], freed, len(st.After.Frames), lang)})
	}
	for _, r := range st.Reports {
		if r.Shadow != nil {
			pics = append(pics, Picture{Kind: "kasan", Caption: t("kasan"), Text: reportText(st.Log, r.Title), SVG: KasanSVG(r.Shadow, lang)})
		}
	}
	return pics
}

// freeListsDiffer reports whether any zone's nr_free changed.
func freeListsDiffer(a, b *Snapshot) bool {
	if len(a.Zones) != len(b.Zones) {
		return true
	}
	for i := range a.Zones {
		if a.Zones[i].NrFree != b.Zones[i].NrFree || a.Zones[i].PCPPages != b.Zones[i].PCPPages {
			return true
		}
	}
	return false
}

// reportText returns the lines of the report whose header line is title,
// from the rule above it to the rule that ends it; the title alone when
// the log does not hold it.
func reportText(log []kernelsim.LogRecord, title string) string {
	const rule = "=================================================================="
	for i, rec := range log {
		if rec.Text != title {
			continue
		}
		start := i
		if i > 0 && log[i-1].Text == rule {
			start = i - 1
		}
		var b strings.Builder
		for j := start; j < len(log); j++ {
			b.WriteString(log[j].Text)
			b.WriteByte('\n')
			if j > i && log[j].Text == rule {
				break
			}
		}
		return b.String()
	}
	return title
}
