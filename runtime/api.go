package runtime

import (
	"fmt"
	"sync"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// API is one entry of the kernel API table: a predeclared Starlark name with
// the kernel's spelling, its C declaration and what it simulates in English
// and Thai. The table is both what scripts see and the source of truth for
// `kscript doc`.
type API struct {
	Name  string // the Starlark name, the kernel's: "kmalloc"
	C     string // the C declaration: "void *kmalloc(size_t size, gfp_t flags)"
	Group string // the DESIGN §4 group: "Slab", "Pages", ...
	Scope Scope  // where scripts may use it
	En    string // what it simulates, in English (one paragraph)
	Th    string // the same in Thai

	fn apiFunc // the builtin; nil for a constant
	// v is a constant's value when every machine has the same (a plain
	// Starlark number, string or None: immutable), made with the table;
	// own makes the value of a constant that belongs to a machine (NULL is
	// a Ptr of its env), for each machine. A function has neither.
	v   starlark.Value
	own func(*env) starlark.Value
	// docs, when set, fills in C, En and Th: made by APIs and LookupAPI,
	// for documentation, not for every machine's universe (the errno
	// constants' are formatted).
	docs func(*API)
}

// Doc returns a's description in lang ("th" or "en"; English otherwise).
func (a API) Doc(lang string) string {
	if lang == "th" && a.Th != "" {
		return a.Th
	}
	return a.En
}

// IsConst reports whether a is a constant rather than a function.
func (a API) IsConst() bool { return a.fn == nil }

// Scope says where a script may use a predeclared name.
type Scope uint8

const (
	// ScopeAny: constants and pure helpers (sizeof, get_order), anywhere.
	ScopeAny Scope = iota
	// ScopeDecl: declarations (MODULE_LICENSE, module_init, static_buffer),
	// only at a module script's top level, as in C.
	ScopeDecl
	// ScopeKernel: kernel functions, only in kernel code (init, exit,
	// callbacks), never at file scope nor in a user program.
	ScopeKernel
	// ScopeCode: functions both worlds have (memset, strlen): kernel code
	// and user programs, not at file scope.
	ScopeCode
	// ScopeUser: the C library and system calls of user programs.
	ScopeUser
)

// String names the scope for documentation.
func (s Scope) String() string {
	return [...]string{"anywhere", "file scope", "kernel code", "kernel code and user programs", "user programs"}[s]
}

// apiFunc is the Go side of a builtin. It receives the call (env, thread,
// name) by value, so that dispatch costs no allocation.
type apiFunc func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

// APIs returns the whole kernel API table in documentation order, every
// entry documented. The table is built once, group by group as scripts
// use its names (apiGroup); callers get their own copy.
func APIs() []API {
	var out []API
	for _, g := range apiGroups() {
		for _, a := range g {
			out = append(out, a.documented())
		}
	}
	return out
}

// apiGroups is the whole table, group by group as the api_*.go files make
// them (not copied into one slice), shared and read-only: entries with a
// docs function are not documented yet.
func apiGroups() [][]API {
	apisOnce.Do(func() {
		apisTable = make([][]API, len(apiBuilders))
		for g := range apiBuilders {
			apisTable[g] = apiGroup(g).apis
		}
	})
	return apisTable
}

var (
	apisOnce  sync.Once
	apisTable [][]API
)

// apiBuilders make the table's groups, in documentation order; apiIndex
// refers to them by their place here.
var apiBuilders = [...]func() []API{
	moduleAPIs, stateAPIs, memAPIs, slabAPIs, pageAPIs,
	vmallocAPIs, gfpAPIs, printkAPIs, errnoAPIs,
	contextAPIs, deferredAPIs, chrdevAPIs, uaccessAPIs, userAPIs,
}

// A builtGroup is one group of the table, made when a script first uses
// one of its names (apiGroup): its entries, and the value of each that
// every machine shares (the builtin of a function, a plain constant's
// value; nil for a constant of a machine's own, API.own).
type builtGroup struct {
	once sync.Once
	apis []API
	vals []starlark.Value
}

var builtGroups [len(apiBuilders)]builtGroup

// apiGroup returns group g of the table, made on first use.
func apiGroup(g int) *builtGroup {
	b := &builtGroups[g]
	b.once.Do(func() {
		b.apis = apiBuilders[g]()
		b.vals = make([]starlark.Value, len(b.apis))
		for i := range b.apis {
			switch a := &b.apis[i]; {
			case a.fn != nil:
				b.vals[i] = a.builtin()
			case a.own == nil:
				b.vals[i] = a.v
			}
		}
	})
	return b
}

// An apiRef places a name of the table: its group (apiBuilders) and its
// index in the group. For a plain integer constant that every machine
// shares (an errno, a GFP flag), it also holds the value, so that a
// script using ENOMEM or GFP_KERNEL does not make the constant's whole
// group (some 130 errno entries, a few pages of heap) for one number.
type apiRef struct {
	name     string
	group, i uint16
	isInt    bool  // the entry is a constant with the value v
	v        int64 // when isInt
}

// lookupRef returns the place of a name of the table in apiIndex, the
// sorted list of every name (api_index.go, generated and checked by
// TestAPIIndex): static data the linker lays out, so that resolving a
// script's names builds nothing. A run used to build the whole table, 324
// entries and a builtin for each of 194 functions, and a map of every
// name (some 270,000 instructions and a dozen pages); now it makes the
// groups of the names its scripts use.
func lookupRef(name string) (apiRef, bool) {
	lo, hi := 0, len(apiIndex)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch n := apiIndex[m].name; {
		case n < name:
			lo = m + 1
		case n > name:
			hi = m
		default:
			return apiIndex[m], true
		}
	}
	return apiRef{}, false
}

// apiValue returns the value of the table's name r for machine e: the
// value every machine shares, or the machine's own (NULL).
func apiValue(r apiRef, e *env) starlark.Value {
	if r.isInt {
		return starlark.MakeInt64(r.v)
	}
	b := apiGroup(int(r.group))
	if v := b.vals[r.i]; v != nil {
		return v
	}
	return b.apis[r.i].own(e)
}

// documented returns a with its documentation filled in.
func (a API) documented() API {
	if a.docs != nil {
		a.docs(&a)
		a.docs = nil
	}
	return a
}

// LookupAPI returns the table entry for a predeclared name.
func LookupAPI(name string) (API, bool) {
	for _, g := range apiGroups() {
		for _, a := range g {
			if a.Name == name {
				return a.documented(), true
			}
		}
	}
	return API{}, false
}

// universe returns the predeclared kernel API of m's machine, every name
// of the table with its value, in a map of the caller's own. Scripts get
// only the names they use (compile); this is for suggestions of a name
// (spell.go).
func (m *Machine) universe() starlark.StringDict {
	u := make(starlark.StringDict, len(apiIndex))
	for _, r := range apiIndex {
		u[r.name] = apiValue(r, m.env)
	}
	return u
}

// builtin wraps a's Go function: it finds the env, enforces a's scope and
// passes the call on. a is an entry of the shared table (apiGroups), which
// is never changed: its Name is the builtin's one name pointer.
func (a *API) builtin() *starlark.Builtin {
	return starlark.NewBuiltin(a.Name, func(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		e := envOf(t)
		if e == nil {
			return nil, fmt.Errorf("%s: called outside a kscript machine", b.Name())
		}
		if err := e.checkScope(a.Scope, b.Name()); err != nil {
			return nil, err
		}
		e.stackGen++
		v, err := a.fn(call{e: e, t: t, name: a.Name, api: &a.Name}, args, kwargs)
		if cerr := e.chargeWork(t); cerr != nil && err == nil {
			return nil, cerr
		}
		return v, err
	})
}

// checkScope rejects a call of a builtin where C would not allow it.
func (e *env) checkScope(s Scope, name string) error {
	switch {
	case s == ScopeAny:
		return nil
	case s == ScopeDecl && !e.atFileScope():
		return fmt.Errorf("%s: a declaration, allowed only at file scope (the top level of a module script)", name)
	case s == ScopeDecl && e.mod != nil && e.mod.s.programsOnly && name != "user_program":
		return fmt.Errorf("%s: a module declaration in a programs file, which declares user programs only: declare the module in its own script", name)
	case s == ScopeDecl:
		return nil
	case e.atFileScope():
		return fmt.Errorf("%s: called at file scope, where C has only static initialisers: call it from the init function", name)
	case s == ScopeKernel && e.where == whereUser:
		return fmt.Errorf("%s: a kernel function, called from a user program: user space reaches the kernel only through system calls (open, read, write, ioctl)", name)
	case s == ScopeUser && e.where != whereUser:
		return fmt.Errorf("%s: a C library function, not available in kernel code: use printk/pr_info, kmalloc/kfree", name)
	}
	return nil
}

// intConst returns the value of an integer constant (API.v).
func intConst[T ~int | ~int64 | ~uint32](v T) starlark.Value { return starlark.MakeInt64(int64(v)) }

// uintConst returns the value of an unsigned long constant (API.v).
func uintConst(v uint64) starlark.Value { return starlark.MakeUint64(v) }

// strConst returns the value of a string constant (API.v).
func strConst(s string) starlark.Value { return starlark.String(s) }

// call is one invocation of a builtin: the machine's env, the thread and
// the builtin's name (for error messages).
type call struct {
	e    *env
	t    *starlark.Thread
	name string
	api  *string // the table entry's name: one pointer per builtin, for the call log
}

// k returns the simulated kernel.
func (c call) k() *kernelsim.Kernel { return c.e.k }

// unpack unpacks the arguments as starlark.UnpackArgs does, under c's name.
func (c call) unpack(args starlark.Tuple, kwargs []starlark.Tuple, pairs ...any) error {
	return starlark.UnpackArgs(c.name, args, kwargs, pairs...)
}

// errorf returns an error "name: detail".
func (c call) errorf(format string, args ...any) error {
	return fmt.Errorf(c.name+": "+format, args...)
}

// ptr returns a kernel pointer value for a (boxed: see env.ptrValue).
func (c call) ptr(a kernelsim.Addr) starlark.Value { return c.e.ptrValue(a) }

// The kernel functions between might_alloc() and the script, innermost
// first, for the allocation builtins (slab_pre_alloc_hook and
// prepare_alloc_pages are inlined into these).
var (
	kmallocFrames      = []string{"__kmem_cache_alloc_node+0x15d/0x2b0", "kmalloc_trace+0x26/0x90"}
	kmallocLargeFrames = []string{"__alloc_pages+0x1b7/0x330", "__kmalloc_large_node+0x7a/0x140", "__kmalloc+0xc4/0x150"}
	cacheAllocFrames   = []string{"kmem_cache_alloc+0x15d/0x2b0"}
	allocPagesFrames   = []string{"__alloc_pages+0x1b7/0x330"}
	vmallocFrames      = []string{"__kmem_cache_alloc_node+0x15d/0x2b0", "__kmalloc_node+0x4c/0x150", "__get_vm_area_node+0x6e/0x140", "__vmalloc_node_range+0xa9/0x810", "vmalloc+0x4b/0x60"}
)

// mightAlloc mirrors might_alloc(gfp), the first thing every slab and page
// allocation does: an allocation that may sleep made in atomic context is
// reported ("BUG: sleeping function called from invalid context"), and
// the allocation goes on, as on Linux.
func (c call) mightAlloc(gfp kernelsim.GFP, frames []string) {
	c.k().MightAlloc(gfp, frames...)
}
