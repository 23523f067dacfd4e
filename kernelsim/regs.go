package kernelsim

import (
	"fmt"
	"strings"

	"kscript.dev/kscript/runtime/lazy"
)

// The register dump of a report, mirroring __show_regs() and show_opcodes()
// (arch/x86/kernel/process_64.c, dumpstack.c). The script has no registers,
// so their values are made up, but they fit the fault: a BUG() or WARN()
// stops at its ud2 ("0f 0b"), a bad load or store stops at a mov through
// the register holding the address, whose value is in it and in CR2, and a
// call into unmapped code has no opcode bytes to show at all.

// regsKind says what stopped the CPU.
type regsKind int

const (
	regsUD2   regsKind = iota // BUG()/WARN(): the ud2 at RIP
	regsData                  // a load or store faulted on addr
	regsFetch                 // the instruction fetch at RIP = addr faulted
	regsLoop                  // interrupted while spinning (a soft lockup)
)

// faultRegs describes the state __show_regs() prints.
type faultRegs struct {
	kind  regsKind
	addr  Addr // the address the access or the fetch faulted on
	write bool
	code  string // show_opcodes()'s bytes when known (debian61Code), else made up
}

// ud2Regs are the registers of a BUG() or WARN() at rip: its real code
// bytes when Debian's 6.1 build has that site.
func ud2Regs(rip string) faultRegs {
	return faultRegs{kind: regsUD2, code: debian61Code.Get()[rip]}
}

// debian61Code is what show_opcodes() prints at the BUG and WARN sites
// kscript takes from Debian's 6.1 build (linux-image-6.1.0-57-amd64,
// 6.1.192-3): the 64 bytes of its vmlinux around the ud2, as the running
// kernel has them (KASLR off) after boot-time patching on this CPU: ftrace's
// __fentry__ calls are 5-byte NOPs, return thunks "ret; int3" and retpolines
// indirect calls (eIBRS on this Cascade Lake, as 6.1.119 patches them: the
// ITS mitigation of later 6.1 releases keeps return thunks). Static
// branches are left as built.
var debian61Code = lazy.NewMap(debian61CodeTable)

func debian61CodeTable() map[string]string {
	return map[string]string{
		"__kmem_cache_free+0x284/0x2a0":  "5e e9 c0 e9 ff ff 49 8b 46 08 f0 48 83 28 01 0f 85 b2 fe ff ff 49 8b 46 08 4c 89 f7 48 8b 40 08 ff d0 0f 1f 00 e9 9d fe ff ff <0f> 0b 48 8b 15 03 bb 6e 01 e9 a0 fd ff ff 66 66 2e 0f 1f 84 00 00",
		"__slab_free+0x118/0x2d0":        "74 35 49 8b 06 48 89 4c 24 20 48 c1 e8 36 4c 8b a4 c3 d8 00 00 00 4c 89 e7 e8 44 cb 72 00 48 8b 4c 24 20 48 89 44 24 18 eb 8f <0f> 0b f7 43 08 00 0d 21 00 75 cd eb c6 80 4c 24 53 80 e9 75 ff ff",
		"kmem_cache_free+0x2f7/0x310":    "0f 1f 00 e9 61 fe ff ff 4d 89 e9 48 89 d9 48 89 da 4c 89 e6 5b 48 89 ef 41 b8 01 00 00 00 5d 41 5c 41 5d 41 5e e9 19 f9 ff ff <0f> 0b 48 8b 15 80 ca 6e 01 e9 42 fd ff ff 66 66 2e 0f 1f 84 00 00",
		"usercopy_abort+0x75/0x77":       "36 82 51 48 0f 45 d6 48 89 c1 49 c7 c3 68 bd 37 82 41 52 48 c7 c6 c8 0c 36 82 48 c7 c7 08 bd 37 82 49 0f 45 f3 e8 4d 54 ff ff <0f> 0b 48 89 f1 49 89 e8 44 89 e2 31 f6 48 c7 c7 b2 bd 37 82 e8 72",
		"free_large_kmalloc+0x3c/0x70":   "74 28 0f b6 6f 51 85 ed 74 20 be 00 10 00 00 89 e9 48 d3 e6 f7 de 48 89 df e8 00 f7 ff ff 89 ee 48 89 df 5b 5d e9 04 d2 03 00 <0f> 0b 80 3d cd df 94 01 00 74 09 be 00 f0 ff ff 31 ed eb d8 48 c7",
		"kmem_cache_destroy+0x141/0x150": "00 eb c6 5b 5d 41 5c 41 5d c3 cc cc cc cc 48 8b 53 60 48 8b 4c 24 20 48 c7 c6 40 b6 03 82 48 c7 c7 80 43 37 82 e8 af 92 de ff <0f> 0b e9 ea fe ff ff c3 cc cc cc cc 0f 1f 00 55 48 89 e5 41 57 49",
		"__ksize+0x103/0x130":            "f1 48 29 f9 48 c1 f9 06 48 c1 e1 0c 48 03 0d e4 c5 15 01 48 39 ca 75 1b 48 8b 16 f7 c2 00 00 01 00 49 0f 44 c0 c3 cc cc cc cc <0f> 0b 31 c0 c3 cc cc cc cc 0f 0b 31 c0 c3 cc cc cc cc 48 8b 0d 84",
		"__ksize+0x10c/0x130":            "c1 e1 0c 48 03 0d e4 c5 15 01 48 39 ca 75 1b 48 8b 16 f7 c2 00 00 01 00 49 0f 44 c0 c3 cc cc cc cc 0f 0b 31 c0 c3 cc cc cc cc <0f> 0b 31 c0 c3 cc cc cc cc 48 8b 0d 84 0e 76 01 e9 0d ff ff ff 66",
		"cache_from_obj+0xe0/0x120":      "08 5b c3 cc cc cc cc 48 8d 42 ff e9 7b ff ff ff 48 c7 c6 00 e0 03 82 48 c7 c7 40 93 37 82 c6 05 ce 9c 8d 01 01 e8 f0 47 d7 ff <0f> 0b 31 c0 e9 73 ff ff ff f7 c2 00 00 01 00 0f 84 4c ff ff ff 48",
		"cache_from_obj+0xa1/0x120":      "2d 9d 8d 01 00 74 48 31 c0 eb da 48 8b 57 60 48 8b 48 60 48 c7 c6 10 e0 03 82 48 89 04 24 48 c7 c7 60 93 37 82 e8 2f 48 d7 ff <0f> 0b 48 8b 3c 24 48 89 de e8 a1 c8 ff ff 48 8b 04 24 48 83 c4 08",
		"kvmalloc_node+0xc0/0xd0":        "00 00 48 8d 4c 0a ff e8 4e 3a 04 00 48 83 c4 18 5b 5d 41 5c c3 cc cc cc cc 48 b9 00 00 00 00 00 20 00 00 eb c3 80 e7 20 75 e6 <0f> 0b eb e2 66 66 2e 0f 1f 84 00 00 00 00 00 90 0f 1f 44 00 00 53",
		"___slab_alloc+0x365/0x990":      "0d 80 46 cf 7e 0f 84 50 05 00 00 8b 04 24 89 c6 a9 06 00 00 f8 0f 85 32 05 00 00 48 83 7d 48 00 74 0a f7 c6 00 01 00 00 74 02 <0f> 0b 8b 54 24 18 81 e6 e0 ee 3b 00 48 89 ef e8 b7 e0 ff ff 48 89",
		"free_irq+0x1d3/0x340":           "b3 33 02 00 48 8b 7b 30 e8 1a 4e 19 00 48 89 df 48 8b 6b 50 e8 0e 4e 19 00 eb 38 44 89 f6 48 c7 c7 e8 3f 35 82 e8 dd d8 f7 ff <0f> 0b 48 8b 34 24 4c 89 ef e8 0f 5a 93 00 49 8b 47 40 48 8b 40 78",
		"__copy_overflow+0x16/0x30":      "ff ff 5d 41 5c 41 5d c3 cc cc cc cc 0f 1f 84 00 00 00 00 00 0f 1f 44 00 00 48 89 f2 89 fe 48 c7 c7 90 13 37 82 e8 ba 68 e1 ff <0f> 0b c3 cc cc cc cc 0f 1f 00 0f 1f 44 00 00 b8 01 00 00 00 c3 cc",
	}
}

// cr2 is the last page-fault address: the fault's own for a page fault,
// otherwise a user address the task faulted on earlier (demand paging).
func (r faultRegs) cr2() uint64 {
	if r.kind == regsData || r.kind == regsFetch {
		return uint64(r.addr)
	}
	return 0x000055d0c2a1e6a8
}

// codeLine mirrors show_opcodes(): 42 bytes before RIP, the byte at RIP in
// <>, the rest of a 64-byte window; for an unmapped RIP, the message
// copy_code() failing gives.
func (r faultRegs) codeLine() string {
	if r.code != "" {
		return "Code: " + r.code
	}
	const prologue = "0f 1f 44 00 00 55 48 89 e5 41 55 41 54 49 89 fc 53 48 83 ec 08 65 48 8b 04 25 28 00 00 00 48 89 45 e0 31 c0 48 c7 c7 00 00 00"
	switch r.kind {
	case regsFetch:
		return fmt.Sprintf("Code: Unable to access opcode bytes at 0x%x.", uint64(r.addr)-42)
	case regsData:
		op := "8b" // mov (%rdi),%rax
		if r.write {
			op = "89" // mov %rax,(%rdi)
		}
		insn := []string{"<48>", op, "07"}
		if d := r.disp(); d != 0 {
			insn = []string{"<48>", op, "47", fmt.Sprintf("%02x", d)}
		}
		tail := strings.Fields("48 83 c4 08 5b 41 5c 41 5d 5d c3 cc cc cc cc 0f 1f 40 00 66 90 cc")
		return "Code: " + prologue + " " + strings.Join(append(insn, tail[:22-len(insn)]...), " ")
	case regsLoop:
		return "Code: " + prologue + " <f3> 90 8b 07 85 c0 75 f8 5b 41 5c 41 5d 5d c3 cc cc cc cc 0f"
	}
	return "Code: " + prologue + " <0f> 0b e9 6c fe ff ff e8 3a 1d 80 00 66 0f 1f 44 00 00 0f 1f 44 00"
}

// disp is the displacement of a faulting "mov disp8(%rdi)" near NULL: a
// field of a struct reached through a NULL pointer.
func (r faultRegs) disp() uint64 {
	if r.kind == regsData && r.addr != 0 && r.addr < 0x80 {
		return uint64(r.addr)
	}
	return 0
}

// printRegs prints the register lines of __show_regs() for r.
func (k *Kernel) printRegs(level int, r faultRegs) {
	sp := 0xffffb3c2c0a5fc00 + uint64(k.Current().PID&0xff)<<12
	rdi, rbx, eflags := uint64(0xcc0), uint64(0xcc0), "00010246"
	switch r.kind {
	case regsData:
		rdi, rbx, eflags = uint64(r.addr)-r.disp(), 0xffff888003c4e000+uint64(k.Current().PID&0xff)<<8, "00010282"
	case regsFetch:
		rdi, rbx, eflags = 0xffff888003c4e000, 0xffffffff82606880, "00010286"
	case regsLoop:
		rdi, rbx, eflags = 0xffff888003c4e000, 0, "00000202"
	}
	k.printk(level, "%s\n", r.codeLine())
	k.printk(level, "RSP: 0018:%016x EFLAGS: %s\n", sp, eflags)
	k.printk(level, "RAX: 0000000000000000 RBX: %016x RCX: 0000000000000000\n", rbx)
	k.printk(level, "RDX: 0000000000000000 RSI: 000000000000000b RDI: %016x\n", rdi)
	k.printk(level, "RBP: %016x R08: 0000000000000000 R09: 0000000000000000\n", sp+0x28)
	k.printk(level, "R10: 0000000000000000 R11: 0000000000000000 R12: 0000000000000000\n")
	k.printk(level, "R13: ffffffffc0a3e000 R14: 0000000000000000 R15: 0000000000000000\n")
	k.printk(level, "FS:  00007f8a3c6a2740(0000) GS:ffff88801f000000(0000) knlGS:0000000000000000\n")
	k.printk(level, "CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033\n")
	// CR4 has SMEP, SMAP and PKE on, as the CPU's flags say (cpu.go).
	k.printk(level, "CR2: %016x CR3: 0000000004b2c000 CR4: 0000000000770ef0\n", r.cr2())
}
