package kernelsim

// Peek reads kernel memory at a into buf without the access checks of a
// kernel-mode load: no KASAN report, no fault. It is for kscript's own
// bookkeeping (the record of what a read handler copied to user space),
// never for the simulated kernel's code, and it changes nothing the
// kernel reports. It returns false if some page of the range is not
// mapped or was never written; those bytes read as zeros.
func (k *Kernel) Peek(a Addr, buf []byte) bool {
	ok := true
	for len(buf) > 0 {
		n := min(len(buf), PageSize-int(a&(PageSize-1)))
		ok = k.rawRead(a, buf[:n]) && ok
		buf, a = buf[n:], a+Addr(n)
	}
	return ok
}
