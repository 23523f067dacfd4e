package kernelsim

import "encoding/binary"

// User copies mirror include/linux/uaccess.h, lib/usercopy.c,
// lib/strncpy_from_user.c and arch/x86/include/asm/uaccess.h (Linux 6.1).
//
// Kernel code must never dereference a __user pointer: the address comes
// from the program and may be unmapped, point into the kernel, or be fine
// now and unmapped a moment later. copy_from_user/copy_to_user check the
// range against the top of user space (access_ok), then copy with the
// fault handling armed: a fault on a user page stops the copy where it
// happened and the call returns how many bytes were NOT copied — exactly, to
// the byte. copy_from_user additionally zero-fills the part of the kernel
// buffer it could not fill, so the kernel never works on stale data.
//
// Before copying, check_copy_size() and hardened usercopy
// (__check_object_size) check the kernel side: usercopy.go.

// AccessOK mirrors access_ok(addr, size) (include/asm-generic/access_ok.h):
// the whole range lies below TASK_SIZE_MAX. It does not check that anything
// is mapped there.
func AccessOK(addr Addr, size uint64) bool {
	limit := uint64(TaskSizeMax)
	return size <= limit && uint64(addr) <= limit-size
}

// Where might_fault() sits in the copy routines, for the sleeping-function
// report (lib/usercopy.c, lib/strncpy_from_user.c, Linux 6.1).
const (
	copyFromUserFile, copyFromUserLine = "lib/usercopy.c", 13
	copyToUserFile, copyToUserLine     = "lib/usercopy.c", 29
	strncpyFromUserLine                = 117
)

// CopyFromUser mirrors copy_from_user(to, from, n): n bytes from user
// address from into kernel address to. It returns the number of bytes not
// copied (0 on success); the uncopied tail of the kernel buffer is zeroed.
//
// objSize is what __builtin_object_size(to, 0) gives the compiler: the
// bytes from to to the end of a fixed-size object (a static_buffer), or -1
// when unknown. With n larger than objSize, check_copy_size() refuses the
// copy with the "Buffer overflow detected" warning and nothing is copied.
// The error is non-nil only for a fatal report (hardened usercopy's BUG, an
// Oops writing the kernel buffer).
func (k *Kernel) CopyFromUser(to, from Addr, n uint64, objSize int64) (uint64, error) {
	k.tick(200 + n/8)
	if ok, err := k.checkCopySize(to, n, objSize, false); err != nil || !ok {
		return n, err
	}
	return k.copyFromUser(to, from, n)
}

// copyFromUser mirrors _copy_from_user (lib/usercopy.c).
func (k *Kernel) copyFromUser(to, from Addr, n uint64) (uint64, error) {
	if err := k.mightFault(copyFromUserFile, copyFromUserLine, "_copy_from_user+0x28/0x80"); err != nil {
		return n, err
	}
	res := n
	if !k.shouldFailUsercopy("_copy_from_user+0x28/0x80") && AccessOK(from, n) { // fault_inject.go

		var err error
		if res, err = k.rawCopyFromUser(to, from, n); err != nil {
			return res, err
		}
	}
	if res > 0 {
		if err := k.Memset(to+Addr(n-res), 0, res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// rawCopyFromUser mirrors raw_copy_from_user → copy_user_generic: copy page
// by page until the first user byte that faults; the bytes not copied.
func (k *Kernel) rawCopyFromUser(to, from Addr, n uint64) (uint64, error) {
	mm := k.currentMM()
	var done uint64
	buf := make([]byte, min(n, PageSize))
	for done < n {
		chunk := buf[:min(n-done, PageSize-uint64(from+Addr(done))%PageSize)]
		got, fault, err := k.userAccess(mm, from+Addr(done), chunk, false)
		if err != nil {
			return n - done, err
		}
		if got > 0 {
			if err := k.WriteMem(to+Addr(done), chunk[:got]); err != nil {
				return n - done, err
			}
			done += uint64(got)
		}
		if fault != nil {
			break
		}
	}
	return n - done, nil
}

// CopyToUser mirrors copy_to_user(to, from, n): n bytes from kernel address
// from to user address to. It returns the number of bytes not copied.
// objSize is __builtin_object_size(from, 0) as for CopyFromUser. The error
// is non-nil only for a fatal report.
func (k *Kernel) CopyToUser(to, from Addr, n uint64, objSize int64) (uint64, error) {
	k.tick(200 + n/8)
	if ok, err := k.checkCopySize(from, n, objSize, true); err != nil || !ok {
		return n, err
	}
	return k.copyToUser(to, from, n)
}

// copyToUser mirrors _copy_to_user (lib/usercopy.c).
func (k *Kernel) copyToUser(to, from Addr, n uint64) (uint64, error) {
	if err := k.mightFault(copyToUserFile, copyToUserLine, "_copy_to_user+0x21/0x50"); err != nil {
		return n, err
	}
	if k.shouldFailUsercopy("_copy_to_user+0x21/0x50") || !AccessOK(to, n) { // fault_inject.go
		return n, nil
	}
	mm := k.currentMM()
	var done uint64
	buf := make([]byte, min(n, PageSize))
	for done < n {
		chunk := buf[:min(n-done, PageSize-uint64(to+Addr(done))%PageSize)]
		if err := k.ReadMem(from+Addr(done), chunk); err != nil {
			return n - done, err
		}
		got, fault, err := k.userAccess(mm, to+Addr(done), chunk, true)
		done += uint64(got)
		if err != nil {
			return n - done, err
		}
		if fault != nil {
			break
		}
	}
	return n - done, nil
}

// currentMM mirrors current->mm: nil for a task without a simulated
// address space, where every user access faults.
func (k *Kernel) currentMM() *MM {
	if p := k.currentProcess(); p != nil {
		return p.MM
	}
	return nil
}

// GetUser mirrors get_user(x, ptr) for a size-byte value (1, 2, 4 or 8):
// the value and 0, or 0 and -EFAULT (x is zeroed on a fault, as Linux does).
func (k *Kernel) GetUser(ptr Addr, size int) (uint64, int, error) {
	if err := k.mightFault("", 0, ""); err != nil {
		return 0, -int(EFAULT), err
	}
	if !AccessOK(ptr, uint64(size)) {
		return 0, -int(EFAULT), nil
	}
	var b [8]byte
	got, _, err := k.userAccess(k.currentMM(), ptr, b[:size], false)
	if err != nil || got < size {
		return 0, -int(EFAULT), err
	}
	return binary.LittleEndian.Uint64(b[:]), 0, nil
}

// PutUser mirrors put_user(x, ptr) for a size-byte value: 0 or -EFAULT.
// As on x86, a fault part-way leaves the bytes before it written.
func (k *Kernel) PutUser(x uint64, ptr Addr, size int) (int, error) {
	if err := k.mightFault("", 0, ""); err != nil {
		return -int(EFAULT), err
	}
	if !AccessOK(ptr, uint64(size)) {
		return -int(EFAULT), nil
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], x)
	got, _, err := k.userAccess(k.currentMM(), ptr, b[:size], true)
	if err != nil || got < size {
		return -int(EFAULT), err
	}
	return 0, nil
}

// StrncpyFromUser mirrors strncpy_from_user(dst, src, count): copy a
// NUL-terminated string of at most count bytes. It returns the string's
// length (without the NUL, which is copied too), count when no NUL came
// within count bytes (dst is then not terminated), or -EFAULT. As Linux,
// hardened usercopy checks dst for the full count, and the copy goes a word
// (8 bytes) at a time while whole words can be read, so the bytes after the
// NUL up to the end of its word are written as zeros.
func (k *Kernel) StrncpyFromUser(dst, src Addr, count int64) (int64, error) {
	if err := k.mightFault("lib/strncpy_from_user.c", strncpyFromUserLine, "strncpy_from_user+0x26/0x130"); err != nil {
		return -int64(EFAULT), err
	}
	if count <= 0 {
		return 0, nil
	}
	if !IsUserAddr(src) {
		return -int64(EFAULT), nil
	}
	max := min(uint64(TaskSizeMax-src), uint64(count))
	if err := k.checkObjectSize(dst, uint64(count), false); err != nil {
		return -int64(EFAULT), err
	}
	res, done, err := k.strncpyWords(dst, src, max)
	if err != nil || done {
		return res, err
	}
	return k.strncpyBytes(dst, src, uint64(res), max, uint64(count))
}

// strncpyWords is do_strncpy_from_user's word loop: done reports that the
// NUL was found (res is then the length).
func (k *Kernel) strncpyWords(dst, src Addr, max uint64) (res int64, done bool, err error) {
	mm := k.currentMM()
	var w [8]byte
	for off := uint64(0); max-off >= 8; off += 8 {
		got, _, err := k.userAccess(mm, src+Addr(off), w[:], false)
		if err != nil {
			return -int64(EFAULT), true, err
		}
		if got < 8 { // fall back to byte-at-a-time on a fault
			return int64(off), false, nil
		}
		if i := bytesIndexZero(w[:]); i >= 0 {
			clear(w[i:])
			return int64(off) + int64(i), true, k.WriteMem(dst+Addr(off), w[:])
		}
		if err := k.WriteMem(dst+Addr(off), w[:]); err != nil {
			return -int64(EFAULT), true, err
		}
		res = int64(off + 8)
	}
	return res, false, nil
}

// strncpyBytes is do_strncpy_from_user's byte loop from offset res.
func (k *Kernel) strncpyBytes(dst, src Addr, res, max, count uint64) (int64, error) {
	mm := k.currentMM()
	var b [1]byte
	for ; res < max; res++ {
		got, _, err := k.userAccess(mm, src+Addr(res), b[:], false)
		if err != nil {
			return -int64(EFAULT), err
		}
		if got == 0 {
			return -int64(EFAULT), nil
		}
		if err := k.WriteMem(dst+Addr(res), b[:]); err != nil {
			return -int64(EFAULT), err
		}
		if b[0] == 0 {
			return int64(res), nil
		}
	}
	if res >= count {
		return int64(res), nil
	}
	return -int64(EFAULT), nil
}

func bytesIndexZero(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

// ClearUser mirrors clear_user(to, n): zero n bytes of user memory; the
// number of bytes not cleared.
func (k *Kernel) ClearUser(to Addr, n uint64) (uint64, error) {
	if err := k.mightFault("", 0, ""); err != nil {
		return n, err
	}
	if !AccessOK(to, n) {
		return n, nil
	}
	return k.bytesToUser(to, make([]byte, n))
}

// bytesToUser copies Go-held kernel data (a regular file's page cache, the
// zeros of /dev/zero) to user memory, with copy_to_user's fault handling
// but without the checks on a simulated kernel buffer. The bytes not copied.
func (k *Kernel) bytesToUser(to Addr, data []byte) (uint64, error) {
	if !AccessOK(to, uint64(len(data))) {
		return uint64(len(data)), nil
	}
	got, _, err := k.userAccess(k.currentMM(), to, data, true)
	return uint64(len(data) - got), err
}

// bytesFromUser reads n bytes of user memory into Go memory, as a built-in
// driver's write would: the bytes read (up to a fault) and the count not
// read.
func (k *Kernel) bytesFromUser(from Addr, n uint64) ([]byte, uint64, error) {
	if !AccessOK(from, n) {
		return nil, n, nil
	}
	buf := make([]byte, n)
	got, _, err := k.userAccess(k.currentMM(), from, buf, false)
	return buf[:got], n - uint64(got), err
}
