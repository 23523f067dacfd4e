package kernelsim

import (
	"fmt"
	"path"
	"sort"
)

// VMAFlags mirrors the vm_flags protection bits of a VMA (include/linux/mm.h).
type VMAFlags uint32

// VMA protection and growth flags.
const (
	VM_READ      VMAFlags = 0x1
	VM_WRITE     VMAFlags = 0x2
	VM_EXEC      VMAFlags = 0x4
	VM_GROWSDOWN VMAFlags = 0x100
)

// VMA mirrors struct vm_area_struct: one mapped range [Start, End) of a user
// address space with one protection.
type VMA struct {
	Start, End Addr
	Flags      VMAFlags
	Name       string // the mapped file, "[heap]" or "[stack]", as /proc/PID/maps shows
}

// MM mirrors struct mm_struct (include/linux/mm_types.h): the VMAs, the
// page table (here a map from virtual page number to frame) and the layout
// fields execve sets.
type MM struct {
	vmas  []*VMA       // sorted by Start, not overlapping
	pages map[Addr]PFN // page-aligned user address -> frame; absent: not present
	rss   uint64       // pages in pages

	MmapBase                           Addr
	StartCode, EndCode                 Addr
	StartData, EndData                 Addr
	StartBrk, Brk                      Addr
	StartStack                         Addr
	ArgStart, ArgEnd, EnvStart, EnvEnd Addr

	exe        string // the program's file, as /proc/PID/exe and segfault lines name it
	rodataNext Addr   // where the next string literal goes
	rodataEnd  Addr
	sp         Addr // the user stack pointer: locals are carved below it
}

// Layout constants of a 64-bit PIE process (arch/x86/include/asm/elf.h,
// arch/x86/mm/mmap.c, fs/binfmt_elf.c).
const (
	// elfETDynBase mirrors ELF_ET_DYN_BASE: 2/3 of TASK_SIZE, page aligned.
	elfETDynBase Addr = 0x555555554000
	// mmapRndBits mirrors mmap_rnd_bits (28 on x86-64): the PIE base moves
	// by up to 2^28 pages.
	mmapRndBits = 28
	// stackRndMask mirrors STACK_RND_MASK (0x3fffff pages, 16 GiB).
	stackRndMask = 0x3fffff
	// brkRnd mirrors arch_randomize_brk's 32 MiB range.
	brkRnd = 0x02000000
	// stackInit is the stack VMA execve sets up (132 KiB, as
	// /proc/PID/maps shows for a small program); it grows down to
	// rlimitStack (RLIMIT_STACK 8 MiB).
	stackInit   = 132 << 10
	rlimitStack = 8 << 20
	// rodataPages bounds the read-only segment that holds the program's
	// string literals.
	rodataPages = 16
)

// newMM lays out a fresh address space for program comm, with the
// randomisation (ASLR, randomize_va_space=2) drawn from the kernel's seeded
// source so that runs repeat.
func (k *Kernel) newMM(comm string) *MM {
	base := elfETDynBase + Addr(k.rng.Uint64N(1<<mmapRndBits))<<PageShift
	stackTop := TaskSizeMax - Addr(k.rng.Uint64N(stackRndMask+1))<<PageShift
	file := "/home/" + UserName + "/" + comm
	mm := &MM{pages: map[Addr]PFN{}, exe: file}
	mm.StartCode, mm.EndCode = base+PageSize, base+2*PageSize
	mm.rodataNext, mm.rodataEnd = mm.EndCode, mm.EndCode+rodataPages*PageSize
	mm.StartData, mm.EndData = mm.rodataEnd, mm.rodataEnd+PageSize
	mm.StartBrk = mm.EndData + Addr(k.rng.Uint64N(brkRnd))&^(PageSize-1)
	mm.Brk = mm.StartBrk
	mm.StartStack = stackTop
	mm.sp = stackTop
	mm.MmapBase = stackTop - (128<<20 + Addr(k.rng.Uint64N(1<<mmapRndBits))<<PageShift)
	mm.vmas = []*VMA{
		{base, base + PageSize, VM_READ, file},
		{mm.StartCode, mm.EndCode, VM_READ | VM_EXEC, file},
		{mm.EndCode, mm.rodataEnd, VM_READ, file},
		{mm.StartData, mm.EndData, VM_READ | VM_WRITE, file},
		{stackTop - stackInit, stackTop, VM_READ | VM_WRITE | VM_GROWSDOWN, "[stack]"},
	}
	return mm
}

// VMAs returns the address space's mappings in address order.
func (mm *MM) VMAs() []VMA {
	out := make([]VMA, len(mm.vmas))
	for i, v := range mm.vmas {
		out[i] = *v
	}
	return out
}

// RSS returns the number of frames the address space holds.
func (mm *MM) RSS() uint64 { return mm.rss }

// findVMA mirrors find_vma() plus the stack expansion of
// lock_mm_and_find_vma: the VMA containing a, growing the stack down to
// RLIMIT_STACK when a lies below it.
func (mm *MM) findVMA(a Addr) *VMA {
	i := sort.Search(len(mm.vmas), func(i int) bool { return mm.vmas[i].End > a })
	if i == len(mm.vmas) {
		return nil
	}
	v := mm.vmas[i]
	if a >= v.Start {
		return v
	}
	if v.Flags&VM_GROWSDOWN != 0 && a >= v.End-rlimitStack && (i == 0 || mm.vmas[i-1].End <= a&^(PageSize-1)) {
		v.Start = a &^ (PageSize - 1) // expand_stack
		return v
	}
	return nil
}

// fault mirrors the user part of handle_mm_fault for one page: the frame
// backing the page of a, allocated on the first write (do_anonymous_page
// with a zeroed GFP_HIGHUSER_MOVABLE page); ok is false with the x86 error
// code when the access must fail (no VMA, or a protection the VMA lacks),
// oom when no frame could be had. A read of a page never written returns
// pfn 0 and present false: it reads as zeros (the shared zero page).
func (k *Kernel) userFault(mm *MM, a Addr, write bool) (pfn PFN, present, ok, oom bool, code int) {
	page := a &^ (PageSize - 1)
	pfn, present = mm.pages[page]
	code = pfUser
	if write {
		code |= pfWrite
	}
	if present {
		code |= pfProt
	}
	v := mm.findVMA(a)
	if v == nil || (write && v.Flags&VM_WRITE == 0) || (!write && v.Flags&VM_READ == 0) {
		return 0, present, false, false, code
	}
	if present || !write {
		return pfn, present, true, false, 0
	}
	pfn, got := k.allocPages(GFP_HIGHUSER_MOVABLE|GFPZero|GFPNoWarn, 0, allocPagesCallers)
	if !got {
		return 0, false, false, true, code
	}
	k.mapAnonPage(mm, page, pfn)
	return pfn, true, true, false, 0
}

// mapAnonPage installs a fresh anonymous frame at page (do_anonymous_page's
// set_pte_at), counted in AnonPages.
func (k *Kernel) mapAnonPage(mm *MM, page Addr, pfn PFN) {
	k.SetPageUse(pfn, PageUseAnon, 0)
	k.mem.nrAnon++
	mm.pages[page] = pfn
	mm.rss++
}

// userAddrPresent says whether user address a is mapped in the current
// process, for the SMAP fault's error code (fault.go). A task without a
// simulated address space (insmod, a kernel thread) keeps fault.go's
// default: user pages above the first count as mapped.
func (k *Kernel) userAddrPresent(a Addr) bool {
	mm := k.currentMM()
	if mm == nil {
		return a >= PageSize
	}
	_, ok := mm.pages[a&^(PageSize-1)]
	return ok
}

// userAccess copies between buf and user memory at a, page by page, in the
// direction write says, stopping at the first byte that faults. It returns
// how many bytes were done and, on a fault, the faulting address, the error
// code and whether it was out of memory. It is the common body of the
// user-mode and kernel-mode accessors; kernel errors (an Oops from the page
// contents) are returned as err.
func (k *Kernel) userAccess(mm *MM, a Addr, buf []byte, write bool) (done int, fault *userFaultInfo, err error) {
	k.mem.work += uint64(len(buf))
	for done < len(buf) {
		cur := a + Addr(done)
		chunk := min(len(buf)-done, int(PageSize-uint64(cur)%PageSize))
		if !IsUserAddr(cur) || mm == nil {
			return done, &userFaultInfo{addr: cur, code: pfUser | b2i(write)*pfWrite}, nil
		}
		pfn, present, ok, oom, code := k.userFault(mm, cur, write)
		if !ok {
			return done, &userFaultInfo{addr: cur, code: code, oom: oom}, nil
		}
		kaddr := PageAddress(pfn) + Addr(uint64(cur)%PageSize)
		switch {
		case write:
			err = k.WriteMem(kaddr, buf[done:done+chunk])
		case present:
			err = k.ReadMem(kaddr, buf[done:done+chunk])
		default:
			clear(buf[done : done+chunk]) // the zero page
		}
		if err != nil {
			return done, nil, err
		}
		done += chunk
	}
	return done, nil, nil
}

// userFaultInfo describes a failed user access.
type userFaultInfo struct {
	addr Addr
	code int
	oom  bool
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// exitMM mirrors exit_mm → mmput → exit_mmap: every frame goes back to the
// page allocator.
func (p *Process) exitMM() {
	mm := p.MM
	if mm == nil {
		return
	}
	addrs := make([]Addr, 0, len(mm.pages))
	for a := range mm.pages {
		addrs = append(addrs, a)
	}
	sort.Slice(addrs, func(i, j int) bool { return addrs[i] < addrs[j] })
	for _, a := range addrs {
		p.k.unmapAnonPage(mm, a)
	}
	mm.pages, mm.rss, mm.vmas = map[Addr]PFN{}, 0, nil
}

// unmapAnonPage frees the frame at page (zap_pte_range then the page's
// release).
func (k *Kernel) unmapAnonPage(mm *MM, page Addr) {
	pfn, ok := mm.pages[page]
	if !ok {
		return
	}
	delete(mm.pages, page)
	mm.rss--
	k.mem.nrAnon--
	k.SetPageUse(pfn, PageUseKernel, 0)
	_ = k.FreePages(pfn, 0) // our own order-0 frame: a bad free here is a kernelsim bug
}

// segfault mirrors the user-mode branch of bad_area (arch/x86/mm/fault.c):
// show_signal_msg's line in the log, then SIGSEGV kills the process.
func (p *Process) segfault(f *userFaultInfo) error {
	k, mm := p.k, p.MM
	ip := mm.StartCode + 0x189
	k.printk(LogInfo, "%s[%d]: segfault at %x ip %016x sp %016x error %x in %s[%x+%x] likely on CPU 0 (core 0, socket 0)\n",
		p.Task.Comm, p.Task.PID, uint64(f.addr), uint64(ip), uint64(mm.sp), f.code,
		path.Base(mm.exe), uint64(mm.StartCode), uint64(mm.EndCode-mm.StartCode))
	return p.killWith(SIGSEGV, nil)
}

// oomKill stands in for the OOM killer choosing this process when a page
// fault finds no memory.
func (p *Process) oomKill() error {
	p.k.printk(LogErr, "Out of memory: Killed process %d (%s) total-vm:%dkB, anon-rss:%dkB, file-rss:0kB, shmem-rss:0kB, UID:%d pgtables:4kB oom_score_adj:0\n",
		p.Task.PID, p.Task.Comm, p.MM.totalVM()>>10, p.MM.rss*PageSize>>10, p.Task.UID)
	return p.killWith(SIGKILL, nil)
}

func (mm *MM) totalVM() uint64 {
	var n uint64
	for _, v := range mm.vmas {
		n += uint64(v.End - v.Start)
	}
	return n
}

// ReadUser reads len(buf) bytes at a as the program itself would (a load
// in user mode). A bad address kills the process with SIGSEGV and returns
// the *ProcessKilled.
func (p *Process) ReadUser(a Addr, buf []byte) error {
	if p.exited {
		return &ProcessKilled{PID: p.Task.PID, Signal: p.signal}
	}
	_, f, err := p.k.userAccess(p.MM, a, buf, false)
	return p.userModeResult(f, err)
}

// WriteUser writes data at a as the program itself would (a store in user
// mode): the first write to a page allocates its frame. A bad address
// kills the process with SIGSEGV, no memory with SIGKILL.
func (p *Process) WriteUser(a Addr, data []byte) error {
	if p.exited {
		return &ProcessKilled{PID: p.Task.PID, Signal: p.signal}
	}
	_, f, err := p.k.userAccess(p.MM, a, data, true)
	return p.userModeResult(f, err)
}

func (p *Process) userModeResult(f *userFaultInfo, err error) error {
	switch {
	case err != nil:
		return err
	case f == nil:
		return nil
	case f.oom:
		return p.oomKill()
	}
	return p.segfault(f)
}

// ReadString reads a NUL-terminated string at a in user mode (as printf's
// %s does), at most max bytes. A bad address kills the process.
func (p *Process) ReadString(a Addr, max int) (string, error) {
	var out []byte
	var b [1]byte
	for len(out) < max {
		if err := p.ReadUser(a+Addr(len(out)), b[:]); err != nil {
			return "", err
		}
		if b[0] == 0 {
			break
		}
		out = append(out, b[0])
	}
	return string(out), nil
}

// PlaceString puts a string literal with its NUL in the read-only data
// segment, as the compiler does for "Hello kernel", and returns its
// address; identical literals share one copy. When the segment is full it
// falls back to a heap copy (writable, unlike a real literal).
func (p *Process) PlaceString(s string) (Addr, error) {
	mm := p.MM
	data := append([]byte(s), 0)
	if mm.rodataNext+Addr(len(data)) > mm.rodataEnd {
		a := p.Malloc(uint64(len(data)))
		if a == 0 {
			return 0, fmt.Errorf("user memory: no room for a %d-byte string", len(data))
		}
		return a, p.WriteUser(a, data)
	}
	a := mm.rodataNext
	if err := p.kernelPoke(a, data); err != nil {
		return 0, err
	}
	mm.rodataNext += Addr(len(data))
	return a, nil
}

// kernelPoke writes data into the process's memory regardless of the VMA's
// protection, as execve's loading of the ELF segments does.
func (p *Process) kernelPoke(a Addr, data []byte) error {
	mm := p.MM
	for i := 0; i < len(data); {
		page := (a + Addr(i)) &^ (PageSize - 1)
		if _, ok := mm.pages[page]; !ok {
			pfn, got := p.k.allocPages(GFP_HIGHUSER_MOVABLE|GFPZero|GFPNoWarn, 0, allocPagesCallers)
			if !got {
				return fmt.Errorf("user memory: out of memory loading the program")
			}
			p.k.mapAnonPage(mm, page, pfn)
		}
		off := uint64(a+Addr(i)) % PageSize
		n := min(len(data)-i, int(PageSize-off))
		if err := p.k.WriteMem(PageAddress(mm.pages[page])+Addr(off), data[i:i+n]); err != nil {
			return err
		}
		i += n
	}
	return nil
}

// StackAlloc carves n bytes for a local array (char buf[32]) below the
// stack pointer, 16-byte aligned as the x86-64 ABI keeps the stack, and
// returns its address. The memory is not cleared: a local is uninitialised.
func (p *Process) StackAlloc(n uint64) (Addr, error) {
	mm := p.MM
	sp := (mm.sp - Addr(n)) &^ 15
	if n > rlimitStack || sp < mm.StartStack-rlimitStack {
		return 0, fmt.Errorf("user stack: %d bytes do not fit in the 8 MiB stack", n)
	}
	mm.sp = sp
	return sp, nil
}

// setupArgs mirrors create_elf_tables' strings: argv and envp at the top
// of the stack, then the stack pointer below them.
func (p *Process) setupArgs(argv []string) error {
	mm := p.MM
	env := []string{"SHELL=/bin/bash", "PWD=/home/" + UserName, "LOGNAME=" + UserName, "HOME=/home/" + UserName,
		"LANG=C.UTF-8", "TERM=xterm-256color", "USER=" + UserName, "PATH=/usr/local/bin:/usr/bin:/bin"}
	var blob []byte
	for _, a := range argv {
		blob = append(append(blob, a...), 0)
	}
	argLen := len(blob)
	for _, e := range env {
		blob = append(append(blob, e...), 0)
	}
	start := mm.StartStack - 8 - Addr(len(blob)) // 8: the end marker execve leaves
	mm.ArgStart, mm.ArgEnd = start, start+Addr(argLen)
	mm.EnvStart, mm.EnvEnd = mm.ArgEnd, start+Addr(len(blob))
	mm.sp = (start - 512) &^ 15 // auxv, envp[], argv[], argc below the strings
	return p.kernelPoke(start, blob)
}
