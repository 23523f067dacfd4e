package runtime

import (
	"cmp"
	"fmt"
	"slices"

	"kscript.dev/kscript/kernelsim"
)

// A KeptWatch follows, in a run without fault injection, the allocations
// that make calls of one fault kind (kernelsim.FaultTarget) and what
// becomes of their objects, so that a fault-injection check (fail_kept:)
// can tell whether the call its fail: spec TARGET:nth=N fails is one whose
// object the module keeps, and which calls are: a module that makes
// throwaway allocations first, checks them and frees them, and never
// checks the allocations it keeps, gets the injected failure on a
// throwaway.
//
// Calls are numbered as the fault attribute counts them (FailSpec.Calls:
// the calls asked about that could fail), which is what nth counts: the
// run with nth=N armed is this run up to its Nth call. An allocation is
// given the number its attribute's count has after it, when the count
// moved during the call (a kmem_cache_alloc asks once; a kmem_cache_alloc
// that grows its cache asks page_alloc once for the slab's pages, and that
// failure fails the kmem_cache_alloc). An object is kept when it is still
// allocated at the end of step Until (the last step of the check's own
// steps): not freed during those steps, by init or by anything else.
//
// The watch costs nothing where it is not armed (a nil test per
// allocation and per free); armed, it holds an entry per live object of
// that kind made during those steps.
type KeptWatch struct {
	target kernelsim.FaultTarget
	nth    uint64
	until  int32
	seen   uint64 // the attribute's count after the last allocation watched
	armed  bool   // the kernel counts calls of target (a fault attribute is set)
	live   map[kernelsim.Addr]keptObject
	nthAt  keptObject // the Nth call's allocation, when one made it (ord == nth)
}

// keptObject is a watched allocation: its call's number and its caller,
// the step it was made in and the step its object was freed in (0 while
// it is allocated; an allocation that returned NULL has no object).
type keptObject struct {
	ord    uint64
	pos    kernelsim.Frame
	step   int32
	freed  int32
	object bool
}

// KeptCall is a watched allocation, as KeptWatch reports it.
type KeptCall struct {
	Nth   uint64 // its number among the calls of the kind (as nth counts)
	Pos   string // the script position of the call: "mod.star:27:30"
	Step  int    // the step it was made in
	Freed int    // the step its object was freed in; 0 while allocated
	Kept  bool   // it returned an object still allocated at the end of the watched steps
}

// WatchKept arms a KeptWatch on the machine's calls of fault kind target
// made and freed up to the end of step until (1-based), and names the
// Nth. The kernel must count that kind's calls (a fault attribute armed
// for target, such as "kmalloc:probability=0"), else the watch sees none
// (Counted). Call it before the run's first step.
func (m *Machine) WatchKept(target kernelsim.FaultTarget, nth uint64, until int) *KeptWatch {
	w := &KeptWatch{target: target, nth: nth, until: int32(until), live: map[kernelsim.Addr]keptObject{}}
	w.seen, w.armed = m.k.FaultCalls(target)
	m.env.calls.watch = append(m.env.calls.watch, w)
	return w
}

// Counted reports whether the kernel counted the calls the watch follows.
func (w *KeptWatch) Counted() bool { return w.armed }

// NthCall returns the Nth call, if an allocation made it (one the script
// called: not one kscript does not record, such as kmem_cache_create's).
func (w *KeptWatch) NthCall() (KeptCall, bool) {
	if w.nthAt.ord != w.nth || w.nth == 0 {
		return KeptCall{}, false
	}
	return w.nthAt.export(), true
}

// KeptCall returns the call whose failure stands for the Nth's when the
// Nth call's object is not kept: the first call after the Nth whose
// object the module kept, else the last one before it. It returns false
// when the module kept no object of the kind. The choice depends only on
// the calls' numbers, never on the order of a map.
func (w *KeptWatch) KeptCall() (KeptCall, bool) {
	var after, before keptObject
	for _, o := range w.live {
		switch {
		case o.ord >= w.nth && (after.ord == 0 || o.ord < after.ord):
			after = o
		case o.ord < w.nth && o.ord > before.ord:
			before = o
		}
	}
	switch {
	case after.ord != 0:
		return after.export(), true
	case before.ord != 0:
		return before.export(), true
	}
	return KeptCall{}, false
}

// KeptSites returns, for each script position whose calls made objects
// the module kept, the first of those calls, in the order of their
// numbers: the failure of one stands for its position's, and a module
// whose kept objects come from several positions (spare objects kept
// beside the ones it uses) must handle each position's.
func (w *KeptWatch) KeptSites() []KeptCall {
	first := map[kernelsim.Frame]keptObject{}
	for _, o := range w.live {
		if f, ok := first[o.pos]; !ok || o.ord < f.ord {
			first[o.pos] = o
		}
	}
	out := make([]KeptCall, 0, len(first))
	for _, o := range first {
		out = append(out, o.export())
	}
	slices.SortFunc(out, func(a, b KeptCall) int { return cmp.Compare(a.Nth, b.Nth) })
	return out
}

// KeptCalls returns every call whose object the module kept, in the order
// of their numbers.
func (w *KeptWatch) KeptCalls() []KeptCall {
	out := make([]KeptCall, 0, len(w.live))
	for _, o := range w.live {
		out = append(out, o.export())
	}
	slices.SortFunc(out, func(a, b KeptCall) int { return cmp.Compare(a.Nth, b.Nth) })
	return out
}

func (o keptObject) export() KeptCall {
	return KeptCall{Nth: o.ord, Pos: fmt.Sprintf("%s:%d:%d", o.pos.File, o.pos.Line, o.pos.Col), Step: int(o.step),
		Freed: int(o.freed), Kept: o.object && o.freed == 0}
}

// watchAlloc notes an allocation that returned a (0: it failed) made by
// the caller at pos, for every armed watch.
func (l *callLog) watchAlloc(a kernelsim.Addr, pos *kernelsim.Frame) {
	for _, w := range l.watch {
		if !w.armed || l.step > w.until || l.k == nil {
			continue
		}
		n, _ := l.k.FaultCalls(w.target)
		if n == w.seen {
			continue // the call asked nothing of this kind
		}
		w.seen = n
		o := keptObject{ord: n, step: l.step, object: a != 0}
		if pos != nil {
			o.pos = *pos
		}
		if n == w.nth {
			w.nthAt = o
		}
		if a != 0 {
			w.live[a] = o
		}
	}
}

// watchFree notes that the object at a was freed, for every armed watch.
func (l *callLog) watchFree(a kernelsim.Addr) {
	for _, w := range l.watch {
		if !w.armed || l.step > w.until {
			continue
		}
		o, ok := w.live[a]
		if !ok {
			continue
		}
		delete(w.live, a)
		if o.ord == w.nth && w.nthAt.ord == w.nth && w.nthAt.freed == 0 {
			w.nthAt.freed = l.step
		}
	}
}
