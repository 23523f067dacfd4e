// Package kclone boots a simulated kernel once and hands out copies of it,
// so that grading hundreds of submissions does not boot hundreds of
// kernels: booting a 512 MiB kernelsim machine (zones, the boot-time
// allocations, the kmalloc caches) costs several milliseconds, copying the
// booted state a small fraction of that.
//
// The copy is a generic deep copy of the kernel's object graph, planned
// once with reflection so that kernelsim needs no code of its own for it.
// Take walks every object reachable from the *Kernel and lays the objects
// out as an image: one array (an arena) per element type, holding every
// object of that type, and a relocation table of the pointers between
// them. Clone then copies each arena in one go and rewrites the pointers
// from the table, so a pointer into the middle of an object (a *Zone into
// the zone array, the *Task of the idle task inside the Kernel struct, a
// sub-slice of a list) points into the copy at the same offset. Maps and
// interface values are rebuilt through reflection.
//
// Strings are shared, being immutable; so are function values, which
// cannot be copied. That is safe for a plain function (a top-level
// function or a method expression such as (*Kernel).memoryOpen), which
// acts on what it is given; it is not for a closure or a method value
// (k.userAddrPresent), which holds what it captured: in a copy it would go
// on acting on the template kernel. So a copy equals a fresh boot by
// construction: Take refuses a booted state that holds a closure or a
// method value, as it refuses channels and unsafe pointers, which cannot
// be copied at all, and the caller boots fresh kernels instead (slower,
// never wrong). The tests make sure the default kernels stay copyable, and
// compare copies with fresh boots lesson by lesson, byte for byte.
package kclone

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"kscript.dev/kscript/kernelsim"
)

// Snapshot is a booted kernel and its image. The kernel is never run
// itself; Clone may be called from several goroutines at once.
type Snapshot struct {
	cfg    kernelsim.Config
	root   *kernelsim.Kernel
	blocks []block // every object of the graph, sorted by address
	arenas []arena
	relocs []reloc // pointers to rewrite, while planning
	// runs are relocs grouped by the arenas of slot and target, for
	// Clone's tightest loop.
	runs   []relocRun
	slow   []slowFix // maps and interfaces, rebuilt by reflection
	rootAt place
	hasPtr map[reflect.Type]bool // read-only once Take returns
	// layouts and last serve planning only (see slots and pointer).
	layouts map[reflect.Type][]slot
	last    int
	// Funcs counts the function values in the booted state, all plain
	// functions, shared by every copy (see the package comment).
	Funcs int

	// lanes is the snapshot's image in a file of the process's own, for
	// its lanes (see Lane); nil where that cannot be. laneCopies counts
	// the copies its lanes made.
	lanes      *Image
	lanesOnce  sync.Once
	laneCopies atomic.Int64
}

// laneImageAfter is how many copies the lanes of a snapshot make before
// they copy its image instead (see Lane): making the image file costs
// about as much as ten copies save.
const laneImageAfter = 12

// block is one object of the template's graph: n values of type elem at
// addr (n > 1 for a slice's backing array), laid out in the image at
// place.
type block struct {
	ptr        unsafe.Pointer
	addr, size uintptr
	elem       reflect.Type
	n          int
	at         place
}

// place is a position in the image: an arena and a byte offset in it.
type place struct {
	arena int
	off   uintptr
}

// arena holds every object of one element type, back to back.
type arena struct {
	elem  reflect.Type
	n     int           // elements
	image reflect.Value // []elem: the template's objects, pointers not yet rewritten
}

// reloc is a pointer slot of the image and where it must point.
type reloc struct {
	slot, target place
}

// relocRun is the pointers to rewrite from one arena into another: at
// each slot offset of arena from, the address of target offset in arena to.
type relocRun struct {
	from, to int
	offs     []relocOff
}

type relocOff struct{ slot, target uintptr }

// slowFix is a map or interface slot, copied through reflection.
type slowFix struct {
	slot place
	typ  reflect.Type
	src  reflect.Value // the template's value
}

// Take boots a kernel with cfg and plans its copies.
func Take(cfg kernelsim.Config) (*Snapshot, error) {
	k, err := kernelsim.New(cfg)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{cfg: cfg, root: k, hasPtr: map[reflect.Type]bool{}, layouts: map[reflect.Type][]slot{}}
	if err := s.plan(); err != nil {
		return nil, err
	}
	s.groupRelocs()
	s.layouts = nil
	return s, nil
}

// Config returns the configuration the snapshot was booted with.
func (s *Snapshot) Config() kernelsim.Config { return s.cfg }

// NewKernel returns a copy of the snapshot for cfg, or boots a fresh
// kernel when cfg is not the snapshot's: the signature of
// runtime.Options.NewKernel.
func (s *Snapshot) NewKernel(cfg kernelsim.Config) (*kernelsim.Kernel, error) {
	if cfg != s.cfg {
		return kernelsim.New(cfg)
	}
	return s.Clone()
}

// Clone returns a copy of the booted kernel, independent of the snapshot
// and of every other copy.
func (s *Snapshot) Clone() (k *kernelsim.Kernel, err error) {
	k, _, err = s.clone(nil)
	return k, err
}

// A Lane hands out copies of a snapshot one at a time, each in the memory
// of the copy before it: a grading worker that runs one machine after
// another skips allocating and zeroing the arenas (3 MiB for the default
// machine) and the page faults of fresh memory. The kernel a lane returned
// last is overwritten by its next NewKernel, so nothing of it may be in
// use by then: no goroutine running on it, no slice or pointer into it
// kept (what is kept of a run must have been copied out, as text).
type Lane struct {
	s      *Snapshot
	arenas []reflect.Value
	im     *ImageLane // the copies come from s's image (see Lane), nil: not
}

// Lane returns a new lane of s. A lane is for one goroutine at a time.
//
// Once the lanes of s have made laneImageAfter copies, where it can
// (Linux), a lane copies the snapshot's image instead, which is written
// once to an unlinked temporary file and read as a boot cache's image is
// read (imageFile): its arenas of plain data, most of the kernel's bytes
// (mem_map, the slab table), are then mapped copy-on-write from the file
// and reset page by page from pagemap, instead of copied whole into the
// lane's memory for every copy.
func (s *Snapshot) Lane() *Lane { return &Lane{s: s} }

// NewKernel is Snapshot.NewKernel for a lane: a copy in the memory of the
// lane's previous copy, or a fresh boot when cfg is not the snapshot's.
func (l *Lane) NewKernel(cfg kernelsim.Config) (*kernelsim.Kernel, error) {
	if cfg != l.s.cfg {
		return kernelsim.New(cfg)
	}
	if l.im == nil && l.s.laneCopies.Add(1) > laneImageAfter {
		s := l.s
		s.lanesOnce.Do(func() { s.lanes = imageFile(s) })
		if s.lanes != nil {
			l.im, l.arenas = s.lanes.Lane(), nil
		}
	}
	if l.im != nil {
		return l.im.NewKernel(cfg)
	}
	k, arenas, err := l.s.clone(l.arenas)
	l.arenas = arenas
	return k, err
}

// clone copies the snapshot into arenas, the arenas of an earlier copy
// that is no longer in use, or into new ones when arenas is nil. It
// returns the copy and the arenas it is in (nil on an error).
func (s *Snapshot) clone(arenas []reflect.Value) (k *kernelsim.Kernel, _ []reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			k, arenas, err = nil, nil, fmt.Errorf("kclone: %v", r)
		}
	}()
	c := &cloner{s: s, base: make([]unsafe.Pointer, len(s.arenas)), more: map[reflect.Type]bool{}}
	if arenas == nil {
		arenas = make([]reflect.Value, len(s.arenas))
		for i, a := range s.arenas {
			arenas[i] = reflect.MakeSlice(a.image.Type(), a.n, a.n)
		}
	}
	for i, a := range s.arenas {
		reflect.Copy(arenas[i], a.image) // every byte of the arena
		c.base[i] = arenas[i].UnsafePointer()
	}
	for _, run := range s.runs {
		from, to := c.base[run.from], c.base[run.to]
		for _, o := range run.offs {
			*(*unsafe.Pointer)(unsafe.Add(from, o.slot)) = unsafe.Add(to, o.target)
		}
	}
	for _, f := range s.slow {
		c.copy(reflect.NewAt(f.typ, c.at(f.slot)).Elem(), f.src)
	}
	return (*kernelsim.Kernel)(c.at(s.rootAt)), arenas, nil
}

// ---- planning ----

// region is an object seen through a pointer or a slice: n values of type
// elem at ptr.
type region struct {
	ptr  unsafe.Pointer
	size uintptr
	elem reflect.Type
	n    int
}

type planner struct {
	s       *Snapshot
	regions []region
	seen    map[region]bool
}

// slot is a place in a value where it refers to other memory: a pointer,
// a slice, a map, an interface, a function, or an array too long to list
// element by element.
type slot struct {
	off  uintptr
	kind reflect.Kind
	typ  reflect.Type // the slot's own type
	elem reflect.Type // a pointer's, slice's or array's element type
	n    int          // an array's length
}

// maxFlatArray is the longest array whose elements' slots are listed one
// by one in the slots of the value holding it.
const maxFlatArray = 16

// slots returns where values of type t refer to other memory, nested
// structs and short arrays flattened, with offsets from the value's
// start. Planning reads values through these lists instead of walking
// them with reflection field by field: the booted kernel holds arrays of
// a hundred thousand pointers.
func (s *Snapshot) slots(t reflect.Type) []slot {
	if l, ok := s.layouts[t]; ok {
		return l
	}
	var l []slot
	if s.pointers(t) {
		l = s.appendSlots(nil, t, 0)
	}
	s.layouts[t] = l
	return l
}

func (s *Snapshot) appendSlots(l []slot, t reflect.Type, off uintptr) []slot {
	if !s.pointers(t) {
		return l
	}
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			l = s.appendSlots(l, f.Type, off+f.Offset)
		}
	case reflect.Array:
		if t.Len() <= maxFlatArray {
			for i := range uintptr(t.Len()) {
				l = s.appendSlots(l, t.Elem(), off+i*t.Elem().Size())
			}
			break
		}
		l = append(l, slot{off: off, kind: reflect.Array, typ: t, elem: t.Elem(), n: t.Len()})
	case reflect.Pointer, reflect.Slice:
		l = append(l, slot{off: off, kind: t.Kind(), typ: t, elem: t.Elem()})
	default: // a map, an interface, a function, a channel, an unsafe.Pointer
		l = append(l, slot{off: off, kind: t.Kind(), typ: t})
	}
	return l
}

func (s *Snapshot) plan() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("kclone: %v", r)
		}
	}()
	// Sized for the default machine's graph (13k objects), so that
	// planning does not spend its time growing them.
	p := &planner{s: s, seen: make(map[region]bool, 1<<14), regions: make([]region, 0, 1<<14)}
	rt := reflect.TypeOf(s.root).Elem()
	root := unsafe.Pointer(s.root)
	p.add(region{root, rt.Size(), rt, 1})
	p.visitAt(root, rt)
	if err := s.merge(p.regions); err != nil {
		return err
	}
	i := s.find(uintptr(root))
	if i < 0 || s.blocks[i].addr != uintptr(root) {
		return errors.New("kclone: the kernel is inside another object")
	}
	s.layout()
	s.rootAt = s.blocks[i].at
	s.relocs = make([]reloc, 0, 3*len(s.blocks))
	for _, b := range s.blocks {
		if !s.pointers(b.elem) {
			continue
		}
		es := b.elem.Size()
		for j := range uintptr(b.n) {
			s.relocate(b.elem, unsafe.Add(b.ptr, j*es), place{b.at.arena, b.at.off + j*es})
		}
	}
	return nil
}

// groupRelocs turns the planned relocs into runs, one per pair of
// arenas, each in the order of its slots.
func (s *Snapshot) groupRelocs() {
	slices.SortFunc(s.relocs, func(a, b reloc) int {
		return cmp.Or(cmp.Compare(a.slot.arena, b.slot.arena), cmp.Compare(a.target.arena, b.target.arena),
			cmp.Compare(a.slot.off, b.slot.off))
	})
	offs := make([]relocOff, len(s.relocs))
	for i, r := range s.relocs {
		offs[i] = relocOff{r.slot.off, r.target.off}
		if n := len(s.runs); n == 0 || s.runs[n-1].from != r.slot.arena || s.runs[n-1].to != r.target.arena {
			s.runs = append(s.runs, relocRun{from: r.slot.arena, to: r.target.arena, offs: offs[i:i]})
		}
		run := &s.runs[len(s.runs)-1]
		run.offs = run.offs[:len(run.offs)+1]
	}
	s.relocs = nil
}

// visitAt records the objects that the value of type t at ptr refers to,
// and theirs.
func (p *planner) visitAt(ptr unsafe.Pointer, t reflect.Type) {
	for _, sl := range p.s.slots(t) {
		at := unsafe.Add(ptr, sl.off)
		switch sl.kind {
		case reflect.Pointer:
			target := *(*unsafe.Pointer)(at)
			if target == nil || sl.elem.Size() == 0 {
				continue
			}
			if p.add(region{target, sl.elem.Size(), sl.elem, 1}) {
				p.visitAt(target, sl.elem)
			}
		case reflect.Slice:
			h := (*sliceHeader)(at)
			es := sl.elem.Size()
			if h.data == nil || h.cap == 0 || es == 0 {
				continue
			}
			if p.add(region{h.data, uintptr(h.cap) * es, sl.elem, h.cap}) && p.s.pointers(sl.elem) {
				for i := range uintptr(h.cap) {
					p.visitAt(unsafe.Add(h.data, i*es), sl.elem)
				}
			}
		case reflect.Array:
			es := sl.elem.Size()
			for i := range uintptr(sl.n) {
				p.visitAt(unsafe.Add(at, i*es), sl.elem)
			}
		default:
			p.visit(reflect.NewAt(sl.typ, at).Elem())
		}
	}
}

// visit records the objects v refers to, and theirs: the reflective path,
// for what maps and interfaces hold.
func (p *planner) visit(v reflect.Value) {
	t := v.Type()
	if !p.s.pointers(t) {
		return
	}
	switch t.Kind() {
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			p.visit(it.Key())
			p.visit(it.Value())
		}
	case reflect.Interface:
		if !v.IsNil() {
			p.visit(v.Elem())
		}
	case reflect.Func:
		if !v.IsNil() {
			if err := plainFunc(v); err != nil {
				panic(err.Error())
			}
			p.s.Funcs++
		}
	case reflect.Chan, reflect.UnsafePointer:
		if !v.IsNil() {
			panic("cannot copy a " + t.String())
		}
	default:
		// A pointer, a slice, a struct or an array: read it in place,
		// from a copy when v is not addressable (a map's key or value,
		// an interface's dynamic value). The copy is shallow, so what it
		// refers to is the template's own memory.
		if !v.CanAddr() {
			c := reflect.New(t).Elem()
			c.Set(v)
			v = c
		}
		p.visitAt(v.Addr().UnsafePointer(), t)
	}
}

// bound matches the names the Go toolchain gives to closures
// ("pkg.(*T).M.func1", "pkg.F.func2.1", "pkg.glob..func1") and to method
// values ("pkg.(*T).M-fm").
// Compiled on first use: a process that copies an image never needs it.
var bound = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\.func\d+(\.\d+)*$|-fm$`) })

// plainFunc returns an error unless the function value f (not nil) is a
// plain function, one that holds no captured state: a closure or a method
// value copied into a new kernel would still act on what it captured.
func plainFunc(f reflect.Value) error {
	fn := runtime.FuncForPC(f.Pointer())
	if fn == nil {
		return fmt.Errorf("cannot copy a %s of unknown origin", f.Type())
	}
	name := fn.Name()
	switch {
	case strings.HasSuffix(name, "-fm"):
		return fmt.Errorf("cannot copy the method value %s: it is bound to the kernel it was taken from", strings.TrimSuffix(name, "-fm"))
	case bound().MatchString(name):
		return fmt.Errorf("cannot copy the closure %s: it may hold the kernel it was made in", name)
	}
	return nil
}

// add records a region; it reports whether it is new.
func (p *planner) add(r region) bool {
	if p.seen[r] {
		return false
	}
	p.seen[r] = true
	p.regions = append(p.regions, r)
	return true
}

// merge turns regions into blocks: a region inside another (a field, an
// element, a sub-slice) belongs to the enclosing one.
func (s *Snapshot) merge(rs []region) error {
	slices.SortFunc(rs, func(a, b region) int {
		if a, b := uintptr(a.ptr), uintptr(b.ptr); a != b {
			return cmp.Compare(a, b)
		}
		return cmp.Compare(b.size, a.size)
	})
	s.blocks = make([]block, 0, len(rs))
	for _, r := range rs {
		addr := uintptr(r.ptr)
		if n := len(s.blocks); n > 0 {
			last := s.blocks[n-1]
			if addr < last.addr+last.size {
				if addr+r.size > last.addr+last.size {
					return fmt.Errorf("kclone: %s and %s overlap without one containing the other", last.elem, r.elem)
				}
				continue
			}
		}
		s.blocks = append(s.blocks, block{ptr: r.ptr, addr: addr, size: r.size, elem: r.elem, n: r.n})
	}
	return nil
}

// layout places every block in the arena of its element type and fills
// the arenas' images with the template's bytes.
func (s *Snapshot) layout() {
	index := map[reflect.Type]int{}
	for i := range s.blocks {
		b := &s.blocks[i]
		j, ok := index[b.elem]
		if !ok {
			j = len(s.arenas)
			index[b.elem] = j
			s.arenas = append(s.arenas, arena{elem: b.elem})
		}
		b.at = place{j, uintptr(s.arenas[j].n) * b.elem.Size()}
		s.arenas[j].n += b.n
	}
	for j := range s.arenas {
		a := &s.arenas[j]
		a.image = reflect.MakeSlice(reflect.SliceOf(a.elem), a.n, a.n)
	}
	for _, b := range s.blocks {
		a := s.arenas[b.at.arena]
		start := int(b.at.off / a.elem.Size())
		reflect.Copy(a.image.Slice(start, start+b.n), reflect.SliceAt(b.elem, b.ptr, b.n))
	}
}

// relocate records the pointer slots of a value of type t at ptr in the
// template, laid out at p in the image.
func (s *Snapshot) relocate(t reflect.Type, ptr unsafe.Pointer, p place) {
	for _, sl := range s.slots(t) {
		at, to := unsafe.Add(ptr, sl.off), place{p.arena, p.off + sl.off}
		switch sl.kind {
		case reflect.Pointer:
			s.pointer(uintptr(*(*unsafe.Pointer)(at)), sl.elem.Size(), to)
		case reflect.Slice:
			if h := (*sliceHeader)(at); h.cap > 0 {
				s.pointer(uintptr(h.data), sl.elem.Size(), to)
			}
		case reflect.Map, reflect.Interface:
			if v := reflect.NewAt(sl.typ, at).Elem(); !v.IsNil() {
				s.slow = append(s.slow, slowFix{slot: to, typ: sl.typ, src: v})
			}
		case reflect.Array:
			es := sl.elem.Size()
			for i := range uintptr(sl.n) {
				s.relocate(sl.elem, unsafe.Add(at, i*es), place{to.arena, to.off + i*es})
			}
		}
	}
}

// sliceHeader is the layout of a slice value.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// pointer records a pointer slot holding ptr (to an object of size
// elemSize).
func (s *Snapshot) pointer(ptr, elemSize uintptr, slot place) {
	if ptr == 0 || elemSize == 0 {
		return
	}
	i := s.last
	if b := s.blocks[i]; ptr < b.addr || ptr >= b.addr+b.size {
		// Pointers held side by side mostly point into one object.
		if i = s.find(ptr); i < 0 {
			panic(fmt.Sprintf("pointer %#x outside the kernel's graph", ptr))
		}
		s.last = i
	}
	b := s.blocks[i]
	s.relocs = append(s.relocs, reloc{slot: slot, target: place{b.at.arena, b.at.off + ptr - b.addr}})
}

// find returns the block containing addr, or -1.
func (s *Snapshot) find(addr uintptr) int {
	i := sort.Search(len(s.blocks), func(i int) bool { return s.blocks[i].addr+s.blocks[i].size > addr })
	if i == len(s.blocks) || s.blocks[i].addr > addr {
		return -1
	}
	return i
}

// pointers reports whether values of t hold pointers that copying must
// follow (strings are shared, so they do not count). It fills the
// snapshot's cache while planning.
func (s *Snapshot) pointers(t reflect.Type) bool { return hasPointers(s.hasPtr, t) }

func hasPointers(cache map[reflect.Type]bool, t reflect.Type) bool {
	if v, ok := cache[t]; ok {
		return v
	}
	v := false
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		v = true
	case reflect.Array:
		v = t.Len() > 0 && hasPointers(cache, t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			v = v || hasPointers(cache, t.Field(i).Type)
		}
	}
	cache[t] = v
	return v
}

// ---- the reflective copy of maps and interfaces ----

type cloner struct {
	s    *Snapshot
	base []unsafe.Pointer // each arena's copy
	more map[reflect.Type]bool
}

// at returns the address of a place in the copy.
func (c *cloner) at(p place) unsafe.Pointer { return unsafe.Add(c.base[p.arena], p.off) }

// pointers is Snapshot.pointers for a copy: copies run concurrently and
// must not write the snapshot's cache.
func (c *cloner) pointers(t reflect.Type) bool {
	if v, ok := c.s.hasPtr[t]; ok {
		return v
	}
	return hasPointers(c.more, t)
}

// copy copies src into dst (both of one type; dst settable), pointers
// rewritten to point into the copy.
func (c *cloner) copy(dst, src reflect.Value) {
	t := src.Type()
	if !c.pointers(t) {
		dst.Set(src)
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if !src.IsNil() {
			if t.Elem().Size() == 0 {
				dst.Set(src)
				return
			}
			dst.Set(reflect.NewAt(t.Elem(), c.translate(src.Pointer())))
		}
	case reflect.Slice:
		c.copySlice(dst, src)
	case reflect.Map:
		if !src.IsNil() {
			m := reflect.MakeMapWithSize(t, src.Len())
			for it := src.MapRange(); it.Next(); {
				m.SetMapIndex(c.fresh(it.Key()), c.fresh(it.Value()))
			}
			dst.Set(m)
		}
	case reflect.Interface:
		if !src.IsNil() {
			dst.Set(c.fresh(src.Elem()))
		}
	case reflect.Struct:
		src = addressable(src)
		for i := range t.NumField() {
			c.copy(field(dst, i), field(src, i))
		}
	case reflect.Array:
		for i := range src.Len() {
			c.copy(dst.Index(i), src.Index(i))
		}
	case reflect.Func:
		dst.Set(src)
	default:
		panic("cannot copy a " + t.String())
	}
}

// copySlice points dst at the copy of src's backing array.
func (c *cloner) copySlice(dst, src reflect.Value) {
	t := src.Type()
	switch {
	case src.IsNil():
		return
	case src.Cap() == 0 || t.Elem().Size() == 0:
		dst.Set(reflect.MakeSlice(t, src.Len(), src.Cap()))
		return
	}
	arr := reflect.NewAt(reflect.ArrayOf(src.Cap(), t.Elem()), c.translate(src.Pointer())).Elem()
	dst.Set(arr.Slice3(0, src.Len(), src.Cap()).Convert(t))
}

// fresh returns a copy of a value held outside any block (a map's key or
// value, an interface's dynamic value).
func (c *cloner) fresh(src reflect.Value) reflect.Value {
	v := reflect.New(src.Type()).Elem()
	c.copy(v, src)
	return v
}

// translate maps a pointer into the template to the same place in the copy.
func (c *cloner) translate(addr uintptr) unsafe.Pointer {
	i := c.s.find(addr)
	if i < 0 {
		panic(fmt.Sprintf("pointer %#x outside the kernel's graph", addr))
	}
	b := c.s.blocks[i]
	return c.at(place{b.at.arena, b.at.off + addr - b.addr})
}

// field returns field i of the addressable struct v, settable even when
// unexported.
func field(v reflect.Value, i int) reflect.Value {
	f := v.Field(i)
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

// addressable returns v, or an addressable copy of it.
func addressable(v reflect.Value) reflect.Value {
	if v.CanAddr() {
		return v
	}
	tmp := reflect.New(v.Type()).Elem()
	tmp.Set(v)
	return tmp
}
