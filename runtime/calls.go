package runtime

import (
	"bytes"
	"fmt"
	"strings"
	"unsafe"

	"kscript.dev/kscript/kernelsim"
)

// callKey is what the call log tells calls apart by: the call itself
// (builtin, flags, context, module, position, size argument, the scenario
// step it was made in, its outcome) and, for an allocation, what became of
// the object it returned. Calls with equal keys are one record with a
// count, so the log stays small however many calls a script makes while
// every count stays exact.
type callKey struct {
	fn     *string // the builtin's name (one string per builtin)
	gfp    kernelsim.GFP
	ctx    execContext
	mod    *script
	pos    *kernelsim.Frame // the caller's frame (interned): file, line, column
	size   uint64
	step   int32
	failed bool
	noop   bool // did nothing: kfree(NULL), a copy of 0 bytes, kmalloc(0)
	object bool // an allocation whose object the log follows
	folded bool // size and flags were dropped to keep the log bounded

	// An allocation's object, once freed: the step it was freed in, by
	// which builtin, and whether that free matched the allocation (the
	// same order for pages, the same cache for kmem_cache objects).
	freed     bool
	freedStep int32
	freedBy   *string
	freeMatch bool
	written   bool // the object held a byte that is not zero when freed
	read      bool // the module read the object while it was allocated (noteRead)
	// into, for a memory or string helper, is 1 + the index in the log's
	// intoNames of the static_buffer global its destination lay in, 0 for
	// other memory: a number that fits the padding after written, since a
	// string field here cost the kmalloc+kfree loop 68 instructions of its
	// 5,915 (scripts/bench-instructions' starlark-bridge).
	into uint16
	held string // the C string at the object's start when freed (at most maxHeld bytes); for a memory or string helper, the bytes it left at its destination (recordWrite)
}

// same is k == o field by field, without the generated comparison's call
// of memequal (TestCallKeySame keeps it to every field).
func (k *callKey) same(o *callKey) bool {
	return k.fn == o.fn && k.pos == o.pos && k.size == o.size && k.gfp == o.gfp && k.ctx == o.ctx &&
		k.mod == o.mod && k.step == o.step && k.failed == o.failed && k.noop == o.noop &&
		k.object == o.object && k.folded == o.folded && k.freed == o.freed &&
		k.freedStep == o.freedStep && k.freedBy == o.freedBy && k.freeMatch == o.freeMatch && k.written == o.written && k.read == o.read &&
		k.into == o.into && k.held == o.held
}

// callLog is the machine's record of kernel API calls: exact counts per
// distinct key, in the order keys first appeared, and the objects that
// recorded allocations returned and that are not freed yet (live), so that
// a free can be matched with the allocation it frees.
//
// Memory is bounded: the keys number at most maxCallKeys, beyond which a
// new key loses its size and flags (folded) — what is left (builtin,
// context, module, position, step, outcome) is bounded by the script's
// size — and the live objects are no more than the simulated kernel
// itself holds.
type callLog struct {
	index  map[callKey]int32
	keys   []callKey
	counts []int64
	live   map[kernelsim.Addr]liveObject
	// newest is the object tracked last, while it is live: not in live.
	newest struct {
		a   kernelsim.Addr
		obj liveObject
		ok  bool
	}
	step int32             // the scenario step running now (Machine.SetStep)
	k    *kernelsim.Kernel // to read a freed object's bytes (wrote)
	// readLo and readHi are the extent of the object noteRead marked
	// last: a loop reading one buffer asks the kernel where it is once.
	readLo, readHi kernelsim.Addr
	// recent caches index's answers for the keys added lately, direct
	// mapped by builtin, position and whether the key is a freed
	// object's: a loop adds the same few keys over and over, and
	// comparing a key is cheaper than hashing it.
	recent [16]struct {
		key callKey
		i   int32 // the key's record + 1; 0: the slot is empty
	}
	// peek is wrote's buffer, made on first use.
	peek []byte
	// intoNames are the static_buffer globals helpers wrote into (callKey.into).
	intoNames []string
	// held is what the module's allocations handed it ({{pfn}}, {{kptr}}).
	held heldRecord
	// watch are the kept watches armed for grading (Machine.WatchKept);
	// nil, and untouched, in every other run.
	watch []*KeptWatch
}

// liveObject is an allocated object the log follows: the record of the
// call that allocated it and, for a kmem_cache object, its cache.
type liveObject struct {
	rec   int32
	read  bool // the module read it (noteRead)
	cache *kernelsim.KmemCache
}

const maxCallKeys = 1 << 14

// add counts one call with key k and returns its record.
func (l *callLog) add(k callKey) int32 {
	h := uintptr(unsafe.Pointer(k.fn))>>3 ^ uintptr(unsafe.Pointer(k.pos))>>4
	if k.freed {
		h ^= 1
	}
	slot := &l.recent[h%uintptr(len(l.recent))]
	if slot.i != 0 && slot.key.same(&k) {
		l.counts[slot.i-1]++
		return slot.i - 1
	}
	i, ok := l.index[k]
	if !ok {
		if len(l.keys) >= maxCallKeys && !k.folded {
			k.size, k.gfp, k.held, k.folded = 0, 0, "", true
			return l.add(k)
		}
		if l.index == nil {
			l.index = make(map[callKey]int32)
		}
		// A caller's held may be a view of a buffer (recordWrite): the
		// record keeps a copy.
		k.held = strings.Clone(k.held)
		i = int32(len(l.keys))
		l.index[k] = i
		l.keys = append(l.keys, k)
		l.counts = append(l.counts, 0)
	}
	slot.key, slot.i = l.keys[i], i+1
	l.counts[i]++
	return i
}

// ObjectsHolding reads the objects of kmem_cache cache that the module
// allocated (kmem_cache_alloc, kmem_cache_zalloc) and has not freed: it
// returns how many there are and how many hold the bytes data.
func (m *Machine) ObjectsHolding(cache string, data []byte) (objects, holding int) {
	l := &m.env.calls
	count := func(a kernelsim.Addr, obj liveObject) {
		if obj.cache == nil || obj.cache.Name != cache {
			return
		}
		objects++
		buf := make([]byte, obj.cache.ObjectSize())
		if m.k.Peek(a, buf) && bytes.Contains(buf, data) {
			holding++
		}
	}
	for a, obj := range l.live {
		count(a, obj)
	}
	if l.newest.ok {
		count(l.newest.a, l.newest.obj)
	}
	return objects, holding
}

// track follows the object at a, just allocated by the call counted in
// record rec. It becomes the newest object, outside the map (a loop that
// frees what it has just allocated then touches no map); the one before
// it goes into the map.
func (l *callLog) track(a kernelsim.Addr, rec int32, cache *kernelsim.KmemCache) {
	if n := &l.newest; n.ok && n.a != a {
		if l.live == nil {
			l.live = make(map[kernelsim.Addr]liveObject)
		}
		l.live[n.a] = n.obj
	}
	if len(l.live) != 0 {
		delete(l.live, a) // the object a new allocation at a replaces
	}
	l.newest.a, l.newest.obj, l.newest.ok = a, liveObject{rec: rec, cache: cache}, true
	l.readLo, l.readHi = 0, 0 // (it may be where the object marked read was)
}

// noteRead notes that the module read memory at a (an index, a slice, %s
// of a pointer, the source of memcpy or copy_to_user): the followed object
// a lies in, if any, was read while it was allocated (calls: read:,
// lesson 11's uaf: the byte printed was read from the object, not typed
// in).
func (l *callLog) noteRead(a kernelsim.Addr) {
	if a-l.readLo < l.readHi-l.readLo || !l.newest.ok && len(l.live) == 0 || l.k == nil {
		return // the object marked last, or no object followed
	}
	start, end, ok := l.k.AllocationAt(a)
	if !ok {
		return
	}
	if n := &l.newest; n.ok && n.a == start {
		n.obj.read = true
	} else if obj, ok := l.live[start]; ok {
		obj.read = true
		l.live[start] = obj
	} else {
		return
	}
	l.readLo, l.readHi = start, end
}

// liveCount returns how many objects the log follows.
func (l *callLog) liveCount() int {
	n := len(l.live)
	if l.newest.ok {
		n++
	}
	return n
}

// takeLive returns the followed object at a, and forgets it.
func (l *callLog) takeLive(a kernelsim.Addr) (liveObject, bool) {
	if n := &l.newest; n.ok && n.a == a {
		n.ok = false
		return n.obj, true
	}
	obj, ok := l.live[a]
	if ok {
		delete(l.live, a)
	}
	return obj, ok
}

// release notes that the object at a was freed by fn in the current step
// (with order order for a page free, from cache for kmem_cache_free):
// its allocation's count moves to a record saying so. It reports whether
// a was a followed object.
func (l *callLog) release(a kernelsim.Addr, fn *string, order uint64, cache *kernelsim.KmemCache, pages bool) bool {
	obj, ok := l.takeLive(a)
	if !ok {
		return false
	}
	l.readLo, l.readHi = 0, 0
	k := l.keys[obj.rec]
	size := k.size
	switch {
	case obj.cache != nil:
		size = obj.cache.ObjectSize()
	case pages && k.folded:
		size = kernelsim.PageSize
	case pages:
		size = kernelsim.PageSize << min(k.size, kernelsim.MaxOrder-1) // k.size is the order
	}
	k.written, k.held = l.wrote(a, size)
	k.read = obj.read
	if k.folded {
		k.held = ""
	}
	l.counts[obj.rec]--
	if l.watch != nil {
		l.watchFree(a)
	}
	k.freed, k.freedStep, k.freedBy = true, l.step, fn
	k.freeMatch = (cache == nil || obj.cache == cache) && (!pages || k.folded || k.size == order)
	l.add(k)
	return true
}

// maxWrittenPeek is how much of an object release reads to learn whether
// the module wrote into it.
const maxWrittenPeek = 4096

// maxHeld is how much of the C string at a freed object's start the log
// keeps (calls: holds:): a line a lesson prints from the buffer.
const maxHeld = 128

// wrote reports whether the first bytes of the object at a (at most
// maxWrittenPeek of its size) hold one that is not zero: kmalloc,
// kmem_cache, vmalloc and page allocator memory comes back zeroed
// (init_on_alloc=1), so such a byte is one the module wrote. It also
// returns the C string the object starts with (at most maxHeld bytes, cut
// at the object's end): what %s of it prints.
func (l *callLog) wrote(a kernelsim.Addr, size uint64) (bool, string) {
	if l.k == nil || size == 0 {
		return false, ""
	}
	if l.k.PeekZeroFill(a, min(size, maxWrittenPeek)) {
		return false, "" // what Peek would read: zeros, and so an empty string
	}
	if l.peek == nil {
		l.peek = make([]byte, maxWrittenPeek)
	}
	buf := l.peek[:min(size, maxWrittenPeek)]
	if !l.k.Peek(a, buf) {
		return false, ""
	}
	s := buf[:min(len(buf), maxHeld)]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return !bytes.Equal(buf, zeroPeek[:len(buf)]), string(s)
}

// zeroPeek is what wrote compares a freed object's bytes with.
var zeroPeek [maxWrittenPeek]byte

// key builds the key of a call made now through c.
func (c call) key(gfp kernelsim.GFP, size uint64, failed bool) callKey {
	e := c.e
	var mod *script
	if e.mod != nil {
		mod = e.mod.s
	}
	return callKey{fn: c.api, gfp: gfp, ctx: e.contextName(), mod: mod, pos: e.callerPos(),
		size: size, step: e.calls.step, failed: failed}
}

// record notes one kernel API call in the machine's record (Machine.Calls):
// the expectations of graded exercises check it.
func (c call) record(gfp kernelsim.GFP, size uint64, failed bool) {
	c.e.calls.add(c.key(gfp, size, failed))
}

// recordAlloc notes an allocation that returned a (0 when it failed),
// and follows the object until it is freed. kmalloc(0)'s ZERO_SIZE_PTR is
// no object: that call did nothing.
func (c call) recordAlloc(gfp kernelsim.GFP, size uint64, a kernelsim.Addr, cache *kernelsim.KmemCache) {
	k := c.key(gfp, size, a == 0)
	k.noop = a == kernelsim.ZeroSizePtr
	k.object = a != 0 && !k.noop
	rec := c.e.calls.add(k)
	if a != 0 && !k.noop {
		c.e.calls.track(a, rec, cache)
		if h := &c.e.calls.held; a != h.lastObj {
			h.holdObject(a)
		}
	}
	if c.e.calls.watch != nil && !k.noop {
		c.e.calls.watchAlloc(a, k.pos)
	}
}

// recordFree notes a free of the object at a (order: the order argument
// of a page free). Freeing NULL or ZERO_SIZE_PTR does nothing and counts
// as such.
func (c call) recordFree(a kernelsim.Addr, order uint64, cache *kernelsim.KmemCache, pages bool) {
	k := c.key(0, order, false)
	k.noop = a == 0 || a == kernelsim.ZeroSizePtr
	c.e.calls.add(k)
	if !k.noop {
		c.e.calls.release(a, c.api, order, cache, pages)
	}
}

// recordCopy notes a user copy of n bytes of which left were not copied:
// one that copied nothing did nothing.
func (c call) recordCopy(n, left uint64) {
	k := c.key(0, n, left != 0)
	k.noop = left >= n
	c.e.calls.add(k)
}

// execContext is the execution context a call was made in.
type execContext uint8

const (
	ctxProcess execContext = iota
	ctxSoftirq
	ctxHardirq
	ctxAtomic // process context with preemption disabled (a spinlock held)
)

// String names the context as Call.Context does.
func (c execContext) String() string {
	return [...]string{"process", "softirq", "hardirq", "atomic"}[c]
}

// contextName returns the execution context the kernel is in.
func (e *env) contextName() execContext {
	switch e.k.ContextKind() {
	case kernelsim.ContextSoftirq:
		return ctxSoftirq
	case kernelsim.ContextHardirq:
		return ctxHardirq
	case kernelsim.ContextAtomic:
		return ctxAtomic
	}
	return ctxProcess
}

// export converts a record for Machine.Calls.
func (k callKey) export(count int64, intoNames []string) Call {
	pos := ""
	if k.pos != nil {
		pos = fmt.Sprintf("%s:%d:%d", k.pos.File, k.pos.Line, k.pos.Col)
	}
	mod := ""
	if k.mod != nil {
		mod = k.mod.name
	}
	c := Call{Fn: *k.fn, GFP: k.gfp, Size: k.size, Context: k.ctx.String(), Module: mod, Pos: pos, Failed: k.failed,
		Count: int(count), Step: int(k.step), Noop: k.noop, Folded: k.folded, Object: k.object,
		Freed: k.freed, FreedStep: int(k.freedStep), FreeMatch: k.freeMatch, Written: k.written, Read: k.read, Held: k.held}
	if k.into > 0 {
		c.Into = intoNames[k.into-1]
	}
	if k.freedBy != nil {
		c.FreedBy = *k.freedBy
	}
	return c
}

// recordRealloc notes krealloc(old, size) that returned a: a new object
// frees the old one (krealloc being its free), one resized in place stays
// the object it was, and size 0 frees old and returns ZERO_SIZE_PTR.
func (c call) recordRealloc(gfp kernelsim.GFP, size uint64, old, a kernelsim.Addr) {
	k := c.key(gfp, size, a == 0 && size != 0)
	k.noop = size == 0 && (old == 0 || old == kernelsim.ZeroSizePtr)
	k.object = a != 0 && a != old && a != kernelsim.ZeroSizePtr
	rec := c.e.calls.add(k)
	if a == old || a == 0 && size != 0 {
		return
	}
	if old != 0 && old != kernelsim.ZeroSizePtr {
		c.e.calls.release(old, c.api, 0, nil, false)
	}
	if a != kernelsim.ZeroSizePtr {
		c.e.calls.track(a, rec, nil)
		c.e.calls.held.holdObject(a)
	}
	if c.e.calls.watch != nil {
		c.e.calls.watchAlloc(a, k.pos)
	}
}

// recordWrite notes a memory or string helper (memset, memcpy, strscpy,
// snprintf…) called by kernel code with count n (the count argument, or
// the bytes strcpy and sprintf write): one of count 0 did nothing. It is
// called once the helper is done; wrote says it wrote at dst, whose first
// bytes (at most n and maxHeld) the record keeps, read back from the
// kernel's memory (calls: has:), so a copy of a buffer onto itself is
// told from one that copied the text, and the static_buffer global dst
// lies in (calls: into:), so a copy into another buffer is told from the
// fix of the one the lesson is about. Calls from user programs are not
// the kernel's and are not recorded.
func (c call) recordWrite(n uint64, dst kernelsim.Addr, wrote bool) {
	if c.e.where == whereUser {
		return
	}
	k := c.key(0, n, false)
	k.noop = n == 0
	if l := &c.e.calls; wrote && n > 0 && l.k != nil {
		if l.peek == nil {
			l.peek = make([]byte, maxWrittenPeek)
		}
		buf := l.peek[:min(n, maxHeld)]
		if l.k.Peek(dst, buf) {
			k.held = unsafe.String(unsafe.SliceData(buf), len(buf))
		}
	}
	if n > 0 && c.e.mod != nil {
		k.into = c.e.calls.intoIndex(c.e.mod.staticAt(dst))
	}
	c.e.calls.add(k)
}

// intoIndex returns name's callKey.into: 0 for "" (or past 65,535 names,
// more globals than a script can bind), else 1 + its index in intoNames.
func (l *callLog) intoIndex(name string) uint16 {
	if name == "" {
		return 0
	}
	for i, n := range l.intoNames {
		if n == name {
			return uint16(i + 1)
		}
	}
	if len(l.intoNames) == 1<<16-1 {
		return 0
	}
	l.intoNames = append(l.intoNames, name)
	return uint16(len(l.intoNames))
}
