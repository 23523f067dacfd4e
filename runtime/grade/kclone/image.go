package kclone

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"kscript.dev/kscript/kernelsim"
)

// An Image is a booted kernel laid out for copying without the kernel it
// was taken from, so that it can be written to a file and copied in
// another process of the same kscript binary: the arenas of a Snapshot
// with every reference word (pointer, slice data, string, map, interface,
// function) zeroed, and the references to set in each copy, by arena and
// offset: the Snapshot's pointer runs, the strings' contents, the
// functions' code addresses, maps and interfaces encoded. A copy of an
// image is what a Snapshot's copy is (the tests compare both with fresh
// boots, lesson by lesson): the same bytes, the same references.
//
// A process that restores an image boots no kernel: copying one costs a
// small fraction of a boot, and planning it (Take) is paid once, by the
// process that wrote the file (see Cache).
type Image struct {
	cfg    kernelsim.Config
	arenas []imageArena
	runs   []imageRun
	strs   []uint64 // the strings, two words each (see stringFix)
	blob   string   // the strings' contents, back to back
	funcs  []funcFix
	nonNil []place // non-nil references to nothing (a zero-size object, an empty slice)
	slow   []imageSlow
	types  []reflect.Type // of slow values and interfaces' dynamic values
	root   place

	typedOnce sync.Once
	typed     []reflect.Value // the arenas as typed slices, for lanes

	// file is the image file, mapped at data (see Cache), when the
	// image was read from one: the arenas of plain data are mapped
	// copy-on-write from it instead of copied.
	file         *os.File
	data         []byte
	mappedCopies atomic.Int64
	// mapOff and mapLen are where the mapped arenas are in the file,
	// mapped at once for a copy.
	mapOff, mapLen int
	// hot lists the pages of the mapped arenas that a module's load and
	// unload writes (see Cache.Warm): a copy makes its own of them when
	// it maps the file, before anything reads them (populateHot).
	hot []hotPage
}

// A hotPage is a page of a mapped arena: the arena's index and the page's
// number in it, in hotPageSize units from the arena's start (mapped arenas
// start at multiples of mapAlign in the file).
type hotPage struct{ arena, page uint32 }

// hotPageSize is the unit of hotPage.page: the smallest page size, which
// populateHot needs to be the system's (it does nothing otherwise).
const hotPageSize = 4 << 10

// maxHot bounds an image's hot pages (a megabyte of them): a warm-up that
// writes more than that writes what no run would.
const maxHot = 256

// maxMappedCopies is how many copies of an image a process makes with
// arenas mapped from its file (see restore).
const maxMappedCopies = 64

type imageArena struct {
	elem  reflect.Type
	slice reflect.Type // []elem when the file names it, else nil (see slices)
	n     int
	raw   []byte // n*elem.Size() bytes, reference words zero; nil when zero
	refs  bool   // elem holds reference words (hasRefs)
	plain bool   // see mapped
	zero  bool   // every byte zero (an array of pointers): nothing to copy
}

// newImageArena returns the arena of n values of type elem, raw not yet
// set.
func newImageArena(elem reflect.Type, n int) imageArena {
	refs := hasRefs(elem)
	return imageArena{elem: elem, n: n, refs: refs, plain: uintptr(n)*elem.Size() >= mapMin && !refs}
}

// size is the arena's size in bytes.
func (a *imageArena) size() uintptr { return uintptr(a.n) * a.elem.Size() }

// slices returns a new slice of the arena's n values, zero. The slice
// type comes from the file's type table when the kernel has slices of
// the element type: reflect.SliceOf searches every type of the binary by
// name the first time it meets an element type (a few thousand
// instructions each, some thirty arenas).
func (a *imageArena) slices() reflect.Value {
	t := a.slice
	if t == nil {
		t = reflect.SliceOf(a.elem)
	}
	return reflect.MakeSlice(t, a.n, a.n)
}

// sliceAt returns the arena's values at p as a slice.
func (a *imageArena) sliceAt(p unsafe.Pointer) reflect.Value {
	if a.slice == nil {
		return reflect.SliceAt(a.elem, p, a.n)
	}
	return reflect.NewAt(a.slice, unsafe.Pointer(&sliceHeader{p, a.n, a.n})).Elem()
}

// mapped reports whether a copy's arena may be the image file's own
// pages, mapped copy-on-write (see Image.restore): an arena of plain
// data (no reference words, so the collector never needs to see it) of a
// few pages at least, which the file holds page-aligned after the others.
func (a *imageArena) mapped() bool { return a.plain }

// hasRefs reports whether values of type t hold reference words (the
// ones refSlots lists), without listing them.
func hasRefs(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.String, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return t.Len() > 0 && hasRefs(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasRefs(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// mapMin is the smallest arena mapped from the file; the file aligns those
// to mapAlign, a multiple of every page size kscript runs on. 32 KiB (it
// was 64 until format 7) maps the slab caches' in-use bits (their
// usedPool words, one arena of some 45 KiB on the default machine): a run
// copy-on-writes the three or four pages of them its allocations set
// (hot pages) instead of faulting in and filling eleven pages of heap,
// and a grading lane resets the pages a submission wrote instead of
// copying the whole arena back.
const (
	mapMin   = 32 << 10
	mapAlign = 64 << 10
)

// imageRun is a relocRun stored as uint64s: offs holds single pointers,
// the slot's offset in the low 32 bits and the target's in the high ones;
// seqs holds sequences of pointers, three words each: the first pointer
// as in offs, their number, and the strides of the slots (low 32 bits)
// and of the targets (high 32 bits, signed) from one pointer to the next.
// Most of the kernel's pointers come in such sequences (a field of each
// of a thousand slabs pointing to their cache, each slab's list link to
// the next slab), so that a copy sets them without reading an offset
// per pointer and a file is checked in a few thousand steps, not forty
// thousand. The file holds the words little-endian and 8-aligned, so that
// a process of a little-endian machine uses them in place.
type imageRun struct {
	from, to   int
	offs, seqs []uint64
}

// minSeq is the fewest pointers a sequence holds; shorter ones are
// singles.
const minSeq = 4

// encodeRun splits a run's offsets (sorted by slot) into singles and
// sequences (see imageRun), trying them in that order and in the order of
// the slots' offsets in their values of es bytes (field by field), and
// keeping whichever needs fewer words.
func encodeRun(offs []relocOff, es uintptr) (singles, seqs []uint64, err error) {
	for _, o := range offs {
		if uint64(o.slot) > math.MaxUint32 || uint64(o.target) > math.MaxUint32 {
			return nil, nil, errors.New("kclone: image: an arena of 4 GiB")
		}
	}
	byField := slices.Clone(offs)
	slices.SortStableFunc(byField, func(a, b relocOff) int { return cmp.Compare(a.slot%es, b.slot%es) })
	singles, seqs = splitRun(offs)
	if s, q := splitRun(byField); len(s)+len(q) < len(singles)+len(seqs) {
		singles, seqs = s, q
	}
	return singles, seqs, nil
}

// splitRun splits offsets, in their order, into maximal sequences of
// minSeq pointers or more and singles.
func splitRun(offs []relocOff) (singles, seqs []uint64) {
	word := func(o relocOff) uint64 { return uint64(o.slot) | uint64(o.target)<<32 }
	for i := 0; i < len(offs); {
		j := i + 1
		var ds, dt int64
		if j < len(offs) {
			ds, dt = int64(offs[j].slot)-int64(offs[i].slot), int64(offs[j].target)-int64(offs[i].target)
		}
		if ds >= int64(ptrSize) && ds%int64(ptrSize) == 0 && ds <= math.MaxInt32 && dt >= math.MinInt32 && dt <= math.MaxInt32 {
			for j+1 < len(offs) && int64(offs[j+1].slot)-int64(offs[j].slot) == ds && int64(offs[j+1].target)-int64(offs[j].target) == dt {
				j++
			}
			j++
		}
		if j-i < minSeq {
			singles = append(singles, word(offs[i]))
			i++
			continue
		}
		seqs = append(seqs, word(offs[i]), uint64(j-i), uint64(uint32(ds))|uint64(uint32(int32(dt)))<<32)
		i = j
	}
	return singles, seqs
}

// stringFix is a string value: where it is and its bytes in the blob.
// An image keeps it as two words, as its file does (little-endian,
// 8-aligned, used in place as imageRun's): the arena in the low 32 bits
// and the offset in the high ones, then the offset in the blob and the
// length likewise.
type stringFix struct {
	slot   place
	off, n int // in the blob
}

// words returns f as an image keeps it.
func (f stringFix) words() (uint64, uint64) {
	return uint64(f.slot.arena) | uint64(f.slot.off)<<32, uint64(f.off) | uint64(f.n)<<32
}

// stringAt returns the string of words w0 and w1.
func stringAt(w0, w1 uint64) stringFix {
	return stringFix{place{int(uint32(w0)), uintptr(w0 >> 32)}, int(uint32(w1)), int(w1 >> 32)}
}

// funcFix is a function value: its code address, relative to
// funcAnchor's, as function values are only meaningful in the binary they
// were taken in (an image file names its binary; see Cache).
type funcFix struct {
	slot place
	pc   int64
}

type imageSlow struct {
	slot place
	typ  int // in types
	enc  []byte
}

// funcAnchor is the function whose code address function values are
// stored relative to.
func funcAnchor() uintptr { return reflect.ValueOf(kernelsim.New).Pointer() }

// zeroSized is what a non-nil reference to nothing points at in a copy.
var zeroSized struct{}

// Config returns the configuration the image was booted with.
func (im *Image) Config() kernelsim.Config { return im.cfg }

// Image lays the snapshot out as an image.
func (s *Snapshot) Image() (im *Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			im, err = nil, fmt.Errorf("kclone: image: %v", r)
		}
	}()
	im = &Image{cfg: s.cfg, root: s.rootAt}
	paths := typePaths()
	typeIndex := map[reflect.Type]int{}
	typeOf := func(t reflect.Type) int {
		if _, ok := paths[t]; !ok {
			panic(fmt.Sprintf("the type %s is not reachable from kscript's kernel types", t))
		}
		i, ok := typeIndex[t]
		if !ok {
			i = len(im.types)
			typeIndex[t] = i
			im.types = append(im.types, t)
		}
		return i
	}
	var blob bytes.Buffer
	anchor := funcAnchor()
	for j, a := range s.arenas {
		if _, ok := paths[a.elem]; !ok {
			return nil, fmt.Errorf("kclone: image: the type %s is not reachable from kscript's kernel types", a.elem)
		}
		size := uintptr(a.n) * a.elem.Size()
		raw := make([]byte, size)
		if size > 0 {
			copy(raw, unsafe.Slice((*byte)(a.image.UnsafePointer()), size))
		}
		refs := refSlots(a.elem)
		es := a.elem.Size()
		for i := range uintptr(a.n) {
			for _, sl := range refs {
				off := i*es + sl.off
				at := unsafe.Add(a.image.UnsafePointer(), off)
				p := place{j, off}
				switch sl.kind {
				case reflect.Pointer:
					if *(*unsafe.Pointer)(at) != nil && sl.elem.Size() == 0 {
						im.nonNil = append(im.nonNil, p)
					}
				case reflect.Slice:
					if h := (*sliceHeader)(at); h.data != nil && (h.cap == 0 || sl.elem.Size() == 0) {
						im.nonNil = append(im.nonNil, p)
					}
				case reflect.String:
					if str := *(*string)(at); str != "" {
						if uint64(p.arena) > math.MaxUint32 || uint64(p.off) > math.MaxUint32 || uint64(blob.Len()+len(str)) > math.MaxUint32 {
							return nil, errors.New("kclone: image: an arena or strings of 4 GiB")
						}
						w0, w1 := stringFix{slot: p, off: blob.Len(), n: len(str)}.words()
						im.strs = append(im.strs, w0, w1)
						blob.WriteString(str)
					}
					clear(raw[off+ptrSize : off+2*ptrSize]) // the length: set with the data
				case reflect.Func:
					if fp := *(*unsafe.Pointer)(at); fp != nil {
						f := reflect.NewAt(sl.typ, at).Elem()
						if err := plainFunc(f); err != nil {
							return nil, err
						}
						im.funcs = append(im.funcs, funcFix{slot: p, pc: int64(f.Pointer() - anchor)})
					}
				case reflect.Interface:
					clear(raw[off+ptrSize : off+2*ptrSize])
				case reflect.Map:
				default:
					if *(*unsafe.Pointer)(at) != nil {
						return nil, fmt.Errorf("kclone: image: cannot copy a %s", sl.typ)
					}
				}
				clear(raw[off : off+ptrSize])
			}
		}
		ia := newImageArena(a.elem, a.n)
		ia.raw = raw
		im.arenas = append(im.arenas, ia)
	}
	im.blob = blob.String()
	for _, r := range s.runs {
		offs, seqs, err := encodeRun(r.offs, s.arenas[r.from].elem.Size())
		if err != nil {
			return nil, err
		}
		im.runs = append(im.runs, imageRun{from: r.from, to: r.to, offs: offs, seqs: seqs})
	}
	e := &encoder{s: s, typeOf: typeOf, anchor: anchor}
	for _, f := range s.slow {
		e.buf = nil
		e.value(f.src)
		im.slow = append(im.slow, imageSlow{slot: f.slot, typ: typeOf(f.typ), enc: e.buf})
	}
	return im, nil
}

const ptrSize = unsafe.Sizeof(uintptr(0))

// refSlot is a word of a value that refers to other memory: what an image
// zeroes and each copy sets.
type refSlot struct {
	off  uintptr
	kind reflect.Kind
	typ  reflect.Type
	elem reflect.Type // a pointer's or slice's element type
}

var refLayouts sync.Map // reflect.Type → []refSlot

// refSlots lists the reference words of a value of type t, arrays
// flattened, with offsets from the value's start.
func refSlots(t reflect.Type) []refSlot {
	if l, ok := refLayouts.Load(t); ok {
		return l.([]refSlot)
	}
	l := appendRefSlots(nil, t, 0)
	refLayouts.Store(t, l)
	return l
}

func appendRefSlots(l []refSlot, t reflect.Type, off uintptr) []refSlot {
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			l = appendRefSlots(l, f.Type, off+f.Offset)
		}
	case reflect.Array:
		if t.Len() == 0 {
			break
		}
		inner := refSlots(t.Elem())
		if len(inner) == 0 {
			break
		}
		for i := range uintptr(t.Len()) {
			for _, s := range inner {
				s.off += off + i*t.Elem().Size()
				l = append(l, s)
			}
		}
	case reflect.Pointer, reflect.Slice:
		l = append(l, refSlot{off: off, kind: t.Kind(), typ: t, elem: t.Elem()})
	case reflect.String, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		l = append(l, refSlot{off: off, kind: t.Kind(), typ: t})
	}
	return l
}

// extraTypes are types the kernel holds in interfaces, which typePaths
// cannot reach through the static types, and the holders of the slice
// types of arenas the kernel's types do not lead to (see
// kernelsim.ImageSlices), so that a restore makes its arenas without
// reflect.SliceOf.
var extraTypes = []reflect.Type{reflect.TypeFor[*rand.PCG](), reflect.TypeFor[kernelsim.ImageSlices](), reflect.TypeFor[imageSlices]()}

// imageSlices is kernelsim.ImageSlices for the types of other packages.
type imageSlices struct {
	_ []rand.Rand
	_ []rand.PCG
}

// typeRoots are the types an image file's types are reached from:
// *kernelsim.Kernel and extraTypes, in this order.
func typeRoots() []reflect.Type {
	return append([]reflect.Type{reflect.TypeFor[*kernelsim.Kernel]()}, extraTypes...)
}

// A typeStep is how a type is reached from another: its element, its
// key, or one of its fields.
type typeStep struct {
	from reflect.Type // nil for a root
	step int          // stepElem, stepKey, or stepField+i for field i
}

const (
	stepElem = iota
	stepKey
	stepField
)

// take returns the type step leads to from t, or nil when t has no such
// element, key or field.
func take(t reflect.Type, step uint64) reflect.Type {
	switch k := t.Kind(); {
	case step == stepElem && (k == reflect.Pointer || k == reflect.Slice || k == reflect.Array || k == reflect.Map || k == reflect.Chan):
		return t.Elem()
	case step == stepKey && k == reflect.Map:
		return t.Key()
	case step >= stepField && k == reflect.Struct && step-stepField < uint64(t.NumField()):
		return t.Field(int(step - stepField)).Type
	}
	return nil
}

// typePaths maps every type reachable from typeRoots to a shortest way
// there: what an image file stores of a type, so that a process reading
// it finds the type by following a few steps from the roots instead of
// walking every type of the kernel to look names up.
var typePaths = sync.OnceValue(func() map[reflect.Type]typeStep {
	paths := map[reflect.Type]typeStep{}
	queue := typeRoots()
	for _, t := range queue {
		paths[t] = typeStep{}
	}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		var steps []int
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
			steps = []int{stepElem}
		case reflect.Map:
			steps = []int{stepKey, stepElem}
		case reflect.Struct:
			for i := range t.NumField() {
				steps = append(steps, stepField+i)
			}
		}
		for _, st := range steps {
			next := take(t, uint64(st))
			if _, ok := paths[next]; !ok {
				paths[next] = typeStep{from: t, step: st}
				queue = append(queue, next)
			}
		}
	}
	return paths
})

// ---- copies ----

// NewKernel returns a copy of the image for cfg, or boots a fresh kernel
// when cfg is not the image's: the signature of runtime.Options.NewKernel.
func (im *Image) NewKernel(cfg kernelsim.Config) (*kernelsim.Kernel, error) {
	if cfg != im.cfg {
		return kernelsim.New(cfg)
	}
	k, _, _, err := im.restore(nil, nil, false)
	return k, err
}

// An ImageLane is a Lane of an image: each copy in the memory of the one
// before it (see Lane).
type ImageLane struct {
	im     *Image
	arenas []reflect.Value
	maps   [][]byte // the arenas mapped from the image file, nil where copied
}

// Lane returns a new lane of im, for one goroutine at a time.
func (im *Image) Lane() *ImageLane { return &ImageLane{im: im} }

// NewKernel is Image.NewKernel for a lane.
func (l *ImageLane) NewKernel(cfg kernelsim.Config) (*kernelsim.Kernel, error) {
	if cfg != l.im.cfg {
		return kernelsim.New(cfg)
	}
	k, arenas, maps, err := l.im.restore(l.arenas, l.maps, true)
	l.arenas, l.maps = arenas, maps
	return k, err
}

// restore copies the image into arenas (an earlier copy's, no longer in
// use, with maps its arenas mapped from the file) or into new ones when
// arenas is nil; the arenas it returns are for the next copy when keep
// (a lane's), else only the ones in the heap are set.
func (im *Image) restore(arenas []reflect.Value, maps [][]byte, keep bool) (k *kernelsim.Kernel, _ []reflect.Value, _ [][]byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			k, arenas, maps, err = nil, nil, nil, fmt.Errorf("kclone: %v", r)
		}
	}()
	base := make([]unsafe.Pointer, len(im.arenas))
	if arenas == nil {
		// Fresh memory is zero, as the image's reference words are: the
		// bytes can be copied in without write barriers. The arenas of
		// plain data read from a file are the file's pages, mapped
		// copy-on-write (all in one mapping): a run touches a few of
		// them, and copying them all would fault in as many fresh pages
		// of heap.
		arenas = make([]reflect.Value, len(im.arenas))
		maps = make([][]byte, len(im.arenas))
		// Mappings are never unmapped (nothing tells when the last
		// reference into a copy goes): a process maps its first
		// maxMappedCopies copies, and copies the rest.
		var m []byte
		if im.file != nil && im.mapLen > 0 && im.mappedCopies.Add(1) <= maxMappedCopies {
			m, _ = mapPrivate(im.file, int64(im.mapOff), im.mapLen) // nil on an error: copied
		}
		for i := range im.arenas {
			a := &im.arenas[i]
			if a.mapped() && m != nil {
				off := uintptr(unsafe.Pointer(unsafe.SliceData(a.raw))) - uintptr(unsafe.Pointer(unsafe.SliceData(im.data))) - uintptr(im.mapOff)
				maps[i] = m[off : off+a.size() : off+a.size()]
				base[i] = unsafe.Pointer(unsafe.SliceData(maps[i]))
				if keep {
					arenas[i] = a.sliceAt(base[i])
				}
				continue
			}
			arenas[i] = a.slices()
			base[i] = arenas[i].UnsafePointer()
		}
		if m != nil {
			populateHot(im.hot, base, maps)
		}
		prefault(im.arenas, base, maps)
		for i := range im.arenas {
			if a := &im.arenas[i]; maps[i] == nil && !a.zero && a.size() > 0 {
				copy(unsafe.Slice((*byte)(base[i]), a.size()), a.raw)
			}
		}
	} else {
		// An earlier copy's memory holds references: copy typed, so that
		// the collector sees the ones overwritten. An arena without
		// reference words is plain bytes, for the collector too: it is
		// copied from the image's bytes, with no typed template of it in
		// the heap (the templates of the plain arenas were most of a
		// worker's live heap, and the heap a collector lets grow is a
		// multiple of that).
		// An arena mapped from the file is reset to the file's contents:
		// the pages earlier runs wrote get the file's bytes again, the
		// others were never copied (resetWritten).
		typed := im.typedArenas()
		for i := range arenas {
			base[i] = arenas[i].UnsafePointer()
			a := &im.arenas[i]
			if maps[i] != nil {
				if resetWritten(maps[i], a.raw) == nil {
					continue
				}
				copy(maps[i], a.raw) // plain data: bytes will do
				continue
			}
			if !a.refs {
				b := unsafe.Slice((*byte)(base[i]), a.size())
				if a.zero || a.raw == nil {
					clear(b)
				} else {
					copy(b, a.raw)
				}
				continue
			}
			reflect.Copy(arenas[i], typed[i])
		}
	}
	at := func(p place) unsafe.Pointer { return unsafe.Add(base[p.arena], p.off) }
	for _, run := range im.runs {
		setPointers(base[run.from], base[run.to], run.offs, run.seqs)
	}
	for w := im.strs; len(w) >= 2; w = w[2:] {
		f := stringAt(w[0], w[1])
		*(*string)(at(f.slot)) = im.blob[f.off : f.off+f.n]
	}
	anchor := funcAnchor()
	for _, f := range im.funcs {
		fv := new(uintptr)
		*fv = uintptr(int64(anchor) + f.pc)
		*(*unsafe.Pointer)(at(f.slot)) = unsafe.Pointer(fv)
	}
	for _, p := range im.nonNil {
		*(*unsafe.Pointer)(at(p)) = unsafe.Pointer(&zeroSized)
	}
	d := &decoder{im: im, at: at, anchor: anchor}
	for _, f := range im.slow {
		d.buf = f.enc
		t := im.types[f.typ]
		reflect.NewAt(t, at(f.slot)).Elem().Set(d.value(t))
		if len(d.buf) != 0 {
			panic("a malformed image: bytes left after a value")
		}
	}
	k = (*kernelsim.Kernel)(at(im.root))
	k.SetPrefault(populateRange)
	return k, arenas, maps, nil
}

// populateRange is a copy's prefault hook (kernelsim's SetPrefault): the
// pages that hold the n bytes at p are faulted in at once, writable
// (populate), before the kernel writes them in bulk. Pressure writes the
// page structs of most free frames, some 300 pages of mem_map for the
// default machine at pressure 200, mapped copy-on-write from the image
// file: one system call per block of 256 to 1024 frames instead of a
// copy-on-write fault per page (10-20 µs each on the VM of the README's
// figures, where the call costs about 1 µs a page).
func populateRange(p unsafe.Pointer, n uintptr) {
	const page = 4 << 10 // the smallest page size; a larger one is as well aligned
	start := uintptr(p) &^ (page - 1)
	if end := (uintptr(p) + n + page - 1) &^ (page - 1); end > start {
		populate(start, end-start)
	}
}

// setPointers sets the pointers of a run (see imageRun) from the arena
// at from into the arena at to: its own function, for the registers.
func setPointers(from, to unsafe.Pointer, offs, seqs []uint64) {
	for _, o := range offs {
		*(*unsafe.Pointer)(unsafe.Add(from, uint32(o))) = unsafe.Add(to, uint32(o>>32))
	}
	for q := seqs; len(q) >= 3; q = q[3:] {
		slot, target := uintptr(uint32(q[0])), uintptr(uint32(q[0]>>32))
		ds, dt := uintptr(uint32(q[2])), uintptr(int32(uint32(q[2]>>32))) // dt wraps: a negative stride
		for n := q[1]; n > 0; n-- {
			*(*unsafe.Pointer)(unsafe.Add(from, slot)) = unsafe.Add(to, target)
			slot, target = slot+ds, target+dt
		}
	}
}

// prefault faults in at once the pages of a fresh copy's arenas in the
// heap, about to be written (populate): a system call per run of nearby
// arenas instead of a page fault per page, some three hundred for the
// default machine (a fault costs more than the page's share of the call,
// much more in a virtual machine). Pages are whole, so a page an arena
// shares with another object is faulted in as well, and so are gaps of
// up to mergeGap between arenas: memory the heap has mapped already,
// faulted in as a write to it would. Nothing else changes: the pages are
// zero as before.
func prefault(arenas []imageArena, base []unsafe.Pointer, maps [][]byte) {
	const (
		page     = 4 << 10 // the smallest page size; a larger one is as well aligned
		mergeGap = 16 << 10
	)
	type span struct{ start, end uintptr }
	var spans []span
	for i := range arenas {
		if size := arenas[i].size(); maps[i] == nil && size >= page {
			start := uintptr(base[i])
			spans = append(spans, span{start &^ (page - 1), (start + size + page - 1) &^ (page - 1)})
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	for i := 0; i < len(spans); {
		run := spans[i]
		for i++; i < len(spans) && spans[i].start <= run.end+mergeGap; i++ {
			run.end = max(run.end, spans[i].end)
		}
		populate(run.start, run.end-run.start)
	}
}

// populateHot makes a fresh mapping's own copies of its hot pages at once
// (populate, MADV_POPULATE_WRITE: each page of the file copied into a page
// of the process's, as a first write would), in runs of adjacent pages.
//
// Why: a run reads the mapped arenas before it writes them (the buddy
// allocator reads a page's struct page, then unlinks it), so a page it
// writes costs two faults, the read's (which maps the file's page and,
// Linux's fault-around, up to fifteen around it, read-only) and the
// write's copy-on-write. That copy replaces a page table entry the CPU may
// have cached, so Linux flushes it from every CPU that runs a thread of
// the process: an inter-processor interrupt whenever Go's other threads
// (sysmon) run on the other CPU, some microseconds each in a virtual
// machine. A page copied before anything maps it needs no flush and no
// fault. Contents are the same either way: the file's bytes, private to
// the process; only when the copy is made changes.
func populateHot(hot []hotPage, base []unsafe.Pointer, maps [][]byte) {
	if len(hot) == 0 || os.Getpagesize() != hotPageSize {
		return
	}
	start, n := uintptr(0), uintptr(0)
	for _, h := range hot {
		if maps[h.arena] == nil {
			continue
		}
		p := uintptr(base[h.arena]) + uintptr(h.page)*hotPageSize
		if n > 0 && p == start+n {
			n += hotPageSize
			continue
		}
		if n > 0 {
			populate(start, n)
		}
		start, n = p, hotPageSize
	}
	if n > 0 {
		populate(start, n)
	}
}

// hotPages returns the pages of im's mapped arenas that warm writes when
// it runs on a copy of im. Where the system tells which pages of a
// copy-on-write mapping were written (Linux's pagemap), the copy maps them
// from a file of im's own, written to a temporary file as a grading
// lane's is (lanefile_linux.go), and the pages written are the hot ones:
// a page written back to what it held (a free slot pushed where it was
// popped) was still copied, and costs a run the same fault. Elsewhere the
// copy is in the heap and the pages whose bytes changed are taken. A
// warm-up that fails or panics gives none.
func (im *Image) hotPages(warm func(*kernelsim.Kernel)) (hot []hotPage) {
	if im.file != nil {
		return nil
	}
	defer func() {
		if recover() != nil {
			hot = nil
		}
	}()
	if fim := tempImage(im); fim != nil {
		k, _, maps, err := fim.restore(nil, nil, true)
		if err == nil {
			warm(k)
			runtime.KeepAlive(k)
			ok := true
			for i := range fim.arenas {
				if maps[i] == nil {
					continue
				}
				pages, told := writtenPages(maps[i])
				ok = ok && told
				for _, p := range pages {
					hot = append(hot, hotPage{uint32(i), p})
				}
			}
			if ok {
				return hot[:min(len(hot), maxHot)]
			}
			hot = nil
		}
	}
	k, arenas, _, err := im.restore(nil, nil, true)
	if err != nil {
		return nil
	}
	warm(k)
	for i := range im.arenas {
		a := &im.arenas[i]
		if !a.mapped() {
			continue
		}
		now := unsafe.Slice((*byte)(arenas[i].UnsafePointer()), a.size())
		for off := 0; off < len(now); off += hotPageSize {
			end := min(off+hotPageSize, len(now))
			if !bytes.Equal(now[off:end], a.raw[off:end]) {
				if len(hot) == maxHot {
					return hot
				}
				hot = append(hot, hotPage{uint32(i), uint32(off / hotPageSize)})
			}
		}
	}
	runtime.KeepAlive(k)
	return hot
}

// typedArenas returns the image's arenas that hold reference words as
// typed slices, made on first use (the others are left zero Values: a
// lane copies them from their bytes).
func (im *Image) typedArenas() []reflect.Value {
	im.typedOnce.Do(func() {
		im.typed = make([]reflect.Value, len(im.arenas))
		for i, a := range im.arenas {
			if !a.refs {
				continue
			}
			v := a.slices()
			if !a.zero && a.size() > 0 {
				copy(unsafe.Slice((*byte)(v.UnsafePointer()), a.size()), a.raw)
			}
			im.typed[i] = v
		}
	})
	return im.typed
}

// ---- maps and interfaces, encoded ----

// encoder writes a value the kernel holds in a map or an interface:
// scalars as they are, references to the kernel's objects as places in
// the image.
type encoder struct {
	s      *Snapshot
	typeOf func(reflect.Type) int
	anchor uintptr
	buf    []byte
}

func (e *encoder) uint(u uint64) { e.buf = binary.AppendUvarint(e.buf, u) }

func (e *encoder) place(addr uintptr) {
	i := e.s.find(addr)
	if i < 0 {
		panic(fmt.Sprintf("pointer %#x outside the kernel's graph", addr))
	}
	b := e.s.blocks[i]
	e.uint(uint64(b.at.arena))
	e.uint(uint64(b.at.off + addr - b.addr))
}

func (e *encoder) value(v reflect.Value) {
	t := v.Type()
	switch t.Kind() {
	case reflect.Bool:
		if v.Bool() {
			e.uint(1)
		} else {
			e.uint(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = binary.AppendVarint(e.buf, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.uint(v.Uint())
	case reflect.Float32, reflect.Float64:
		e.uint(math.Float64bits(v.Float()))
	case reflect.String:
		e.uint(uint64(v.Len()))
		e.buf = append(e.buf, v.String()...)
	case reflect.Pointer:
		switch {
		case v.IsNil():
			e.uint(0)
		case t.Elem().Size() == 0:
			e.uint(2)
		default:
			e.uint(1)
			e.place(v.Pointer())
		}
	case reflect.Slice:
		switch {
		case v.IsNil():
			e.uint(0)
		case v.Cap() == 0 || t.Elem().Size() == 0:
			e.uint(2)
			e.uint(uint64(v.Len()))
			e.uint(uint64(v.Cap()))
		default:
			e.uint(1)
			e.uint(uint64(v.Len()))
			e.uint(uint64(v.Cap()))
			e.place(v.Pointer())
		}
	case reflect.Map:
		if v.IsNil() {
			e.uint(0)
			return
		}
		e.uint(1)
		e.uint(uint64(v.Len()))
		for it := v.MapRange(); it.Next(); {
			e.value(it.Key())
			e.value(it.Value())
		}
	case reflect.Interface:
		if v.IsNil() {
			e.uint(0)
			return
		}
		e.uint(1)
		e.uint(uint64(e.typeOf(v.Elem().Type())))
		e.value(v.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			e.value(v.Field(i))
		}
	case reflect.Array:
		for i := range v.Len() {
			e.value(v.Index(i))
		}
	case reflect.Func:
		if v.IsNil() {
			e.uint(0)
			return
		}
		if err := plainFunc(v); err != nil {
			panic(err.Error())
		}
		e.uint(1)
		e.buf = binary.AppendVarint(e.buf, int64(v.Pointer()-e.anchor))
	default:
		panic("cannot copy a " + t.String())
	}
}

// decoder reads what encoder wrote, references made to point into a copy.
type decoder struct {
	im     *Image
	at     func(place) unsafe.Pointer
	anchor uintptr
	buf    []byte
}

func (d *decoder) uint() uint64 {
	u, n := binary.Uvarint(d.buf)
	if n <= 0 {
		panic("a malformed image: a bad number")
	}
	d.buf = d.buf[n:]
	return u
}

func (d *decoder) int() int64 {
	i, n := binary.Varint(d.buf)
	if n <= 0 {
		panic("a malformed image: a bad number")
	}
	d.buf = d.buf[n:]
	return i
}

// place reads a place and returns its address in the copy, checking that
// an object of size bytes fits there.
func (d *decoder) place(size uintptr) unsafe.Pointer {
	a, off := d.uint(), d.uint()
	if a >= uint64(len(d.im.arenas)) || off+uint64(size) > uint64(d.im.arenas[a].size()) {
		panic("a malformed image: a place outside the arenas")
	}
	return d.at(place{int(a), uintptr(off)})
}

// value decodes a value of type t.
func (d *decoder) value(t reflect.Type) reflect.Value {
	v := reflect.New(t).Elem()
	d.into(v)
	return v
}

// into decodes into v, settable.
func (d *decoder) into(v reflect.Value) {
	t := v.Type()
	switch t.Kind() {
	case reflect.Bool:
		v.SetBool(d.uint() != 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(d.int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(d.uint())
	case reflect.Float32, reflect.Float64:
		v.SetFloat(math.Float64frombits(d.uint()))
	case reflect.String:
		n := d.uint()
		if n > uint64(len(d.buf)) {
			panic("a malformed image: a string past the end")
		}
		v.SetString(string(d.buf[:n]))
		d.buf = d.buf[n:]
	case reflect.Pointer:
		switch d.uint() {
		case 0:
		case 2:
			v.Set(reflect.NewAt(t.Elem(), unsafe.Pointer(&zeroSized)))
		default:
			v.Set(reflect.NewAt(t.Elem(), d.place(t.Elem().Size())))
		}
	case reflect.Slice:
		kind := d.uint()
		if kind == 0 {
			return
		}
		n, c := int(d.uint()), int(d.uint())
		if n < 0 || c < n {
			panic("a malformed image: a bad slice")
		}
		if kind == 2 {
			v.Set(reflect.MakeSlice(t, n, c))
			return
		}
		arr := reflect.NewAt(reflect.ArrayOf(c, t.Elem()), d.place(uintptr(c)*t.Elem().Size())).Elem()
		v.Set(arr.Slice3(0, n, c).Convert(t))
	case reflect.Map:
		if d.uint() == 0 {
			return
		}
		n := int(d.uint())
		m := reflect.MakeMapWithSize(t, n)
		for range n {
			key := d.value(t.Key())
			m.SetMapIndex(key, d.value(t.Elem()))
		}
		v.Set(m)
	case reflect.Interface:
		if d.uint() == 0 {
			return
		}
		i := d.uint()
		if i >= uint64(len(d.im.types)) || !d.im.types[i].AssignableTo(t) {
			panic("a malformed image: a bad interface value")
		}
		v.Set(d.value(d.im.types[i]))
	case reflect.Struct:
		for i := range t.NumField() {
			d.into(field(v, i))
		}
	case reflect.Array:
		for i := range v.Len() {
			d.into(v.Index(i))
		}
	case reflect.Func:
		if d.uint() == 0 {
			return
		}
		pc := uintptr(int64(d.anchor) + d.int())
		if f := runtime.FuncForPC(pc); f == nil || f.Entry() != pc {
			panic("a malformed image: a function value outside the binary")
		}
		fv := new(uintptr)
		*fv = pc
		v.Set(reflect.NewAt(t, unsafe.Pointer(&fv)).Elem())
	default:
		panic("cannot copy a " + t.String())
	}
}

// ---- the file ----

// imageMagic begins an image file; its number is the layout's.
const imageMagic = "kscript boot image 7\n"

// An image file holds, in order:
//
//   - imageMagic, the configuration, and the name of funcAnchor;
//   - the type table: how many roots (typeRoots) it starts from, then
//     every other type it needs as an earlier entry, a step from it (see
//     typeStep) and the type's name;
//   - the image's lists (types, arenas, pointer runs, strings, functions,
//     non-nil references, maps and interfaces, the root, the hot pages);
//   - the arenas a copy has in the heap (the ones not mapped), each at a
//     multiple of 8 bytes, but for the ones all zero (arrays of
//     pointers, whose every word a copy sets), which have no bytes here;
//   - the arenas a copy maps from the file (see imageArena.mapped), each
//     at a multiple of mapAlign;
//   - a trailer of trailerSize bytes, little-endian: where the mapped
//     arenas' part starts (uint64), the CRC-32 (IEEE) of that part to the
//     trailer (uint32), and the CRC-32 of everything before that part and
//     of the trailer's first 12 bytes (uint32).
//
// What a process checks of a file, and why that is enough: the last
// checksum, always. It covers every byte the process decodes and every
// byte it copies into the heap: the lists, whose numbers are still
// bounds-checked one by one (an offset out of its arena is refused, never
// written through), and the arenas with reference words, which must be
// zero there (a damaged one would be copied into the heap as a pointer the
// collector would follow). The mapped arenas are plain data: damage there
// could make a wrong kernel but not an unsafe one, and they are most of
// the file (2.4 of 4.3 MB at 512M), which hashing on every run would read
// whole where a run touches a few pages (hashing the whole file was some
// 10% of a one-file `kscript run`). Their checksum is checked once per
// file, not once per run: the process that writes a file, or checks
// one whole, stamps its modification time with a value the two checksums
// give (see stampOf) in the sub-second part; writing to a file sets its
// modification time, so a file that still bears its stamp has not been
// written since, and a process opening it skips that checksum. A file
// rewritten, copied or touched has lost its stamp: it is checked whole,
// refused if damaged (and rewritten, see Cache), stamped again if not.
// ParseImage, given bytes without a file, checks everything.
const trailerSize = 16

// writer appends an image file's fields.
type writer struct{ buf []byte }

func (w *writer) uint(u uint64)  { w.buf = binary.AppendUvarint(w.buf, u) }
func (w *writer) int(i int64)    { w.buf = binary.AppendVarint(w.buf, i) }
func (w *writer) str(s string)   { w.uint(uint64(len(s))); w.buf = append(w.buf, s...) }
func (w *writer) bytes(b []byte) { w.uint(uint64(len(b))); w.buf = append(w.buf, b...) }
func (w *writer) place(p place)  { w.uint(uint64(p.arena)); w.uint(uint64(p.off)) }

// align pads to a multiple of 8 bytes, so that arenas read in place are
// aligned as a fresh allocation is (to mapAlign for a mapped arena).
func (w *writer) align(mapped bool) {
	w.buf = append(w.buf, make([]byte, alignUp(len(w.buf), mapped)-len(w.buf))...)
}

// alignUp returns where an arena at pos or after starts in the file: the
// next multiple of 8, or of mapAlign for an arena mapped from it.
func alignUp(pos int, mapped bool) int {
	m := 8
	if mapped {
		m = mapAlign
	}
	return (pos + m - 1) &^ (m - 1)
}

// typeEntry is a type of a file's type table other than a root.
type typeEntry struct {
	from, step int
	t          reflect.Type
}

// MarshalBinary writes the image as a file's bytes: what ParseImage reads
// back, in a process of the same binary.
func (im *Image) MarshalBinary() (_ []byte, err error) {
	roots, paths := typeRoots(), typePaths()
	index := map[reflect.Type]int{}
	for i, t := range roots {
		index[t] = i
	}
	var table []typeEntry
	var add func(t reflect.Type) int
	add = func(t reflect.Type) int {
		if i, ok := index[t]; ok {
			return i
		}
		p, ok := paths[t]
		if !ok || p.from == nil {
			if err == nil {
				err = fmt.Errorf("kclone: image: the type %s is not reachable from kscript's kernel types", t)
			}
			return 0
		}
		from := add(p.from)
		i := len(roots) + len(table)
		table = append(table, typeEntry{from, p.step, t})
		index[t] = i
		return i
	}
	for _, t := range im.types {
		add(t)
	}
	sliceIndex := make([]int, len(im.arenas)) // 0: none, else 1 + the index
	zero := make([]bool, len(im.arenas))
	for i, a := range im.arenas {
		add(a.elem)
		if st, ok := paths[reflect.SliceOf(a.elem)]; ok && st.from != nil {
			sliceIndex[i] = 1 + add(reflect.SliceOf(a.elem))
		}
		zero[i] = !a.mapped() && !slices.ContainsFunc(a.raw, func(b byte) bool { return b != 0 })
	}
	if err != nil {
		return nil, err
	}

	w := &writer{}
	w.buf = append(w.buf, imageMagic...)
	c := im.cfg
	w.uint(c.RAM)
	w.uint(c.Seed)
	w.uint(uint64(boolInt(c.Stock)))
	w.uint(uint64(boolInt(c.NoPCP)))
	w.str(c.Cmdline)
	w.str(runtime.FuncForPC(funcAnchor()).Name())
	w.uint(uint64(len(roots)))
	w.uint(uint64(len(table)))
	for _, e := range table {
		w.uint(uint64(e.from))
		w.uint(uint64(e.step))
		w.str(e.t.String())
	}
	w.uint(uint64(len(im.types)))
	for _, t := range im.types {
		w.uint(uint64(index[t]))
	}
	w.uint(uint64(len(im.arenas)))
	for i, a := range im.arenas {
		w.uint(uint64(index[a.elem]))
		w.uint(uint64(a.elem.Size()))
		w.uint(uint64(a.n))
		w.uint(uint64(sliceIndex[i]))
		w.uint(uint64(boolInt(zero[i])))
	}
	w.uint(uint64(len(im.runs)))
	for _, r := range im.runs {
		w.uint(uint64(r.from))
		w.uint(uint64(r.to))
		w.uint(uint64(len(r.offs)))
		w.uint(uint64(len(r.seqs) / 3))
		w.align(false)
		for _, o := range r.offs {
			w.buf = binary.LittleEndian.AppendUint64(w.buf, o)
		}
		for _, o := range r.seqs {
			w.buf = binary.LittleEndian.AppendUint64(w.buf, o)
		}
	}
	w.str(im.blob)
	w.uint(uint64(len(im.strs) / 2))
	w.align(false)
	for _, o := range im.strs {
		w.buf = binary.LittleEndian.AppendUint64(w.buf, o)
	}
	w.uint(uint64(len(im.funcs)))
	for _, f := range im.funcs {
		w.place(f.slot)
		w.int(f.pc)
	}
	w.uint(uint64(len(im.nonNil)))
	for _, p := range im.nonNil {
		w.place(p)
	}
	w.uint(uint64(len(im.slow)))
	for _, f := range im.slow {
		w.place(f.slot)
		w.uint(uint64(f.typ))
		w.bytes(f.enc)
	}
	w.place(im.root)
	w.uint(uint64(len(im.hot)))
	for _, h := range im.hot {
		w.uint(uint64(h.arena))
		w.uint(uint64(h.page))
	}
	// The arenas last, each aligned: the heap's, then the mapped ones.
	mapStart := 0
	for _, mapped := range []bool{false, true} {
		for i, a := range im.arenas {
			if a.mapped() == mapped && !zero[i] {
				w.align(mapped)
				w.buf = append(w.buf, a.raw...)
			}
		}
		if !mapped {
			mapStart = len(w.buf)
		}
	}
	w.buf = binary.LittleEndian.AppendUint64(w.buf, uint64(mapStart))
	w.buf = binary.LittleEndian.AppendUint32(w.buf, crc32.ChecksumIEEE(w.buf[mapStart:len(w.buf)-8]))
	w.buf = binary.LittleEndian.AppendUint32(w.buf, sumOf(w.buf[:mapStart], w.buf[len(w.buf)-12:]))
	return w.buf, nil
}

// sumOf returns the CRC-32 of the part of a file before its mapped
// arenas and of its trailer's first 12 bytes (the trailer's last field).
func sumOf(head, trailer []byte) uint32 {
	return crc32.Update(crc32.ChecksumIEEE(head), crc32.IEEETable, trailer)
}

// stampOf returns the sub-second part, in nanoseconds, of the
// modification time of a file whose checksums have been checked (see
// trailerSize): a whole number of microseconds (what every system's file
// times keep), never 0 (a file system that keeps whole seconds would
// match that).
func stampOf(data []byte) int {
	if len(data) < trailerSize {
		return -1
	}
	t := data[len(data)-trailerSize:]
	return int(binary.LittleEndian.Uint64(t[8:])%999_999+1) * 1000
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// reader reads an image file's fields; the first error sticks.
type reader struct {
	buf []byte
	pos int
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("kclone: a malformed image: "+format, args...)
	}
}

func (r *reader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	u, n := binary.Uvarint(r.buf[r.pos:])
	if n <= 0 {
		r.fail("a bad number at %d", r.pos)
		return 0
	}
	r.pos += n
	return u
}

func (r *reader) int() int64 {
	if r.err != nil {
		return 0
	}
	i, n := binary.Varint(r.buf[r.pos:])
	if n <= 0 {
		r.fail("a bad number at %d", r.pos)
		return 0
	}
	r.pos += n
	return i
}

// count reads a number of at most max (an index, when max is a length
// less one: none fits when the length is 0).
func (r *reader) count(max int) int {
	n := r.uint()
	if max < 0 || n > uint64(max) {
		r.fail("a number of %d at %d", n, r.pos)
		return 0
	}
	return int(n)
}

func (r *reader) bytes() []byte {
	n := r.count(len(r.buf) - r.pos)
	b := r.buf[r.pos : r.pos+n]
	r.pos += n
	return b
}

func (r *reader) str() string { return string(r.bytes()) }

// place reads a place that must be within arenas, leaving room for size
// bytes, pointer-aligned when aligned.
func (r *reader) place(arenas []imageArena, size uintptr, aligned bool) place {
	a, off := r.uint(), r.uint()
	switch {
	case r.err != nil:
	case a >= uint64(len(arenas)) || off+uint64(size) > uint64(uintptr(arenas[a].n)*arenas[a].elem.Size()):
		r.fail("a place outside the arenas")
	case aligned && off%uint64(ptrSize) != 0:
		r.fail("a reference not aligned")
	default:
		return place{int(a), uintptr(off)}
	}
	return place{}
}

// ParseImage reads an image file written by MarshalBinary in a process of
// this same binary, checking both its checksums. The arenas' bytes are
// used in place: data must not change while the image is in use.
func ParseImage(data []byte) (*Image, error) { return parseImage(data, -1, 0) }

// parseImage is ParseImage for a file whose modification time has stamp
// nanoseconds past the second: the mapped arenas' checksum is checked
// unless stamp is the file's stampOf (see trailerSize). The header's
// checksum is taken xor key: a Cache's files have the key of the binary
// that wrote them (Cache.key), ParseImage's bytes 0.
func parseImage(data []byte, stamp int, key uint32) (*Image, error) {
	if len(data) < len(imageMagic)+trailerSize || string(data[:len(imageMagic)]) != imageMagic {
		return nil, errors.New("kclone: not a boot image")
	}
	damaged := errors.New("kclone: a damaged boot image (its checksum differs)")
	body, trailer := data[:len(data)-trailerSize], data[len(data)-trailerSize:]
	mapStart := binary.LittleEndian.Uint64(trailer)
	if mapStart < uint64(len(imageMagic)) || mapStart > uint64(len(body)) ||
		sumOf(body[:mapStart], trailer[:12])^key != binary.LittleEndian.Uint32(trailer[12:]) {
		return nil, damaged
	}
	if stamp != stampOf(data) && crc32.ChecksumIEEE(body[mapStart:]) != binary.LittleEndian.Uint32(trailer[8:]) {
		return nil, damaged
	}
	r := &reader{buf: body[:mapStart], pos: len(imageMagic)}
	im := &Image{}
	im.cfg.RAM = r.uint()
	im.cfg.Seed = r.uint()
	im.cfg.Stock = r.uint() != 0
	im.cfg.NoPCP = r.uint() != 0
	im.cfg.Cmdline = r.str()
	if name := r.bytes(); r.err == nil && string(name) != runtime.FuncForPC(funcAnchor()).Name() {
		return nil, errors.New("kclone: a boot image of another binary")
	}
	// The types: each found from an earlier one by its step, and named
	// as the file names it.
	table := typeRoots()
	if n := r.uint(); r.err == nil && n != uint64(len(table)) {
		r.fail("%d type roots, not %d", n, len(table))
	}
	for n := r.count(len(body)); n > 0 && r.err == nil; n-- {
		from, step, name := r.count(len(table)-1), r.uint(), r.bytes()
		if r.err != nil {
			break
		}
		t := take(table[from], step)
		if t == nil || t.String() != string(name) {
			r.fail("no type %q", name)
			break
		}
		table = append(table, t)
	}
	im.types = make([]reflect.Type, r.count(len(body)))
	for i := range im.types {
		im.types[i] = table[r.count(len(table)-1)]
	}
	im.arenas = make([]imageArena, r.count(len(body)))
	for i := range im.arenas {
		elem := table[r.count(len(table)-1)]
		size, n := r.uint(), r.count(len(body))
		slice, zero := r.count(len(table)), r.uint()
		if r.err != nil {
			break
		}
		if size != uint64(elem.Size()) {
			r.fail("%s is %d bytes, not %d", elem, elem.Size(), size)
		}
		a := newImageArena(elem, n)
		if slice > 0 {
			if t := table[slice-1]; t.Kind() == reflect.Slice && t.Elem() == elem {
				a.slice = t
			} else {
				r.fail("%s is not a slice of %s", t, elem)
			}
		}
		if zero != 0 {
			if a.mapped() {
				r.fail("a mapped arena of zeros")
			}
			a.zero = true
		}
		im.arenas[i] = a
	}
	if r.err != nil {
		return nil, r.err
	}
	im.runs = make([]imageRun, r.count(len(body)))
	for i := range im.runs {
		run := &im.runs[i]
		run.from, run.to = r.count(len(im.arenas)-1), r.count(len(im.arenas)-1)
		n, seqs := r.count((len(r.buf)-r.pos)/8), r.count((len(r.buf)-r.pos)/24)
		r.pos = alignUp(r.pos, false)
		if r.err == nil && 8*(n+3*seqs) > len(r.buf)-r.pos {
			r.fail("a run past the end")
		}
		if r.err != nil {
			return nil, r.err
		}
		run.offs = le64(r.buf[r.pos : r.pos+8*n])
		r.pos += 8 * n
		run.seqs = le64(r.buf[r.pos : r.pos+24*seqs])
		r.pos += 24 * seqs
		from := uint32(min(im.arenas[run.from].size(), math.MaxUint32))
		to := uint32(min(im.arenas[run.to].size(), math.MaxUint32))
		if !validRun(run.offs, from, to) || !validSeqs(run.seqs, from, to) {
			r.fail("a pointer outside the arenas")
		}
	}
	im.blob = r.str()
	if n := r.count((len(r.buf) - r.pos) / 16); r.err == nil {
		r.pos = alignUp(r.pos, false)
		if 16*n > len(r.buf)-r.pos {
			r.fail("strings past the end")
			return nil, r.err
		}
		im.strs = le64(r.buf[r.pos : r.pos+16*n])
		r.pos += 16 * n
		if !validStrings(im.strs, im.arenas, len(im.blob)) {
			r.fail("a string outside the arenas or the blob")
		}
	}
	im.funcs = make([]funcFix, r.count(len(body)))
	anchor := funcAnchor()
	for i := range im.funcs {
		f := &im.funcs[i]
		f.slot = r.place(im.arenas, ptrSize, true)
		f.pc = r.int()
		pc := uintptr(int64(anchor) + f.pc)
		if fn := runtime.FuncForPC(pc); r.err == nil && (fn == nil || fn.Entry() != pc) {
			r.fail("a function value outside the binary")
		}
	}
	im.nonNil = make([]place, r.count(len(body)))
	for i := range im.nonNil {
		im.nonNil[i] = r.place(im.arenas, ptrSize, true)
	}
	im.slow = make([]imageSlow, r.count(len(body)))
	for i := range im.slow {
		f := &im.slow[i]
		f.slot = r.place(im.arenas, 0, true)
		f.typ = r.count(len(im.types) - 1)
		f.enc = r.bytes()
		if a := im.arenas[f.slot.arena]; r.err == nil && f.slot.off+im.types[f.typ].Size() > uintptr(a.n)*a.elem.Size() {
			r.fail("a value outside the arenas")
		}
	}
	im.root = r.place(im.arenas, reflect.TypeFor[kernelsim.Kernel]().Size(), true)
	if r.err == nil && im.arenas[im.root.arena].elem != reflect.TypeFor[kernelsim.Kernel]() {
		r.fail("the root is not a kernel")
	}
	im.hot = make([]hotPage, r.count(maxHot))
	for i := range im.hot {
		h := &im.hot[i]
		h.arena = uint32(r.count(len(im.arenas) - 1))
		h.page = uint32(r.count(min(math.MaxUint32, math.MaxInt)))
		if a := &im.arenas[h.arena]; r.err == nil && (!a.mapped() || uintptr(h.page)*hotPageSize >= a.size()) {
			r.fail("a hot page outside the mapped arenas")
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	// The arenas: the heap's up to mapStart, the mapped ones after it.
	r.buf = body
	for _, mapped := range []bool{false, true} {
		limit := int(mapStart)
		if mapped {
			limit = len(body)
		}
		for i := range im.arenas {
			a := &im.arenas[i]
			if a.mapped() != mapped || a.zero {
				continue
			}
			r.pos = alignUp(r.pos, mapped)
			size := int(a.size())
			if r.pos > limit || size > limit-r.pos {
				r.fail("the arenas past the end")
				return nil, r.err
			}
			if mapped && im.mapLen == 0 {
				im.mapOff = r.pos
			}
			a.raw = body[r.pos : r.pos+size : r.pos+size]
			r.pos += size
			if mapped {
				im.mapLen = r.pos - im.mapOff
			}
		}
		if r.pos != limit {
			r.fail("%d bytes after the arenas", limit-r.pos)
			return nil, r.err
		}
	}
	return im, nil
}

// validRun reports whether every slot of a run's offsets leaves room for
// a pointer, aligned, in an arena of from bytes, and every target is in
// one of to bytes.
func validRun(offs []uint64, from, to uint32) bool {
	if len(offs) == 0 {
		return true
	}
	// The largest slot and target, and every slot's low bits: no branch
	// per pointer (a run holds thousands).
	var slots, targets, low uint32
	for _, o := range offs {
		slot, target := uint32(o), uint32(o>>32)
		slots, targets, low = max(slots, slot), max(targets, target), low|slot
	}
	return low%uint32(ptrSize) == 0 && uint64(slots)+uint64(ptrSize) <= uint64(from) && targets < to
}

// validSeqs reports whether every pointer of the sequences (see
// imageRun) is where validRun requires; it looks at each sequence's first
// and last only, the pointers between lying on the line between them.
func validSeqs(seqs []uint64, from, to uint32) bool {
	for q := seqs; len(q) >= 3; q = q[3:] {
		slot, target, n := uint64(uint32(q[0])), int64(uint32(q[0]>>32)), q[1]
		ds, dt := uint64(uint32(q[2])), int64(int32(uint32(q[2]>>32)))
		// n-1 at most from/ptrSize, with ds at least ptrSize: the
		// products below stay far below 2⁶³.
		if n == 0 || n-1 > uint64(from)/uint64(ptrSize) || ds < uint64(ptrSize) || ds%uint64(ptrSize) != 0 || slot%uint64(ptrSize) != 0 {
			return false
		}
		lastSlot, lastTarget := slot+(n-1)*ds, target+int64(n-1)*dt
		if lastSlot+uint64(ptrSize) > uint64(from) || target >= int64(to) || lastTarget < 0 || lastTarget >= int64(to) {
			return false
		}
	}
	return true
}

// validStrings reports whether every string of strs (see stringFix) is
// a string's place in arenas, aligned, with its bytes in a blob of n.
func validStrings(strs []uint64, arenas []imageArena, n int) bool {
	for w := strs; len(w) >= 2; w = w[2:] {
		f := stringAt(w[0], w[1])
		if f.slot.arena >= len(arenas) || f.slot.off%ptrSize != 0 || f.slot.off+2*ptrSize > arenas[f.slot.arena].size() ||
			f.off+f.n > n {
			return false
		}
	}
	return true
}

// littleEndian is whether this machine stores numbers as the image file
// does.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// le64 returns b, little-endian uint64s: b itself where it can (this
// machine little-endian, b aligned), a copy otherwise.
func le64(b []byte) []uint64 {
	n := len(b) / 8
	if n == 0 {
		return nil
	}
	if p := unsafe.Pointer(unsafe.SliceData(b)); littleEndian && uintptr(p)%8 == 0 {
		return unsafe.Slice((*uint64)(p), n)
	}
	w := make([]uint64, n)
	for i := range w {
		w[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return w
}
