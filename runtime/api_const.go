package runtime

import (
	"fmt"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/lazy"
)

// gfpDocs describes each GFP name kernelsim knows (include/linux/gfp_types.h).
var gfpDocs = lazy.NewMap(gfpDocsTable)

func gfpDocsTable() map[string][2]string {
	return map[string][2]string{
		"GFP_KERNEL": {"The usual flags for kernel allocations in process context: the allocator may sleep, start I/O, call into filesystems and reclaim memory to succeed. Never use it in atomic context (softirq, tasklet, timer, interrupt, under a spinlock): that is the kernel's \"sleeping function called from invalid context\" bug.",
			"flags ปกติสำหรับการจองหน่วยความจำใน process context ตัว allocator รอ (sleep) ได้ เริ่ม I/O ได้ เรียกระบบไฟล์ได้ และ reclaim หน่วยความจำเพื่อให้จองสำเร็จ ห้ามใช้ใน atomic context (softirq, tasklet, timer, interrupt หรือขณะถือ spinlock) เพราะจะเกิดบั๊ก \"sleeping function called from invalid context\" ของ Kernel"},
		"GFP_ATOMIC": {"For allocations that must not sleep (interrupt handlers, tasklets, code holding a spinlock): no reclaim, but high priority and access to part of the emergency reserves below the min watermark. It fails sooner than GFP_KERNEL when memory is short, so always check for NULL.",
			"สำหรับการจองที่ห้าม sleep (interrupt handler, tasklet, โค้ดที่ถือ spinlock) ไม่มีการ reclaim แต่มีลำดับความสำคัญสูงและใช้หน่วยความจำสำรองฉุกเฉินที่ต่ำกว่า min watermark ได้บางส่วน เมื่อหน่วยความจำเหลือน้อยจะล้มเหลวเร็วกว่า GFP_KERNEL จึงต้องตรวจ NULL เสมอ"},
		"GFP_NOWAIT": {"Must not sleep, and unlike GFP_ATOMIC gets no access to the reserves: fails at once when free memory is at the min watermark.",
			"ห้าม sleep และต่างจาก GFP_ATOMIC ตรงที่ใช้หน่วยความจำสำรองไม่ได้ จะล้มเหลวทันทีเมื่อหน่วยความจำว่างลดลงถึง min watermark"},
		"GFP_NOIO":             {"May sleep and reclaim, but must not start any I/O (for code on the block I/O path).", "sleep และ reclaim ได้ แต่ห้ามเริ่ม I/O ใด ๆ (สำหรับโค้ดที่อยู่บนเส้นทาง block I/O)"},
		"GFP_NOFS":             {"May sleep, reclaim and do I/O, but must not call into filesystems (for filesystem code holding its locks).", "sleep, reclaim และทำ I/O ได้ แต่ห้ามเรียกเข้าระบบไฟล์ (สำหรับโค้ดระบบไฟล์ที่ถือ lock ของตัวเองอยู่)"},
		"GFP_USER":             {"Like GFP_KERNEL, for memory that user space will see; restricted to the task's allowed memory (cpuset hardwall).", "เหมือน GFP_KERNEL สำหรับหน่วยความจำที่ user space จะเห็น และจำกัดให้อยู่ในหน่วยความจำที่ task ได้รับอนุญาต (cpuset hardwall)"},
		"GFP_HIGHUSER":         {"GFP_USER that may also use highmem (on x86-64 there is no highmem, so it is GFP_USER).", "GFP_USER ที่ใช้ highmem ได้ด้วย (บน x86-64 ไม่มี highmem จึงเท่ากับ GFP_USER)"},
		"GFP_HIGHUSER_MOVABLE": {"For user pages the kernel may migrate (page cache, anonymous memory).", "สำหรับ Page ของ user ที่ Kernel ย้ายตำแหน่งได้ (page cache, anonymous memory)"},
		"GFP_KERNEL_ACCOUNT":   {"GFP_KERNEL, charged to the current task's memory cgroup.", "GFP_KERNEL ที่คิดหน่วยความจำเข้ากับ memory cgroup ของ task ปัจจุบัน"},
		"GFP_DMA":              {"Allocate from ZONE_DMA, the first 16 MiB, for old devices that can only address 24 bits.", "จองจาก ZONE_DMA คือ 16 MiB แรก สำหรับอุปกรณ์รุ่นเก่าที่อ้างที่อยู่ได้แค่ 24 บิต"},
		"GFP_DMA32":            {"Allocate from ZONE_DMA32 (below 4 GiB), for devices limited to 32-bit addresses.", "จองจาก ZONE_DMA32 (ต่ำกว่า 4 GiB) สำหรับอุปกรณ์ที่อ้างที่อยู่ได้แค่ 32 บิต"},
		"GFP_TRANSHUGE":        {"Flags for transparent huge page allocations.", "flags สำหรับการจอง transparent huge page"},
		"GFP_TRANSHUGE_LIGHT":  {"Transparent huge page flags without direct reclaim.", "flags ของ transparent huge page ที่ไม่ทำ direct reclaim"},
		"__GFP_DMA":            {"Zone modifier: ZONE_DMA.", "ตัวเลือกโซน: ZONE_DMA"},
		"__GFP_DMA32":          {"Zone modifier: ZONE_DMA32.", "ตัวเลือกโซน: ZONE_DMA32"},
		"__GFP_HIGHMEM":        {"Zone modifier: highmem (none on x86-64).", "ตัวเลือกโซน: highmem (ไม่มีบน x86-64)"},
		"__GFP_MOVABLE":        {"The page can be migrated or reclaimed (ZONE_MOVABLE allowed).", "Page นี้ย้ายหรือ reclaim ได้ (ใช้ ZONE_MOVABLE ได้)"},
		"__GFP_RECLAIMABLE":    {"The slab's pages are reclaimable (shrinkable caches).", "Page ของ slab นี้ reclaim ได้ (cache ที่ย่อขนาดได้)"},
		"__GFP_HIGH":           {"High priority: may dip into part of the reserves below the min watermark.", "ลำดับความสำคัญสูง: ใช้หน่วยความจำสำรองที่ต่ำกว่า min watermark ได้บางส่วน"},
		"__GFP_IO":             {"May start physical I/O.", "เริ่ม I/O ทางกายภาพได้"},
		"__GFP_FS":             {"May call into the filesystem layer.", "เรียกเข้าชั้นระบบไฟล์ได้"},
		"__GFP_ZERO":           {"Return zeroed memory.", "คืนหน่วยความจำที่ล้างเป็นศูนย์แล้ว"},
		"__GFP_ATOMIC":         {"The caller cannot reclaim or sleep and is high priority (part of GFP_ATOMIC).", "ผู้เรียก reclaim หรือ sleep ไม่ได้ และมีลำดับความสำคัญสูง (เป็นส่วนหนึ่งของ GFP_ATOMIC)"},
		"__GFP_DIRECT_RECLAIM": {"May enter direct reclaim, which can sleep.", "เข้า direct reclaim ได้ ซึ่งอาจ sleep"},
		"__GFP_KSWAPD_RECLAIM": {"May wake kswapd to reclaim in the background when low on memory.", "ปลุก kswapd ให้ reclaim อยู่เบื้องหลังได้เมื่อหน่วยความจำเหลือน้อย"},
		"__GFP_RECLAIM":        {"Both direct and kswapd reclaim.", "ทั้ง direct reclaim และ kswapd reclaim"},
		"__GFP_WRITE":          {"The caller intends to write the page (dirty page balancing).", "ผู้เรียกตั้งใจจะเขียน Page นี้ (ใช้ในการกระจาย dirty page)"},
		"__GFP_NOWARN":         {"Do not print the page allocation failure warning when the allocation fails.", "ไม่พิมพ์คำเตือน page allocation failure เมื่อการจองล้มเหลว"},
		"__GFP_RETRY_MAYFAIL":  {"Retry hard, but may still fail rather than invoke the OOM killer.", "พยายามซ้ำอย่างหนัก แต่ยอมล้มเหลวแทนที่จะเรียก OOM killer"},
		"__GFP_NOFAIL":         {"The allocation must not fail: the allocator retries forever. Use sparingly.", "การจองห้ามล้มเหลว allocator จะพยายามซ้ำไม่รู้จบ ควรใช้ให้น้อยที่สุด"},
		"__GFP_NORETRY":        {"Fail early rather than retrying reclaim hard.", "ยอมล้มเหลวเร็วแทนการพยายาม reclaim ซ้ำอย่างหนัก"},
		"__GFP_MEMALLOC":       {"May use all memory reserves (only for code that frees memory).", "ใช้หน่วยความจำสำรองได้ทั้งหมด (สำหรับโค้ดที่ช่วยคืนหน่วยความจำเท่านั้น)"},
		"__GFP_COMP":           {"Make a compound page (used for large slabs and huge pages).", "สร้าง compound page (ใช้กับ slab ขนาดใหญ่และ huge page)"},
		"__GFP_NOMEMALLOC":     {"Never use the memory reserves.", "ห้ามใช้หน่วยความจำสำรอง"},
		"__GFP_HARDWALL":       {"Enforce the cpuset memory allocation policy.", "บังคับใช้นโยบายการจองหน่วยความจำของ cpuset"},
		"__GFP_THISNODE":       {"Allocate on the requested NUMA node only, with no fallback.", "จองจาก NUMA node ที่ระบุเท่านั้น ไม่ถอยไป node อื่น"},
		"__GFP_ACCOUNT":        {"Charge the allocation to the memory cgroup.", "คิดการจองนี้เข้ากับ memory cgroup"},
		"__GFP_ZEROTAGS":       {"Zero memory tags along with the memory (arm64 MTE).", "ล้าง memory tag พร้อมกับหน่วยความจำ (arm64 MTE)"},
	}
}

// gfpAPIs is the GFP flags group: every name of kernelsim's table, with
// Linux 6.1's values.
func gfpAPIs() []API {
	names := kernelsim.GFPFlagNames()
	names = append(names,
		struct {
			Mask kernelsim.GFP
			Name string
		}{kernelsim.GFPDMA, "__GFP_DMA"},
		struct {
			Mask kernelsim.GFP
			Name string
		}{kernelsim.GFPDMA32, "__GFP_DMA32"})
	out := make([]API, 0, len(names))
	for _, n := range names {
		out = append(out, API{Name: n.Name, Group: "GFP flags", Scope: ScopeAny, v: intConst(uint32(n.Mask)), docs: gfpAPIDocs})
	}
	return out
}

// gfpAPIDocs documents a GFP flag (API.docs), for documentation only.
func gfpAPIDocs(a *API) {
	mask, _ := a.v.(starlark.Int).Uint64()
	doc := gfpDocs.Get()[a.Name]
	a.C = fmt.Sprintf("#define %s ((gfp_t)%#x)", a.Name, uint32(mask))
	a.En, a.Th = doc[0], doc[1]
}

// errnoAPIs is the Errors group: every errno kernelsim knows, positive, as
// in include/uapi/asm-generic/errno*.h.
func errnoAPIs() []API {
	errnos := kernelsim.Errnos()
	out := make([]API, 0, len(errnos))
	for _, e := range errnos {
		out = append(out, API{Name: e.Name(), Group: "Errors", Scope: ScopeAny, v: intConst(int(e)), docs: errnoDocs})
	}
	return out
}

// errnoDocs documents an errno constant (API.docs): formatting the text of
// some 130 of them is left to the documentation that shows it.
func errnoDocs(a *API) {
	n, _ := starlark.AsInt32(a.v)
	e := kernelsim.Errno(n)
	a.C = fmt.Sprintf("#define %s %d", e.Name(), int(e))
	a.En = fmt.Sprintf("Error number %d, %q. Kernel functions return it negated (return -%s); user space sees it in errno.", int(e), e.Error(), e.Name())
	a.Th = fmt.Sprintf("รหัสข้อผิดพลาดหมายเลข %d (%q) ฟังก์ชันใน Kernel คืนค่าเป็นค่าติดลบ (return -%s) ส่วน user space จะเห็นใน errno", int(e), e.Error(), e.Name())
}
