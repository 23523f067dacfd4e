package runtime

import (
	"sort"
	"strconv"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// maxDanglingValues bounds the values Dangling looks at: a module that
// keeps a list of a million pointers is looked at in part.
const maxDanglingValues = 4096

// Dangling names the pointers the loaded modules keep in their static()
// records that point into memory freed since it was allocated, in module,
// global and field order: "g.my_buffer", or "g.bufs[2]" for one in a list,
// tuple or dict kept in a field. It is the C habit lesson 2 teaches seen
// from the module's globals: after kfree(p), p = NULL, so that nothing is
// left pointing at the freed object (kernelsim's Freed: a freed slab
// object, free pages, a vfree'd area). NULL, user-space pointers and
// memory still allocated are not dangling. It reads, and changes nothing.
func (m *Machine) Dangling() []string {
	var names []string
	for _, mod := range m.Loaded() {
		inst := m.loaded[mod]
		for _, g := range inst.globals.Keys() { // sorted
			s, ok := inst.globals[g].(*Static)
			if !ok {
				continue
			}
			w := danglingWalk{k: m.k, budget: maxDanglingValues}
			for _, f := range s.names {
				w.walk(g+"."+f, s.fields[f], 0)
			}
			names = append(names, w.found...)
		}
	}
	return names
}

type danglingWalk struct {
	k      *kernelsim.Kernel
	budget int
	found  []string
}

// walk looks at v, named name, and into the lists, tuples and dicts it
// holds, to a depth of 3.
func (w *danglingWalk) walk(name string, v starlark.Value, depth int) {
	if w.budget <= 0 {
		return
	}
	w.budget--
	switch v := v.(type) {
	case Ptr:
		if v.addr != 0 && !v.IsUser() && w.k.Freed(v.addr) {
			w.found = append(w.found, name)
		}
	case Page:
		if w.k.PFNValid(v.pfn) && w.k.Freed(kernelsim.PageAddress(v.pfn)) {
			w.found = append(w.found, name)
		}
	case *starlark.List:
		w.walkSeq(name, v, depth)
	case starlark.Tuple:
		w.walkSeq(name, v, depth)
	case *starlark.Dict:
		if depth >= 3 {
			return
		}
		items := v.Items()
		sort.SliceStable(items, func(i, j int) bool { return items[i][0].String() < items[j][0].String() })
		for _, kv := range items {
			w.walk(name+"["+kv[0].String()+"]", kv[1], depth+1)
		}
	}
}

func (w *danglingWalk) walkSeq(name string, v starlark.Indexable, depth int) {
	if depth >= 3 {
		return
	}
	for i := range min(v.Len(), w.budget) {
		w.walk(name+"["+strconv.Itoa(i)+"]", v.Index(i), depth+1)
	}
}
