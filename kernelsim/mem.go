package kernelsim

// Kernel-mode memory access: every load and store a script makes through a
// pointer goes through here, as the CPU's MMU would.
//
// A kernel virtual address is translated by the region it lies in
// (Documentation/x86/x86_64/mm.rst):
//
//	0x0000000000000000 - 0x00007fffffffefff  user space: a kernel access
//	                                         is refused by SMAP
//	0xffff888000000000 - + RAM               direct map: virtual = PAGE_OFFSET + physical
//	0xffffc90000000000 - 0xffffe8ffffffffff  vmalloc: per-page mappings (vmalloc.go)
//	0xffffffffc0000000 - 0xfffffffffeffffff  modules: per-page mappings (module.go)
//
// Anything else, or a hole inside those regions, is not mapped: the access
// faults and the kernel Oopses (fault.go). Translation is done once per page
// touched, so copying a large buffer costs one lookup per 4 KiB.

// translate mirrors the page walk for a kernel-mode access: the frame
// backing a, or ok=false where nothing is mapped.
func (k *Kernel) translate(a Addr) (pfn PFN, ok bool) {
	if a >= PageOffset && a-PageOffset < Addr(k.mem.maxPFN)<<PageShift {
		pfn = PFN((a - PageOffset) >> PageShift)
		k.slabTouchPage(pfn) // slab_mm.go: write lazy slab poison before the access
		return pfn, k.mem.present[pfn>>sectionShift]
	}
	if a >= VmallocStart && (a <= VmallocEnd || a >= ModulesVaddr && a <= ModulesEnd) {
		return k.vmTranslate(a)
	}
	return 0, false
}

// ReadMem reads len(buf) bytes of kernel memory at a, as a kernel-mode load:
// every byte goes through address translation and the access checks. A fault
// Linux would Oops on returns *Oops.
func (k *Kernel) ReadMem(a Addr, buf []byte) error {
	k.mem.work += uint64(len(buf))
	k.kasanAccess(a, uint64(len(buf)), false) // kasan.go: __asan_loadN
	for len(buf) > 0 {
		pfn, ok := k.translate(a)
		if !ok {
			return k.pageFault(a, false, "")
		}
		off := int(a & (PageSize - 1))
		n := min(len(buf), PageSize-off)
		if c := k.mem.contents(pfn); c != nil {
			copy(buf[:n], c[off:])
		} else {
			clear(buf[:n])
		}
		buf, a = buf[n:], a+Addr(n)
	}
	return nil
}

// WriteMem writes data to kernel memory at a, as a kernel-mode store.
func (k *Kernel) WriteMem(a Addr, data []byte) error {
	k.mem.work += uint64(len(data))
	k.kasanAccess(a, uint64(len(data)), true) // kasan.go: __asan_storeN
	for len(data) > 0 {
		pfn, ok := k.translate(a)
		if !ok {
			return k.pageFault(a, true, "")
		}
		off := int(a & (PageSize - 1))
		n := copy(k.mem.contentsForWrite(pfn)[off:], data)
		data, a = data[n:], a+Addr(n)
	}
	return nil
}

// LoadByte reads one byte of kernel memory (p[i] in a script).
func (k *Kernel) LoadByte(a Addr) (byte, error) {
	k.kasanAccess(a, 1, false) // kasan.go: __asan_load1
	pfn, ok := k.translate(a)
	if !ok {
		return 0, k.pageFault(a, false, "")
	}
	if c := k.mem.contents(pfn); c != nil {
		return c[a&(PageSize-1)], nil
	}
	return 0, nil
}

// StoreByte writes one byte of kernel memory (p[i] = b in a script).
func (k *Kernel) StoreByte(a Addr, b byte) error {
	k.kasanAccess(a, 1, true) // kasan.go: __asan_store1
	pfn, ok := k.translate(a)
	if !ok {
		return k.pageFault(a, true, "")
	}
	k.mem.contentsForWrite(pfn)[a&(PageSize-1)] = b
	return nil
}

// Memset mirrors memset(): n bytes of c at a.
func (k *Kernel) Memset(a Addr, c byte, n uint64) error {
	k.mem.work += n
	if k.kasanCheckRange(a, n, true, kasanMemsetFrames) { // kasan.go: KASAN's memset skips a bad range
		return nil
	}
	for n > 0 {
		pfn, ok := k.translate(a)
		if !ok {
			return k.pageFault(a, true, "memset_orig+0x33/0xb0")
		}
		off := a & (PageSize - 1)
		step := min(n, uint64(PageSize-off))
		if c == 0 && off == 0 && step == PageSize {
			k.mem.clearPages(pfn, 0) // a whole page of zeros: drop its contents
		} else {
			dst := k.mem.contentsForWrite(pfn)[off : off+Addr(step)]
			for i := range dst {
				dst[i] = c
			}
		}
		n, a = n-step, a+Addr(step)
	}
	return nil
}

// Memmove mirrors memmove() (and memcpy(), which kernelsim treats alike):
// the result is as if src were first copied to a temporary buffer. A fault
// on either side Oopses; bytes before the faulting page have been copied.
func (k *Kernel) Memmove(dst, src Addr, n uint64) error {
	if n == 0 || dst == src {
		return nil
	}
	if k.kasanCheckRange(src, n, false, kasanMemmoveFrames) || k.kasanCheckRange(dst, n, true, kasanMemmoveFrames) {
		return nil // kasan.go: KASAN's memmove skips a bad range
	}
	var chunk [PageSize]byte
	if dst < src || dst >= src+Addr(n) {
		for done := uint64(0); done < n; {
			step := min(n-done, PageSize)
			if err := k.copyChunk(dst+Addr(done), src+Addr(done), chunk[:step]); err != nil {
				return err
			}
			done += step
		}
		return nil
	}
	for left := n; left > 0; { // overlapping, dst above src: copy backwards
		step := min(left, PageSize)
		left -= step
		if err := k.copyChunk(dst+Addr(left), src+Addr(left), chunk[:step]); err != nil {
			return err
		}
	}
	return nil
}

// copyChunk copies len(buf) bytes from src to dst through buf.
func (k *Kernel) copyChunk(dst, src Addr, buf []byte) error {
	if err := k.ReadMem(src, buf); err != nil {
		return err
	}
	return k.WriteMem(dst, buf)
}

// ReadCString reads a NUL-terminated string at a, as strlen()+read do: the
// access covers the string and its NUL; max bounds the scan.
func (k *Kernel) ReadCString(a Addr, max uint64) (string, error) {
	s, err := k.readCString(a, max)
	if err == nil {
		k.kasanAccess(a, min(uint64(len(s))+1, max), false) // kasan.go: the string and its NUL
	}
	return s, err
}

// StringNocheckFrames are lib/vsprintf.c's frames above a %s argument's
// read, for ReadCStringVia: string_nocheck's byte loop, string(), then
// vsnprintf() and its caller's frames (innermost first).
var (
	PrintkStringFrames   = []string{"string_nocheck+0x5c/0x90", "string+0x107/0x130", "vsnprintf+0x62b/0x9e0", "vprintk_store+0x24e/0x6f0", "vprintk_emit+0xe1/0x2b0", "_printk+0x58/0x73"}
	SnprintfStringFrames = []string{"string_nocheck+0x5c/0x90", "string+0x107/0x130", "vsnprintf+0x62b/0x9e0", "snprintf+0x9f/0xd0"}
	SprintfStringFrames  = []string{"string_nocheck+0x5c/0x90", "string+0x107/0x130", "vsnprintf+0x62b/0x9e0", "sprintf+0x9f/0xd0"}
)

// ReadCStringVia reads a NUL-terminated string as vsnprintf's %s does,
// frames being the kernel functions doing it (innermost first,
// string_nocheck the first). Under KASAN, string_nocheck reads the string
// one byte at a time (each load a __asan_load1), so an over-read is
// reported at the first bad byte: "BUG: KASAN: slab-out-of-bounds in
// string_nocheck+0x…", "Read of size 1", with frames above the script's in
// the call trace — not as one read of the whole length at the script line.
func (k *Kernel) ReadCStringVia(a Addr, max uint64, frames []string) (string, error) {
	s, err := k.readCString(a, max)
	if err != nil {
		return s, err
	}
	n := min(uint64(len(s))+1, max)
	if off := a - k.dbg.kasan.okPage; off < PageSize && Addr(n) <= PageSize-off {
		return s, nil // a page KASAN found wholly accessible
	}
	r, bad, ok := k.kasanFind(a, n)
	if ok {
		return s, nil
	}
	// The bytes before bad passed their checks; the load of bad is
	// reported, against the object the string started in.
	ks := &k.dbg.kasan
	ks.ip = frames[0]
	defer func() { ks.ip = "" }()
	k.kasanReport(kasanRange{a: bad, n: 1, origin: r.origin, originSz: r.originSz}, bad, false, frames)
	return s, nil
}

func (k *Kernel) readCString(a Addr, max uint64) (string, error) {
	var out []byte
	for uint64(len(out)) < max {
		pfn, ok := k.translate(a)
		if !ok {
			return "", k.pageFault(a, false, "strlen+0x4/0x30")
		}
		off := int(a & (PageSize - 1))
		n := min(uint64(PageSize-off), max-uint64(len(out)))
		c := k.mem.contents(pfn)
		if c == nil {
			return string(out), nil // a never-written page: NUL right here
		}
		for i, b := range c[off : off+int(n)] {
			if b == 0 {
				return string(append(out, c[off:off+i]...)), nil
			}
		}
		out = append(out, c[off:off+int(n)]...)
		a += Addr(n)
	}
	return string(out), nil
}
