package kernelsim

import (
	"strings"
	"testing"
)

// TestRegsFitTheFault pins register dumps to the fault they describe: the
// Code line is 64 bytes with the byte at RIP in <>, a bad access shows the
// mov through RDI holding the address (and CR2 = the address), a fetch
// from unmapped code has no opcode bytes, and BUG/WARN stop at ud2.
func TestRegsFitTheFault(t *testing.T) {
	for _, tc := range []struct {
		name      string
		r         faultRegs
		code, rdi string
		cr2       uint64
	}{
		{"NULL field read", faultRegs{kind: regsData, addr: 0x10}, "<48> 8b 47 10 ", "0000000000000000", 0x10},
		{"wild write", faultRegs{kind: regsData, addr: 0xffffc90000123000, write: true}, "<48> 89 07 ", "ffffc90000123000", 0xffffc90000123000},
		{"unloaded code", faultRegs{kind: regsFetch, addr: 0xffffffffc0a1e010}, "Code: Unable to access opcode bytes at 0xffffffffc0a1dfe6.", "", 0xffffffffc0a1e010},
		{"WARN", faultRegs{kind: regsUD2}, "<0f> 0b ", "", 0x000055d0c2a1e6a8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, Config{Seed: 1})
			seq := k.NextSeq()
			k.printRegs(LogWarning, tc.r)
			log := logSince(k, seq)
			code, _, _ := strings.Cut(log, "\n")
			if !strings.Contains(code, tc.code) {
				t.Errorf("Code line %q lacks %q", code, tc.code)
			}
			if tc.r.kind != regsFetch {
				if n := len(strings.Fields(strings.TrimPrefix(code, "Code:"))); n != 64 {
					t.Errorf("Code line has %d bytes, want 64: %q", n, code)
				}
			}
			if tc.rdi != "" && !strings.Contains(log, "RDI: "+tc.rdi+"\n") {
				t.Errorf("RDI is not %s:\n%s", tc.rdi, log)
			}
			if got := tc.r.cr2(); got != tc.cr2 {
				t.Errorf("CR2 %#x, want %#x", got, tc.cr2)
			}
			if !strings.Contains(log, "CR4: 0000000000770ef0\n") {
				t.Error("CR4 lacks SMEP/SMAP")
			}
		})
	}
}

// TestDebian61CodeBytes: a BUG at a site kscript has from Debian's 6.1
// build prints that build's code bytes, the ud2 marked, in the Oops and in
// its executive summary.
func TestDebian61CodeBytes(t *testing.T) {
	const want = "Code: 5e e9 c0 e9 ff ff 49 8b 46 08 f0 48 83 28 01 0f 85 b2 fe ff ff 49 8b 46 08 4c 89 f7 48 8b 40 08 ff d0 0f 1f 00 e9 9d fe ff ff <0f> 0b"
	k := bootTest(t, Config{Seed: 2, Stock: true})
	p := k.Kmalloc(100, GFP_KERNEL)
	_ = k.Kfree(p)
	seq := k.NextSeq()
	_ = k.Kfree(p)
	if log := logSince(k, seq); strings.Count(log, want) != 2 {
		t.Errorf("log has %d code lines %q..., want 2:\n%s", strings.Count(log, want), want, log)
	}
	for rip, code := range debian61Code.Get() {
		if f := strings.Fields(code); len(f) != 64 || f[42] != "<0f>" || f[43] != "0b" {
			t.Errorf("%s: %d bytes, ud2 not at 42: %q", rip, len(f), code)
		}
	}
}
