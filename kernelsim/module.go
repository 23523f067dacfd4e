package kernelsim

import "fmt"

// Loadable modules, mirroring kernel/module/main.c: what insmod and rmmod
// ask of the kernel, and the state a module goes through.
//
//	insmod (finit_module)                              rmmod (delete_module)
//	  load_module: taint checks, module_alloc()           refcount 0? state LIVE?
//	  state COMING ──▶ init() ──▶ LIVE ─────────────────▶ GOING ──▶ exit() ──▶ freed
//	                      │ returns -errno ──▶ GOING ──▶ freed
//	                      └ Oopses: stays COMING for ever ("Loading" in lsmod)
//
// A module's memory comes from module_alloc(): vmalloc-style areas in the
// module space, one for the core (text, read-only data, data and bss, the
// symbol table) and one for init code and data, freed once init succeeds.
// kscript's runtime runs a script's init and exit functions; kernelsim keeps
// the module's state, memory, taints and parameters. The runtime's calls:
//
//	insmod: m, err := LoadModule(spec, args)   // taint lines, memory, params; COMING
//	        run init → ret                      // m.DataAddr(off): static buffers
//	        err = ModuleInitReturned(m, ret)    // LIVE, or freed and -ret returned
//	        (init Oopsed: call nothing; m stays COMING, "Loading", refcount 1)
//	rmmod:  err := ModuleUnload(m)              // *UnloadError, or GOING
//	        run exit
//	        ModuleFree(m)                       // "[last unloaded: m(OE)]"
//	        (exit Oopsed: call nothing; m stays GOING, "Unloading")

// ModuleState mirrors enum module_state (include/linux/module.h).
type ModuleState int

// Module states with Linux's values.
const (
	ModuleLive     ModuleState = iota // MODULE_STATE_LIVE: normal state
	ModuleComing                      // MODULE_STATE_COMING: fully formed, running init
	ModuleGoing                       // MODULE_STATE_GOING: going away
	ModuleUnformed                    // MODULE_STATE_UNFORMED: still setting up
)

func (s ModuleState) String() string {
	return [...]string{"live", "coming", "going", "unformed"}[s]
}

// ModuleSpec is what insmod hands the kernel: the module's name, its
// .modinfo strings and the sizes of its ELF sections. kscript's runtime
// fills it from a script.
type ModuleSpec struct {
	Name string // MODULE_NAME_LEN-1 (55) bytes at most
	// .modinfo: MODULE_LICENSE, MODULE_AUTHOR, MODULE_DESCRIPTION,
	// MODULE_VERSION and modpost's srcversion.
	License, Author, Description, Version, SrcVersion string
	// InTree and Signed are false for every script: it is an out-of-tree,
	// unsigned module, which taints the kernel O and E.
	InTree, Signed bool
	// Section sizes in bytes; zero means "small" (one page each).
	// TextSize is .text (and .exit.text), RODataSize the read-only data,
	// DataSize .data and .bss, where static variables and buffers live
	// (see Module.DataAddr), InitSize .init.text and .init.data.
	TextSize, RODataSize, DataSize, InitSize uint64
	// HasInit and HasExit say whether module_init() and module_exit()
	// were given; a module with init but no exit cannot be unloaded
	// ("[permanent]"). InitFunc names the init function, whose code lives
	// in the init section.
	HasInit, HasExit bool
	InitFunc         string
	// ExitAt is where the exit function is defined (kscript's reports of
	// what it failed to undo name it); zero when unknown.
	ExitAt Frame
	// Params are the module_param()s with their default values.
	Params []ModuleParam
}

// Module mirrors struct module (include/linux/module.h): a loaded module.
type Module struct {
	Name  string
	State ModuleState
	// Info is the spec the module was loaded from: its .modinfo strings
	// and layout.
	Info ModuleSpec
	// Params are the parameters with their current values, as
	// /sys/module/NAME/parameters shows them.
	Params []ModuleParam

	taints uint32 // mod->taints: TAINT_* bits, /proc/modules "(OE)"
	// refcnt is module_refcount(): references beyond MODULE_REF_BASE.
	// It is 1 while init runs, -1 once delete_module dropped the base.
	refcnt int
	core   *VMStruct // core_layout: text | rodata | data, bss, symbols
	init   *VMStruct // init_layout, nil once freed
	// initBase is where the init layout was: the address an init
	// function's caller has after the memory is gone.
	initBase Addr
	// The layout: section offsets in the core area, sizes as
	// /proc/modules adds them up.
	roOff, dataOff, coreSize, initSize uint64
	users                              []*Module // source_list: modules using this one, newest first
	uses                               []*Module // target_list
	// syms are the module's script functions' symbols (symFor): nil
	// until the first, as for every boot module, so that a boot image
	// (runtime/grade/kclone) holds no map of them to rebuild in every copy.
	syms   map[string]*modSym
	symEnd uint64 // end of the last symbol placed in .text
	boot   bool   // loaded during boot, in-tree
}

// modSym is a script function's symbol in the module's kallsyms.
type modSym struct {
	off, size uint64 // offset in its section, and size
	init      bool   // in .init.text
}

// moduleState holds the list of loaded modules (the kernel's modules list)
// and what print_modules() remembers.
type moduleState struct {
	list         []*Module // newest first, as list_add_rcu(&mod->list, &modules)
	lastUnloaded string    // last_unloaded_module: name and taint flags
	verifyWarned bool      // pr_notice_once of the signature check
}

// Module errors the runtime maps to insmod's and rmmod's messages.
var (
	// ErrModuleExists is add_unformed_module()'s -EEXIST.
	ErrModuleExists = EEXIST
)

// UnloadError is why a module cannot be removed. InUse is kmod's own check,
// made before delete_module(2): the module has holders (Holders lists them:
// "Module libata is in use by: ata_piix ata_generic") or a non-zero
// reference count ("Module x is in use"). Otherwise Errno is what
// delete_module(2) returned: EBUSY for a module still loading, already
// going, or with init but no exit ("could not remove module x: Device or
// resource busy").
type UnloadError struct {
	Name    string
	Errno   Errno
	InUse   bool
	Holders []string
}

func (e *UnloadError) Error() string {
	return fmt.Sprintf("delete_module: %s: %s", e.Name, e.Errno.Error())
}

// Unwrap lets errors.Is(err, EBUSY) work.
func (e *UnloadError) Unwrap() error { return e.Errno }

// FindModule mirrors find_module(): the loaded module called name, or nil.
func (k *Kernel) FindModule(name string) *Module {
	for _, m := range k.mods.list {
		if m.Name == name && m.State != ModuleUnformed {
			return m
		}
	}
	return nil
}

// Modules returns the loaded modules in /proc/modules order, newest first.
func (k *Kernel) Modules() []*Module {
	out := make([]*Module, 0, len(k.mods.list))
	for _, m := range k.mods.list {
		if m.State != ModuleUnformed {
			out = append(out, m)
		}
	}
	return out
}

// LoadModule mirrors load_module() up to the call of init: it checks the
// module's .modinfo (printing the taint lines Linux prints), allocates its
// memory with module_alloc(), refuses a second module of the same name
// (EEXIST), parses the insmod arguments ("name=value") into its parameters
// (EINVAL on a bad value) and leaves it COMING, holding the reference
// count init runs under. The caller then runs init and reports the result
// with ModuleInitReturned. Errors are Errno values, as finit_module(2)
// returns them.
func (k *Kernel) LoadModule(spec ModuleSpec, args []string) (*Module, error) {
	m := k.newModule(spec)
	k.checkModinfo(m)
	if err := k.moveModule(m); err != nil {
		return nil, err
	}
	if k.FindModule(m.Name) != nil {
		k.freeModuleMemory(m)
		return nil, ErrModuleExists
	}
	k.mods.list = append([]*Module{m}, k.mods.list...)
	if !spec.Signed && !spec.InTree {
		k.moduleSigCheckFailed(m)
	}
	m.refcnt = 1 // module_unload_init(): held during initialization
	m.State = ModuleComing
	if err := k.parseModuleArgs(m, args); err != nil {
		k.freeModule(m)
		return nil, err
	}
	k.tick(30_000)
	return m, nil
}

// newModule mirrors layout_and_allocate()'s sizing (layout_sections and
// layout_symtab with CONFIG_STRICT_MODULE_RWX): text, read-only data and
// writable data each start on a page (strict_align), and the core symbol
// and string tables follow the data on a page of their own (debug_align),
// so the smallest module is four pages: "hello_kmalloc 16384" in lsmod, as
// on Debian 12's 6.1.
func (k *Kernel) newModule(spec ModuleSpec) *Module {
	text := pageAlign(max(spec.TextSize, 1))
	ro := pageAlign(max(spec.RODataSize, 1))
	data := pageAlign(spec.DataSize + thisModuleSize)
	m := &Module{Name: spec.Name, State: ModuleUnformed, Info: spec, syms: map[string]*modSym{}}
	m.Params = append([]ModuleParam(nil), spec.Params...)
	m.roOff, m.dataOff = text, text+ro
	m.coreSize = text + ro + data + pageAlign(symtabSize)
	m.initSize = pageAlign(max(spec.InitSize, 1))
	return m
}

// thisModuleSize is sizeof(struct module) on Debian 6.1 (the
// .gnu.linkonce.this_module section); symtabSize a small module's core
// symbol and string tables.
const (
	thisModuleSize = 0x500
	symtabSize     = 0x300
)

// checkModinfo mirrors check_modinfo() and set_license(): an out-of-tree
// module taints the kernel O (the line is printed only while the kernel is
// not yet O-tainted, so once per boot), a license that is not GPL-compatible
// taints it P, which also turns lock debugging off.
func (k *Kernel) checkModinfo(m *Module) {
	if !m.Info.InTree {
		if !k.Tainted(TaintOOTModule) {
			k.printk(LogWarning, "%s: loading out-of-tree module taints kernel.\n", m.Name)
		}
		k.addTaintModule(m, TaintOOTModule)
	}
	license := m.Info.License
	if license == "" {
		license = "unspecified"
	}
	if !licenseIsGPLCompatible(license) {
		if !k.Tainted(TaintProprietaryModule) {
			k.printk(LogWarning, "%s: module license '%s' taints kernel.\n", m.Name, license)
		}
		k.addTaintUnreliable(TaintProprietaryModule) // add_taint_module(.., LOCKDEP_NOW_UNRELIABLE)
		m.taints |= 1 << TaintProprietaryModule
	}
}

// moduleSigCheckFailed mirrors load_module()'s handling of a module without
// a valid signature on a kernel that does not enforce signatures:
// pr_notice_once, then taint E.
func (k *Kernel) moduleSigCheckFailed(m *Module) {
	if !k.mods.verifyWarned {
		k.mods.verifyWarned = true
		k.printk(LogNotice, "%s: module verification failed: signature and/or required key missing - tainting kernel\n", m.Name)
	}
	k.addTaintModule(m, TaintUnsignedModule)
}

// addTaintModule mirrors add_taint_module().
func (k *Kernel) addTaintModule(m *Module, flag int) {
	k.Taint(flag)
	m.taints |= 1 << flag
}

// licenseIsGPLCompatible mirrors license_is_gpl_compatible()
// (include/linux/license.h).
func licenseIsGPLCompatible(l string) bool {
	switch l {
	case "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL":
		return true
	}
	return false
}

// moveModule mirrors move_module(): module_alloc() the core and the init
// areas (both zeroed); ENOMEM when the module space or memory runs out.
func (k *Kernel) moveModule(m *Module) error {
	m.core = k.moduleAlloc(m.coreSize, "load_module+0x7b2/0x2ab0")
	if m.core == nil {
		return ENOMEM
	}
	m.init = k.moduleAlloc(m.initSize, "load_module+0x7e9/0x2ab0")
	if m.init == nil {
		k.moduleMemfree(m.core)
		m.core = nil
		return ENOMEM
	}
	m.initBase = m.init.Addr
	return nil
}

// moduleAlloc mirrors x86's module_alloc(): __vmalloc_node_range() over the
// module space, with VM_FLUSH_RESET_PERMS. The caller is the return address
// in load_module(), into which move_module() is inlined.
func (k *Kernel) moduleAlloc(size uint64, caller string) *VMStruct {
	a := k.vmallocNodeRange(size, PageSize, ModulesVaddr, ModulesEnd, GFP_KERNEL|GFPZero, VMFlushResetPerms, kernelCaller(caller))
	if a == 0 {
		return nil
	}
	return k.findVMArea(a)
}

// moduleMemfree mirrors module_memfree(): vfree() of a module area.
func (k *Kernel) moduleMemfree(v *VMStruct) {
	if v != nil && k.findVMArea(v.Addr) == v {
		k.vfreeArea(v)
	}
}

func (k *Kernel) freeModuleMemory(m *Module) {
	k.moduleMemfree(m.init)
	k.moduleMemfree(m.core)
	m.init = nil
}

// ModuleInitReturned mirrors do_init_module() after init returned ret:
// 0 makes the module LIVE; a positive value is warned about ("should follow
// 0/-E convention") and the module loads anyway; a negative errno frees the
// module and is returned as insmod's error.
func (k *Kernel) ModuleInitReturned(m *Module, ret int) error {
	switch {
	case ret < 0:
		k.ModuleInitFailed(m)
		return Errno(-ret)
	case ret > 0:
		k.warnInitReturn(m, ret)
	}
	k.ModuleLive(m)
	return nil
}

// warnInitReturn prints do_init_module()'s warning for a positive init
// return value, and its stack.
func (k *Kernel) warnInitReturn(m *Module, ret int) {
	k.printk(LogWarning, "do_init_module: '%s'->init suspiciously returned %d, it should follow 0/-E convention\n", m.Name, ret)
	k.printk(LogWarning, "do_init_module: loading module anyway...\n")
	t := k.Current()
	saved := t.entry
	for i, f := range t.entry {
		if len(f) > 15 && f[:15] == "do_init_module+" {
			t.entry = t.entry[i:]
			break
		}
	}
	k.dumpStack(LogWarning)
	t.entry = saved
}

// ModuleLive mirrors the success path of do_init_module(): the module
// becomes LIVE, drops the reference init ran under, and its init memory
// (and with it the init function's symbol) is freed.
func (k *Kernel) ModuleLive(m *Module) {
	m.State = ModuleLive
	m.refcnt--
	k.moduleMemfree(m.init)
	m.init = nil
	k.tick(10_000)
}

// ModuleInitFailed mirrors do_init_module()'s failure path: init returned a
// negative errno, so the module goes away at once. Linux prints nothing;
// insmod reports the errno.
func (k *Kernel) ModuleInitFailed(m *Module) {
	m.State = ModuleGoing
	m.refcnt--
	k.freeModule(m)
}

// ModuleUnload mirrors rmmod: kmod's own checks (holders, reference count)
// and then delete_module(2) up to the exit call. On success the module is
// GOING; the caller runs its exit function and then calls ModuleFree. An
// exit that Oopses leaves the module GOING ("Unloading") for good.
func (k *Kernel) ModuleUnload(m *Module) error {
	if len(m.users) > 0 {
		e := &UnloadError{Name: m.Name, Errno: EBUSY, InUse: true}
		for _, u := range m.users {
			e.Holders = append(e.Holders, u.Name)
		}
		return e
	}
	if m.refcnt > 0 {
		return &UnloadError{Name: m.Name, Errno: EBUSY, InUse: true}
	}
	if m.State != ModuleLive || m.Info.HasInit && !m.Info.HasExit {
		return &UnloadError{Name: m.Name, Errno: EBUSY}
	}
	m.State = ModuleGoing // try_stop_module()
	m.refcnt--
	return nil
}

// ModuleFree mirrors the end of delete_module(): remember the module as the
// last unloaded one (print_modules shows it) and free_module() it.
func (k *Kernel) ModuleFree(m *Module) {
	k.mods.lastUnloaded = m.Name + moduleFlags(m, false)
	k.freeModule(m)
}

// freeModule mirrors free_module(): unlink the module, drop its uses of
// other modules, free its memory.
func (k *Kernel) freeModule(m *Module) {
	m.State = ModuleUnformed
	for i, x := range k.mods.list {
		if x == m {
			k.mods.list = append(k.mods.list[:i:i], k.mods.list[i+1:]...)
			break
		}
	}
	for _, t := range m.uses {
		t.users = removeModule(t.users, m)
		t.refcnt--
	}
	m.uses = nil
	k.freeModuleMemory(m)
	k.tick(20_000)
}

func removeModule(list []*Module, m *Module) []*Module {
	for i, x := range list {
		if x == m {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}

// ModuleGet mirrors try_module_get(): take a reference unless the module is
// going away. Opening a module's device does this.
func (k *Kernel) ModuleGet(m *Module) bool {
	if m == nil {
		return true
	}
	if m.State == ModuleGoing || m.refcnt < 0 {
		return false
	}
	m.refcnt++
	return true
}

// ModulePut mirrors module_put().
func (k *Kernel) ModulePut(m *Module) {
	if m != nil {
		m.refcnt--
	}
}

// Refcount returns module_refcount(m): what lsmod's "Used by" count shows.
func (m *Module) Refcount() int { return m.refcnt }

// Taints returns the module's taint letters as /proc/modules prints them
// ("OE"), "" for none.
func (m *Module) Taints() string { return taintLettersOf(m.taints, false) }

// Size returns the module's size as /proc/modules and lsmod show it: core
// plus init layout (the init part only until init has run).
func (m *Module) Size() uint64 {
	if m.init != nil {
		return m.coreSize + m.initSize
	}
	return m.coreSize
}

// Base returns the module's core address (mod->core_layout.base).
func (m *Module) Base() Addr {
	if m.core == nil {
		return 0
	}
	return m.core.Addr
}

// DataAddr returns the address of byte off of the module's data section,
// where the runtime places static variables and buffers (static_buffer).
// It is zero-filled at load, like .bss.
func (m *Module) DataAddr(off uint64) Addr { return m.Base() + Addr(m.dataOff+off) }

// ThisModule returns THIS_MODULE: the address of the module's struct module,
// which follows its data and bss.
func (m *Module) ThisModule() Addr {
	return m.DataAddr((m.Info.DataSize + 63) &^ 63)
}
