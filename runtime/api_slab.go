package runtime

import (
	"fmt"
	"math/bits"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// slabAPIs is the Slab group: include/linux/slab.h's allocators, backed by
// kernelsim's SLUB.
func slabAPIs() []API {
	g, k := "Slab", ScopeKernel
	return append([]API{
		{Name: "kmalloc", C: "void *kmalloc(size_t size, gfp_t flags)", Group: g, Scope: k, fn: kmallocFn(0),
			En: `Allocates size bytes of physically contiguous kernel memory from the slab allocator and returns a ptr, or NULL. SLUB rounds the size up to one of its kmalloc caches (kmalloc-8 ... kmalloc-8k, plus kmalloc-96 and kmalloc-192); ksize tells what you really got. Larger requests come straight from the page allocator; above KMALLOC_MAX_SIZE (4 MiB) kmalloc fails with a warning. The memory is not promised to be zeroed: Debian's init_on_alloc=1 zeroes it anyway, and with slub_debug=P it reads 6b 6b ... a5 (use kzalloc for zeroed memory). flags say what the allocator may do: GFP_KERNEL may sleep and reclaim, GFP_ATOMIC may not. Free it with kfree.`,
			Th: `จองหน่วยความจำ Kernel ขนาด size ไบต์ที่ต่อเนื่องกันทางกายภาพจาก slab allocator คืนค่า ptr หรือ NULL ถ้าจองไม่ได้ SLUB จะปัดขนาดขึ้นเป็นขนาดของ kmalloc cache ที่ใกล้ที่สุด (kmalloc-8 ... kmalloc-8k รวม kmalloc-96 และ kmalloc-192) ใช้ ksize ดูขนาดที่ได้จริง คำขอที่ใหญ่กว่านั้นจะไปขอจาก page allocator โดยตรง และถ้าเกิน KMALLOC_MAX_SIZE (4 MiB) kmalloc จะล้มเหลวพร้อมคำเตือน ไม่ได้สัญญาว่าหน่วยความจำที่ได้จะเป็นศูนย์ (init_on_alloc=1 ของ Debian ล้างให้อยู่แล้ว และถ้าบูตด้วย slub_debug=P จะอ่านได้ 6b 6b ... a5 ถ้าต้องการศูนย์ให้ใช้ kzalloc) flags บอกว่า allocator ทำอะไรได้บ้าง เช่น GFP_KERNEL รอ (sleep) และ reclaim ได้ แต่ GFP_ATOMIC ทำไม่ได้ ต้องปล่อยด้วย kfree`},
		{Name: "kzalloc", C: "void *kzalloc(size_t size, gfp_t flags)", Group: g, Scope: k, fn: kmallocFn(kernelsim.GFPZero),
			En: `kmalloc with __GFP_ZERO: the memory comes back zeroed. Free it with kfree.`,
			Th: `kmalloc ที่ใส่ __GFP_ZERO: หน่วยความจำที่ได้ถูกล้างเป็นศูนย์แล้ว ต้องปล่อยด้วย kfree`},
		{Name: "kcalloc", C: "void *kcalloc(size_t n, size_t size, gfp_t flags)", Group: g, Scope: k, fn: kmallocArrayFn(kernelsim.GFPZero),
			En: `Allocates a zeroed array of n elements of size bytes. If n * size overflows size_t it returns NULL instead of a too-small buffer, as Linux's check_mul_overflow does.`,
			Th: `จองอาร์เรย์ n ช่อง ช่องละ size ไบต์ที่ล้างเป็นศูนย์แล้ว ถ้า n * size ล้นค่าของ size_t จะคืนค่า NULL แทนที่จะได้บัฟเฟอร์เล็กเกินไป เหมือน check_mul_overflow ของ Linux`},
		{Name: "kmalloc_array", C: "void *kmalloc_array(size_t n, size_t size, gfp_t flags)", Group: g, Scope: k, fn: kmallocArrayFn(0),
			En: `kmalloc for an array of n elements of size bytes, with the multiplication checked for overflow (NULL on overflow).`,
			Th: `kmalloc สำหรับอาร์เรย์ n ช่อง ช่องละ size ไบต์ โดยตรวจการคูณว่าไม่ล้น (ถ้าล้นคืนค่า NULL)`},
		{Name: "krealloc", C: "void *krealloc(const void *p, size_t new_size, gfp_t flags)", Group: g, Scope: k, fn: kreallocFn,
			En: `Resizes a kmalloc'ed object: returns p itself when it still fits its slab object (see ksize), otherwise a new object with the contents copied and the old one freed. On failure it returns NULL and p stays valid, so assign the result to a new variable first. krealloc(NULL, n) is kmalloc(n); a new_size of 0 frees p and returns ZERO_SIZE_PTR.`,
			Th: `เปลี่ยนขนาด object ที่จองด้วย kmalloc: ถ้าขนาดใหม่ยังพอดีกับ slab object เดิม (ดู ksize) จะคืนค่า p ตัวเดิม ไม่อย่างนั้นจะจอง object ใหม่ คัดลอกข้อมูลไป แล้วปล่อย object เก่า ถ้าล้มเหลวจะคืนค่า NULL และ p ยังใช้ได้อยู่ จึงควรรับค่าที่คืนมาด้วยตัวแปรใหม่ก่อน krealloc(NULL, n) เท่ากับ kmalloc(n) และถ้า new_size เป็น 0 จะปล่อย p (เหมือน kfree(p)) แล้วคืนค่า ZERO_SIZE_PTR`},
		{Name: "kfree", C: "void kfree(const void *objp)", Group: g, Scope: k, fn: kfreeFn,
			En: `Frees memory from kmalloc, kzalloc, kcalloc, krealloc, kstrdup or kmemdup. kfree(NULL) does nothing. Freeing twice, freeing a pointer that kmalloc did not return, or freeing vmalloc memory is a kernel bug that the simulated kernel reports as Linux's debugging options would.`,
			Th: `คืนหน่วยความจำที่ได้จาก kmalloc, kzalloc, kcalloc, krealloc, kstrdup หรือ kmemdup โดย kfree(NULL) ไม่ทำอะไร การปล่อยซ้ำสองครั้ง การปล่อยพอยน์เตอร์ที่ไม่ได้มาจาก kmalloc หรือการคืนหน่วยความจำของ vmalloc ด้วย kfree เป็นบั๊กของ Kernel ซึ่ง Kernel จำลองจะรายงานแบบเดียวกับตัวเลือก debug ของ Linux`},
		{Name: "kfree_sensitive", C: "void kfree_sensitive(const void *objp)", Group: g, Scope: k, fn: kfreeSensitiveFn,
			En: `Zeroes the whole object (ksize bytes) before freeing it, so secrets such as keys do not linger in freed memory.`,
			Th: `ล้างข้อมูลทั้ง object (ksize ไบต์) เป็นศูนย์ก่อนปล่อย เพื่อไม่ให้ข้อมูลลับ เช่น กุญแจเข้ารหัส ค้างอยู่ในหน่วยความจำที่ปล่อยไปแล้ว`},
		{Name: "ksize", C: "size_t ksize(const void *objp)", Group: g, Scope: k, fn: ksizeFn,
			En: `The real size of a kmalloc'ed object: the size of the kmalloc cache it came from (kmalloc(100) gives 128), or the pages' size for large allocations.`,
			Th: `ขนาดจริงของ object ที่จองด้วย kmalloc คือขนาดของ kmalloc cache ที่ object นั้นมาจาก (kmalloc(100) ได้ 128) หรือขนาดของ Page สำหรับการจองขนาดใหญ่`},
		{Name: "kmem_cache_create", C: "struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align, slab_flags_t flags, void (*ctor)(void *))", Group: g, Scope: k, fn: kmemCacheCreateFn,
			En: `Creates a dedicated slab cache for objects of one size, listed in /proc/slabinfo under name. ctor, if given, is called with a ptr to each object when a new slab is filled, not at every allocation. Returns the cache, or NULL.`,
			Th: `สร้าง slab cache เฉพาะสำหรับ object ขนาดเดียวกัน ซึ่งจะปรากฏใน /proc/slabinfo ตามชื่อ name ถ้าให้ ctor มา ctor จะถูกเรียกพร้อม ptr ของแต่ละ object ตอนสร้าง slab ใหม่ ไม่ใช่ทุกครั้งที่จอง คืน cache หรือ NULL`},
		{Name: "kmem_cache_alloc", C: "void *kmem_cache_alloc(struct kmem_cache *cachep, gfp_t flags)", Group: g, Scope: k, fn: kmemCacheAllocFn(0),
			En: `Allocates one object from a cache made by kmem_cache_create, or returns NULL. Free it with kmem_cache_free on the same cache.`,
			Th: `จอง object หนึ่งตัวจาก cache ที่สร้างด้วย kmem_cache_create หรือคืนค่า NULL ต้องปล่อยด้วย kmem_cache_free กับ cache เดียวกัน`},
		{Name: "kmem_cache_zalloc", C: "void *kmem_cache_zalloc(struct kmem_cache *k, gfp_t flags)", Group: g, Scope: k, fn: kmemCacheAllocFn(kernelsim.GFPZero),
			En: `kmem_cache_alloc with __GFP_ZERO: the object comes back zeroed.`,
			Th: `kmem_cache_alloc ที่ใส่ __GFP_ZERO: object ที่ได้ถูกล้างเป็นศูนย์แล้ว`},
		{Name: "kmem_cache_free", C: "void kmem_cache_free(struct kmem_cache *s, void *x)", Group: g, Scope: k, fn: kmemCacheFreeFn,
			En: `Returns an object to the cache it came from.`,
			Th: `ปล่อย object กลับไปยัง cache ที่มันถูกจองมา`},
		{Name: "kmem_cache_destroy", C: "void kmem_cache_destroy(struct kmem_cache *s)", Group: g, Scope: k, fn: kmemCacheDestroyFn,
			En: `Destroys a cache, returning its slabs to the page allocator. Every object must have been freed first: destroying a cache with live objects is a bug Linux reports. kmem_cache_destroy(NULL) does nothing.`,
			Th: `ทำลาย cache และคืน slab ทั้งหมดให้ page allocator ต้องปล่อย object ทุกตัวก่อน การทำลาย cache ที่ยังมี object ใช้งานอยู่เป็นบั๊กที่ Linux รายงาน kmem_cache_destroy(NULL) ไม่ทำอะไร`},
	}, slabFlagAPIs()...)
}

// slabFlags names kernelsim's slab_flags_t bits (include/linux/slab.h).
var slabFlags = []struct {
	name   string
	val    kernelsim.SlabFlags
	en, th string
}{
	{"SLAB_HWCACHE_ALIGN", kernelsim.SlabHWCacheAlign, "Align objects on CPU cache lines (64 bytes), so two objects never share a line.", "จัดตำแหน่ง object ให้ตรงกับ cache line ของ CPU (64 ไบต์) เพื่อไม่ให้ object สองตัวใช้ cache line ร่วมกัน"},
	{"SLAB_POISON", kernelsim.SlabPoison, "Fill free objects with a poison pattern (0x6b, ending in 0xa5) so use after free shows (SLUB debug).", "เติมค่า poison (0x6b ปิดท้ายด้วย 0xa5) ใน object ที่ว่าง เพื่อให้เห็นการใช้งานหลังปล่อย (SLUB debug)"},
	{"SLAB_RED_ZONE", kernelsim.SlabRedZone, "Put red zones around each object to catch writes past its end (SLUB debug).", "ใส่ red zone รอบ object แต่ละตัวเพื่อจับการเขียนเลยขอบ (SLUB debug)"},
	{"SLAB_STORE_USER", kernelsim.SlabStoreUser, "Record who allocated and freed each object, for debug reports (SLUB debug).", "บันทึกว่าใครจองและปล่อย object แต่ละตัว เพื่อใช้ในรายงาน debug (SLUB debug)"},
	{"SLAB_CONSISTENCY_CHECKS", kernelsim.SlabConsistencyChecks, "Check the slab's metadata on every allocation and free (SLUB debug).", "ตรวจ metadata ของ slab ทุกครั้งที่จองและคืน (SLUB debug)"},
	{"SLAB_PANIC", kernelsim.SlabPanic, "Panic if the cache cannot be created instead of returning NULL.", "ให้ Kernel panic ถ้าสร้าง cache ไม่ได้ แทนการปล่อย NULL"},
	{"SLAB_ACCOUNT", kernelsim.SlabAccount, "Charge objects to the allocating task's memory cgroup.", "คิดหน่วยความจำของ object เข้ากับ memory cgroup ของ task ที่จอง"},
	{"SLAB_RECLAIM_ACCOUNT", kernelsim.SlabReclaimAccount, "Count the cache's pages as reclaimable (SReclaimable in /proc/meminfo).", "นับ Page ของ cache นี้เป็นหน่วยความจำที่ reclaim ได้ (SReclaimable ใน /proc/meminfo)"},
	{"SLAB_CACHE_DMA", kernelsim.SlabCacheDMA, "Take the cache's pages from ZONE_DMA.", "เอา Page ของ cache นี้มาจาก ZONE_DMA"},
	{"SLAB_CACHE_DMA32", kernelsim.SlabCacheDMA32, "Take the cache's pages from ZONE_DMA32.", "เอา Page ของ cache นี้มาจาก ZONE_DMA32"},
	{"SLAB_TYPESAFE_BY_RCU", kernelsim.SlabTypesafeByRCU, "Delay freeing the cache's slabs by an RCU grace period.", "หน่วงการปล่อย slab ของ cache นี้ไปจนผ่าน RCU grace period"},
	{"SLAB_MEM_SPREAD", kernelsim.SlabMemSpread, "Spread the cache's pages over cpuset memory nodes.", "กระจาย Page ของ cache นี้ไปตาม memory node ของ cpuset"},
	{"SLAB_NOLEAKTRACE", kernelsim.SlabNoLeakTrace, "Keep the cache's objects out of kmemleak's leak tracking.", "ไม่ให้ kmemleak ติดตาม object ของ cache นี้"},
}

func slabFlagAPIs() []API {
	out := make([]API, 0, len(slabFlags))
	for _, f := range slabFlags {
		out = append(out, API{Name: f.name, Group: "Slab", Scope: ScopeAny, v: intConst(uint32(f.val)), En: f.en, Th: f.th, docs: slabFlagDocs})
	}
	return out
}

// slabFlagDocs writes a slab flag's declaration (API.docs), for
// documentation only.
func slabFlagDocs(a *API) {
	v, _ := a.v.(starlark.Int).Uint64()
	a.C = fmt.Sprintf("#define %s ((slab_flags_t __force)%#08xU)", a.Name, uint32(v))
}

// kmallocFn makes kmalloc (extra 0) and kzalloc (extra __GFP_ZERO).
func kmallocFn(extra kernelsim.GFP) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var size Size
		var gfp GFPArg
		if len(kwargs) != 0 || len(args) != 2 || size.Unpack(args[0]) != nil || gfp.Unpack(args[1]) != nil {
			// Anything but two good positional arguments: UnpackArgs,
			// for its errors (into variables of its own, which escape).
			var s2 Size
			var g2 GFPArg
			if err := c.unpack(args, kwargs, "size", &s2, "flags", &g2); err != nil {
				return nil, err
			}
			size, gfp = s2, g2
		}
		flags := kernelsim.GFP(gfp) | extra
		c.mightAllocSize(flags, uint64(size))
		a := c.k().Kmalloc(uint64(size), flags)
		c.recordAlloc(flags, uint64(size), a, nil)
		return c.ptr(a), nil
	}
}

// mightAllocSize runs might_alloc with kmalloc's frames for size.
func (c call) mightAllocSize(flags kernelsim.GFP, size uint64) {
	if size > kmallocMaxCacheSize {
		c.mightAlloc(flags, kmallocLargeFrames)
		return
	}
	c.mightAlloc(flags, kmallocFrames)
}

// kmallocMaxCacheSize is KMALLOC_MAX_CACHE_SIZE: larger kmallocs go to the
// page allocator.
const kmallocMaxCacheSize = 8192

// kmallocArrayFn makes kmalloc_array and kcalloc: check_mul_overflow first.
func kmallocArrayFn(extra kernelsim.GFP) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var n, size Size
		var gfp GFPArg
		if err := c.unpack(args, kwargs, "n", &n, "size", &size, "flags", &gfp); err != nil {
			return nil, err
		}
		flags := kernelsim.GFP(gfp) | extra
		hi, bytes := bits.Mul64(uint64(n), uint64(size))
		if hi != 0 {
			c.record(flags, bytes, true)
			return c.ptr(0), nil
		}
		c.mightAllocSize(flags, bytes)
		a := c.k().Kmalloc(bytes, flags)
		c.recordAlloc(flags, bytes, a, nil)
		return c.ptr(a), nil
	}
}

func kreallocFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p PtrArg
	var size Size
	var gfp GFPArg
	if err := c.unpack(args, kwargs, "p", &p, "new_size", &size, "flags", &gfp); err != nil {
		return nil, err
	}
	c.mightAllocSize(kernelsim.GFP(gfp), uint64(size))
	old := p.addr()
	a, err := c.k().Krealloc(old, uint64(size), kernelsim.GFP(gfp))
	c.recordRealloc(kernelsim.GFP(gfp), uint64(size), old, a)
	return c.ptr(a), err
}

func kfreeFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p PtrArg
	if len(kwargs) != 0 || len(args) != 1 || p.Unpack(args[0]) != nil {
		var p2 PtrArg // as in kmallocFn
		if err := c.unpack(args, kwargs, "objp", &p2); err != nil {
			return nil, err
		}
		p = p2
	}
	c.recordFree(p.addr(), 0, nil, false)
	return starlark.None, c.k().Kfree(p.addr())
}

// kfreeSensitiveFn mirrors kfree_sensitive(): memzero_explicit(p, ksize(p))
// then kfree(p).
func kfreeSensitiveFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p PtrArg
	if err := c.unpack(args, kwargs, "objp", &p); err != nil {
		return nil, err
	}
	c.recordFree(p.addr(), 0, nil, false)
	return starlark.None, c.k().KfreeSensitive(p.addr())
}

func ksizeFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p PtrArg
	if err := c.unpack(args, kwargs, "objp", &p); err != nil {
		return nil, err
	}
	return starlark.MakeUint64(c.k().Ksize(p.addr())), nil
}

// CacheArg is a struct kmem_cache * argument; NULL is accepted (nil).
type CacheArg struct {
	c *kernelsim.KmemCache
}

func (a *CacheArg) Unpack(v starlark.Value) error {
	switch x := v.(type) {
	case Cache:
		a.c = x.c
		return nil
	case Ptr:
		if x.addr == 0 {
			return nil
		}
	}
	return fmt.Errorf("got %s, want struct kmem_cache *", v.Type())
}

func kmemCacheCreateFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	var size, align Size
	var flags uint32
	var ctor starlark.Value = starlark.None
	if err := c.unpack(args, kwargs, "name", &name, "size", &size, "align?", &align, "flags?", &flags, "ctor?", &ctor); err != nil {
		return nil, err
	}
	ctorFn, err := c.ctor(ctor)
	if err != nil {
		return nil, err
	}
	kc, err := c.k().KmemCacheCreate(name, uint64(size), uint64(align), kernelsim.SlabFlags(flags), ctorFn)
	c.record(0, uint64(size), kc == nil)
	if kc == nil {
		return c.ptr(0), err
	}
	return Cache{e: c.e, c: kc}, err
}

// ctor turns kmem_cache_create's ctor into the Go callback kernelsim runs
// on each object of a new slab: the Starlark function called with a ptr,
// as the module's code, on the running thread.
func (c call) ctor(v starlark.Value) (func(kernelsim.Addr) error, error) {
	if v == starlark.None {
		return nil, nil
	}
	if p, ok := v.(Ptr); ok && p.addr == 0 {
		return nil, nil
	}
	fn, ok := v.(starlark.Callable)
	if !ok {
		return nil, c.errorf("for parameter ctor: got %s, want a function void ctor(void *)", v.Type())
	}
	e, mod := c.e, c.e.mod
	return func(a kernelsim.Addr) error {
		_, err := e.m.callScript(mod, whereKern, fn, Ptr{e: e, addr: a})
		return err
	}, nil
}

// kmemCacheAllocFn makes kmem_cache_alloc and kmem_cache_zalloc.
func kmemCacheAllocFn(extra kernelsim.GFP) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var kc CacheArg
		var gfp GFPArg
		if err := c.unpack(args, kwargs, "cachep", &kc, "flags", &gfp); err != nil {
			return nil, err
		}
		if kc.c == nil {
			return nil, c.nullDeref(0x8) // s->flags... slab_pre_alloc_hook reads the NULL cache
		}
		flags := kernelsim.GFP(gfp) | extra
		c.mightAlloc(flags, cacheAllocFrames)
		a, err := c.k().KmemCacheAlloc(kc.c, flags)
		c.recordAlloc(flags, 0, a, kc.c)
		return c.ptr(a), err
	}
}

func kmemCacheFreeFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var kc CacheArg
	var p PtrArg
	if err := c.unpack(args, kwargs, "s", &kc, "x", &p); err != nil {
		return nil, err
	}
	if kc.c == nil {
		c.record(0, 0, false)
		return nil, c.nullDeref(0x8)
	}
	c.recordFree(p.addr(), 0, kc.c, false)
	return starlark.None, c.k().KmemCacheFree(kc.c, p.addr())
}

func kmemCacheDestroyFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var kc CacheArg
	if err := c.unpack(args, kwargs, "s", &kc); err != nil {
		return nil, err
	}
	c.record(0, 0, false)
	if kc.c == nil {
		return starlark.None, nil
	}
	return starlark.None, c.k().KmemCacheDestroy(kc.c)
}

// nullDeref makes the load Linux's code would make through a NULL struct
// pointer at offset off, so that kernelsim reports the NULL pointer
// dereference (an Oops) as Linux does.
func (c call) nullDeref(off uint64) error {
	if err := c.k().ReadMem(kernelsim.Addr(off), make([]byte, 8)); err != nil {
		return err
	}
	return c.errorf("NULL pointer dereference")
}
