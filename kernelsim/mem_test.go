package kernelsim

import (
	"bytes"
	"strings"
	"testing"
)

func TestMemReadWrite(t *testing.T) {
	k := bootTest(t, Config{Seed: 1})
	pfn, _ := k.AllocPages(GFP_KERNEL|GFPZero, 1)
	base := PageAddress(pfn)
	for _, tc := range []struct {
		name string
		off  Addr
		data string
	}{
		{"start", 0, "hello"},
		{"cross-page", PageSize - 3, "boundary"},
		{"end", 2*PageSize - 4, "tail"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := k.WriteMem(base+tc.off, []byte(tc.data)); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(tc.data))
			if err := k.ReadMem(base+tc.off, got); err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.data {
				t.Errorf("read %q, want %q", got, tc.data)
			}
		})
	}
	t.Run("unwritten-reads-zero", func(t *testing.T) {
		q, _ := k.AllocPages(GFP_KERNEL|GFPZero, 0)
		got := make([]byte, 16)
		got[0] = 1
		if err := k.ReadMem(PageAddress(q), got); err != nil || !bytes.Equal(got, make([]byte, 16)) {
			t.Errorf("read %v, %v; want zeros", got, err)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		if err := k.StoreByte(base+100, 0x5a); err != nil {
			t.Fatal(err)
		}
		if b, err := k.LoadByte(base + 100); err != nil || b != 0x5a {
			t.Errorf("LoadByte = %#x, %v", b, err)
		}
	})
}

func TestMemsetMemmove(t *testing.T) {
	k := bootTest(t, Config{Seed: 1})
	pfn, _ := k.AllocPages(GFP_KERNEL|GFPZero, 2)
	base := PageAddress(pfn)
	read := func(a Addr, n int) string {
		b := make([]byte, n)
		if err := k.ReadMem(a, b); err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, tc := range []struct {
		name     string
		dst, src Addr
		n        uint64
		init     string
		want     string // at min(dst, src)
	}{
		{"forward-disjoint", 100, 0, 5, "abcde", "abcde"},
		{"overlap-dst-above", 2, 0, 6, "abcdef", "ababcdef"},
		{"overlap-dst-below", 0, 2, 6, "xxabcdef", "abcdefef"},
		{"cross-pages", PageSize + 10, 10, 3*PageSize - 20, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := k.Memset(base, 0, 4*PageSize); err != nil {
				t.Fatal(err)
			}
			if tc.init != "" {
				k.WriteMem(base+min(tc.dst, tc.src), []byte(tc.init))
			} else {
				k.Memset(base+tc.src, 'q', tc.n)
			}
			if err := k.Memmove(base+tc.dst, base+tc.src, tc.n); err != nil {
				t.Fatal(err)
			}
			if tc.want != "" {
				if got := read(base+min(tc.dst, tc.src), len(tc.want)); got != tc.want {
					t.Errorf("got %q, want %q", got, tc.want)
				}
			} else if got := read(base+tc.dst, int(tc.n)); got != strings.Repeat("q", int(tc.n)) {
				t.Errorf("cross-page memmove wrong")
			}
		})
	}
	t.Run("memset-page-zero", func(t *testing.T) {
		k.Memset(base, 0x11, PageSize)
		k.Memset(base, 0, PageSize)
		if got := read(base+PageSize-1, 1); got != "\x00" {
			t.Errorf("got %q", got)
		}
	})
}

func TestReadCString(t *testing.T) {
	k := bootTest(t, Config{Seed: 1})
	pfn, _ := k.AllocPages(GFP_KERNEL|GFPZero, 1)
	base := PageAddress(pfn)
	for _, tc := range []struct {
		name  string
		at    Addr
		write string
		max   uint64
		want  string
	}{
		{"simple", 0, "hello\x00", 100, "hello"},
		{"empty", 200, "\x00", 100, ""},
		{"cross-page", PageSize - 3, "abcdef\x00", 100, "abcdef"},
		{"bounded", 300, "abcdef\x00", 3, "abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k.WriteMem(base+tc.at, []byte(tc.write))
			got, err := k.ReadCString(base+tc.at, tc.max)
			if err != nil || got != tc.want {
				t.Errorf("ReadCString = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestPageFaults(t *testing.T) {
	for _, tc := range []struct {
		name  string
		addr  func(k *Kernel) Addr
		write bool
		class string
		lines []string
	}{
		{"null-read", func(*Kernel) Addr { return 8 }, false, "null-deref", []string{
			"BUG: kernel NULL pointer dereference, address: 0000000000000008",
			"#PF: supervisor read access in kernel mode",
			"#PF: error_code(0x0000) - not-present page",
			"PGD 0 P4D 0 ",
			"Oops: 0000 [#1] PREEMPT SMP KASAN NOPTI",
			"CR2: 0000000000000008",
		}},
		{"null-write", func(*Kernel) Addr { return 0 }, true, "null-deref", []string{
			"BUG: kernel NULL pointer dereference, address: 0000000000000000",
			"#PF: supervisor write access in kernel mode",
			"#PF: error_code(0x0002) - not-present page",
			"Oops: 0002 [#1] PREEMPT SMP KASAN NOPTI",
		}},
		{"beyond-ram", func(k *Kernel) Addr { return PageAddress(k.MaxPFN() + 0x20) }, false, "oops", []string{
			"BUG: unable to handle page fault for address: ffff88802000000",
			"#PF: error_code(0x0000) - not-present page",
		}},
		{"user-smap", func(*Kernel) Addr { return 0x7ffd12345000 }, false, "oops", []string{
			"BUG: unable to handle page fault for address: 00007ffd12345000",
			"#PF: supervisor read access in kernel mode",
			"#PF: error_code(0x0001) - permissions violation",
		}},
		{"vmalloc-hole", func(*Kernel) Addr { return VmallocStart + 0x1000 }, true, "oops", []string{
			"BUG: unable to handle page fault for address: ffffc90000001000",
			"#PF: error_code(0x0002) - not-present page",
		}},
		{"non-canonical", func(*Kernel) Addr { return 0xdead000000000100 }, false, "oops", []string{
			"general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] PREEMPT SMP KASAN NOPTI",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bootTest(t, Config{Seed: 1})
			seq := k.NextSeq()
			var err error
			if tc.write {
				err = k.WriteMem(tc.addr(k), []byte{1})
			} else {
				err = k.ReadMem(tc.addr(k), make([]byte, 8))
			}
			oops, ok := err.(*Oops)
			if !ok {
				t.Fatalf("err = %v, want *Oops", err)
			}
			if oops.Report.Class != tc.class || !oops.Report.Fatal {
				t.Errorf("report %+v, want class %s, fatal", oops.Report, tc.class)
			}
			log := logSince(k, seq)
			for _, l := range tc.lines {
				if !strings.Contains(log, l) {
					t.Errorf("log lacks %q:\n%s", l, log)
				}
			}
			if !strings.Contains(log, "---[ end trace 0000000000000000 ]---") || !k.Tainted(TaintDie) {
				t.Errorf("no end marker or taint D:\n%s", log)
			}
		})
	}
	t.Run("second-oops-counts", func(t *testing.T) {
		k := bootTest(t, Config{Seed: 1})
		k.ReadMem(8, make([]byte, 1))
		seq := k.NextSeq()
		k.ReadMem(16, make([]byte, 1))
		if log := logSince(k, seq); !strings.Contains(log, "Oops: 0000 [#2] PREEMPT SMP KASAN NOPTI") || !strings.Contains(log, "Tainted: G      D") {
			t.Errorf("second Oops:\n%s", log)
		}
	})
}
