package kernelsim

// OWNER: memory-core helper. Stub: replace with the real implementation.

// ReadMem reads len(buf) bytes of kernel memory at a, as a kernel-mode load:
// every byte goes through address translation and the access checks. A fault
// Linux would Oops on returns *Oops.
func (k *Kernel) ReadMem(a Addr, buf []byte) error { panic("unimplemented") }

// WriteMem writes data to kernel memory at a, as a kernel-mode store.
func (k *Kernel) WriteMem(a Addr, data []byte) error { panic("unimplemented") }

// Memset mirrors memset(): n bytes of c at a.
func (k *Kernel) Memset(a Addr, c byte, n uint64) error { panic("unimplemented") }

// Memmove mirrors memmove() (and memcpy(), which kernelsim treats alike).
func (k *Kernel) Memmove(dst, src Addr, n uint64) error { panic("unimplemented") }

// ReadCString reads a NUL-terminated string at a, as strlen()+read do: the
// access covers the string and its NUL; max bounds the scan.
func (k *Kernel) ReadCString(a Addr, max uint64) (string, error) { panic("unimplemented") }
