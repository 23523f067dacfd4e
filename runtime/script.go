package runtime

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// fileOptions are the Starlark dialect of kscript scripts: while loops,
// if/for at top level, reassignment of globals, sets and recursion, so that
// C code ports line by line.
var fileOptions = &syntax.FileOptions{
	While:           true,
	TopLevelControl: true,
	GlobalReassign:  true,
	Set:             true,
	Recursion:       true,
}

// script is a module script made available as NAME.ko by LoadScript: the
// compiled program and what its probe run declared.
type script struct {
	path string // as given to LoadScript; positions use it
	name string // the module name: what insmod, lsmod and reports use
	ko   string // NAME.ko
	src  []byte
	prog *starlark.Program

	predeclared starlark.StringDict // the universe plus THIS_MODULE
	probe       *instance           // declarations learnt by LoadScript

	// programsOnly marks a programs file (LoadPrograms): its top level
	// may declare user programs, not a module.
	programsOnly bool
}

// instance is one run of a script's top level: the probe run, or the run of
// a load (each insmod runs the top level afresh, so statics start fresh as a
// C module's .data does). It collects the declarations made at file scope.
type instance struct {
	s       *script
	globals starlark.StringDict

	init, exit starlark.Callable
	tags       []modinfoTag // MODULE_LICENSE and friends, in declaration order
	params     []*moduleParam
	values     map[string]starlark.Value // parameter values given to insmod
	dyndbg     bool                      // insmod dyndbg=+p: pr_debug prints
	programs   []userProgram
	statics    []*staticBuf
	dataSize   uint64     // bytes of static_buffers, with KASAN redzones
	kmod       kmodHandle // kernelsim's struct module (loads only)
	image      bool       // a user program's own copy of its file's globals
}

type modinfoTag struct{ key, value string }

// userProgram is a program registered with user_program(name, main).
type userProgram struct {
	name string
	main starlark.Callable
}

// staticBuf is a static_buffer: a C array with static storage in the
// module's data section.
type staticBuf struct {
	name string // the global it is bound to, once known
	off  uint64
	size uint64
}

// moduleNameOf mirrors how kbuild names a module after its file: the stem,
// with '-' read as '_' (KBUILD_MODNAME).
func moduleNameOf(path, override string) string {
	name := override
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return strings.ReplaceAll(name, "-", "_")
}

// checkModuleName rejects names insmod could not use (MODULE_NAME_LEN).
func checkModuleName(name string) error {
	if name == "" || len(name) > 55 {
		return fmt.Errorf("module name %q: want 1 to 55 characters", name)
	}
	for _, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return fmt.Errorf("module name %q: want letters, digits and '_'", name)
		}
	}
	return nil
}

// compile parses and resolves a script against the machine's predeclared
// names; an unknown name is a compile error with its position. The script
// gets, as its predeclared names, only those its program uses (uses,
// kept with the program): the kernel API's values (apiValue, made group
// by group when first used), the sandbox's builtins over them, and its
// THIS_MODULE.
func (m *Machine) compile(path string, src []byte, name string) (*script, error) {
	s := &script{path: path, name: name, ko: name + ".ko", src: src}
	n := m.npredeclared()
	key := programKey(path, src, n)
	c := compiled.get(key)
	if c.prog == nil {
		file := programFile(path, src, n) // progcache.go
		if c = readProgram(file); c.prog != nil {
			compiled.put(key, c)
		} else {
			f, err := fileOptions.Parse(path, src, 0)
			if err != nil {
				return nil, compileError(err)
			}
			sandboxFile(f) // sandbox.go: size and depth guards
			prog, err := starlark.FileProgram(f, m.isPredeclared)
			if err != nil {
				return nil, compileError(err)
			}
			c = compiledProgram{prog, predeclaredUses(f)}
			compiled.put(key, c)
			if file != "" {
				writeProgram(file, c)
			}
		}
	}
	s.prog = c.prog
	s.predeclared = make(starlark.StringDict, len(c.uses))
	for _, name := range c.uses {
		s.predeclared[name] = m.predeclaredValue(s, name)
	}
	return s, nil
}

// isPredeclared reports whether name is predeclared in every script: a
// name of the kernel API or of the sandbox's builtins.
func (m *Machine) isPredeclared(name string) bool {
	if _, ok := m.sandbox[name]; ok {
		return true
	}
	_, ok := lookupRef(name)
	return ok
}

// npredeclared is how many names a script is compiled against (the API
// table's and the sandbox's, THIS_MODULE among the table's): a guard in a
// compiled program's keys. Every machine's sandbox has the same names
// (sandboxBuiltins), so the count is made once per process.
func (m *Machine) npredeclared() int {
	if n := npredeclaredCount.Load(); n != 0 {
		return int(n)
	}
	n := len(apiIndex)
	for name := range m.sandbox {
		if _, ok := lookupRef(name); !ok {
			n++
		}
	}
	npredeclaredCount.Store(int64(n))
	return n
}

var npredeclaredCount atomic.Int64

// predeclaredValue is the value of the predeclared name for script s: its
// module for THIS_MODULE, a sandbox builtin, or the kernel API's.
func (m *Machine) predeclaredValue(s *script, name string) starlark.Value {
	if name == "THIS_MODULE" {
		return Module{s: s}
	}
	if v, ok := m.sandbox[name]; ok {
		return v
	}
	r, _ := lookupRef(name)
	return apiValue(r, m.env)
}

// predeclaredUses returns the predeclared names a resolved file uses,
// sorted: its identifiers the resolver bound to a predeclared name, which
// are the names the compiled program looks up in the predeclared
// dictionary (Starlark's PREDECLARED instruction), and no others.
func predeclaredUses(f *syntax.File) []string {
	seen := map[string]bool{}
	syntax.Walk(f, func(n syntax.Node) bool {
		if id, ok := n.(*syntax.Ident); ok {
			if b, ok := id.Binding.(*resolve.Binding); ok && b.Scope == resolve.Predeclared {
				seen[id.Name] = true
			}
		}
		return true
	})
	return slices.Sorted(maps.Keys(seen))
}

// compiled holds the programs compiled in this process, by path and
// source: grading compiles the same files (the lesson's programs files, a
// submission run by several checks) once per machine, and a compiled
// program is immutable (each Init runs it afresh, with globals of its own,
// and may run on any goroutine). What a program resolves against, the
// predeclared names, is the same for every machine (the APIs and the
// sandbox's builtins, plus THIS_MODULE); their count is in the key as a
// guard. Programs that do not compile are not kept: their errors are made
// afresh each time. The key is the source itself: comparing it costs less
// than hashing it with SHA-256 did, and cannot collide.
var compiled = programCache{m: make(map[string]compiledProgram)}

// A compiledProgram is a program and the predeclared names it uses
// (predeclaredUses).
type compiledProgram struct {
	prog *starlark.Program
	uses []string
}

// maxCompiled and maxCompiledBytes bound the cache: past either, the cache
// starts over (a batch of distinct submissions compiles each once anyway).
const (
	maxCompiled      = 512
	maxCompiledBytes = 16 << 20
)

type programCache struct {
	mu    sync.Mutex
	m     map[string]compiledProgram
	bytes int // the keys' length in all
}

func programKey(path string, src []byte, npredeclared int) string {
	return strconv.Itoa(npredeclared) + "\x00" + path + "\x00" + string(src)
}

func (c *programCache) get(key string) compiledProgram {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

func (c *programCache) put(key string, prog compiledProgram) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCompiled || c.bytes+len(key) > maxCompiledBytes {
		clear(c.m)
		c.bytes = 0
	}
	if _, ok := c.m[key]; !ok {
		c.bytes += len(key)
	}
	c.m[key] = prog
}

// runTopLevel runs a script's top level for inst: the probe (w ==
// whereProbe) or a load (whereFile). It binds static_buffers to the
// globals they were assigned to, for reports.
func (m *Machine) runTopLevel(inst *instance, w where) error {
	var globals starlark.StringDict
	err := m.enter(inst, w, func(t *starlark.Thread) error {
		var err error
		globals, err = inst.s.prog.Init(t, inst.s.predeclared)
		return err
	})
	inst.globals = globals
	inst.nameStatics()
	for _, sb := range inst.statics { // __asan_register_globals: KASAN's redzones after each
		if w == whereFile {
			m.k.KasanPoisonGlobal(inst.dataAddr(sb.off), sb.size, alignUp(sb.size, staticAlign)+staticRedzone, sb.name)
		}
	}
	return err
}

// nameStatics names each static buffer after the global holding it.
func (inst *instance) nameStatics() {
	for _, name := range inst.globals.Keys() { // sorted
		p, ok := inst.globals[name].(Ptr)
		if !ok || p.flags&ptrArray == 0 {
			continue
		}
		for _, sb := range inst.statics {
			if sb.name == "" && p.addr == inst.dataAddr(sb.off) {
				sb.name = name
			}
		}
	}
}

// program returns the user program name declared by inst.
func (inst *instance) program(name string) (userProgram, bool) {
	for _, p := range inst.programs {
		if p.name == name {
			return p, true
		}
	}
	return userProgram{}, false
}
