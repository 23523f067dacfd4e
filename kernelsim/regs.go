package kernelsim

import (
	"fmt"
	"strings"
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
