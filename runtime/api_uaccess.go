package runtime

import (
	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// uaccessAPIs is the "Char devices and user copies" group's copy half
// (include/linux/uaccess.h, lib/usercopy.c).
func uaccessAPIs() []API {
	g, k := "Char devices and user copies", ScopeKernel
	return []API{
		{Name: "copy_from_user", C: "unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)", Group: g, Scope: k, fn: copyUserFn(true),
			En: `Copies n bytes from user space into a kernel buffer and returns the number of bytes NOT copied (0 on success), exact to the byte where a user page is missing; the uncopied tail of to is zero-filled. Before copying, the kernel checks the kernel side: more than a fixed-size object (a static_buffer) can hold is refused ("Buffer overflow detected (32 < 40)!") and nothing is copied; a copy past a slab object is hardened usercopy's BUG. It may sleep (page faults): process context only.`,
			Th: `คัดลอก n ไบต์จาก user space มายังบัฟเฟอร์ใน Kernel และคืนค่าจำนวนไบต์ที่คัดลอก "ไม่ได้" (0 เมื่อสำเร็จ) ได้แม่นยำถึงระดับไบต์เมื่อ Page ของ user บาง Page ไม่มีอยู่ ส่วนท้ายของ to ที่คัดลอกไม่ได้จะถูกเติมศูนย์ ก่อนคัดลอก Kernel จะตรวจฝั่ง Kernel: ถ้าเกินขนาดของ object ขนาดตายตัว (static_buffer) จะปฏิเสธ ("Buffer overflow detected (32 < 40)!") และไม่คัดลอกเลย ถ้าเกิน slab object จะเป็น BUG ของ hardened usercopy ฟังก์ชันนี้อาจ sleep (page fault) จึงใช้ได้เฉพาะใน process context`},
		{Name: "copy_to_user", C: "unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)", Group: g, Scope: k, fn: copyUserFn(false),
			En: `Copies n bytes from a kernel buffer to user space and returns the number of bytes NOT copied (0 on success). Reading more than the kernel object holds is refused as for copy_from_user.`,
			Th: `คัดลอก n ไบต์จากบัฟเฟอร์ใน Kernel ไปยัง user space และคืนค่าจำนวนไบต์ที่คัดลอก "ไม่ได้" (0 เมื่อสำเร็จ) การอ่านเกินขนาดของ object ใน Kernel จะถูกปฏิเสธเหมือน copy_from_user`},
		{Name: "get_user", C: "int get_user(x, ptr)", Group: g, Scope: k, fn: getUserFn,
			En: `Reads one value of size bytes (1, 2, 4 or 8; default 4) from user space. Unlike C's macro, which assigns x, it returns the pair (ret, x): ret is 0 or -EFAULT, x the value (0 on a fault): ret, x = get_user(uptr).`,
			Th: `อ่านค่าหนึ่งค่าขนาด size ไบต์ (1, 2, 4 หรือ 8 ค่าปริยาย 4) จาก user space ต่างจาก macro ของ C ที่กำหนดค่าให้ x ที่นี่จะคืนคู่ (ret, x) โดย ret เป็น 0 หรือ -EFAULT และ x เป็นค่าที่อ่านได้ (0 เมื่อเกิด fault) เช่น ret, x = get_user(uptr)`},
		{Name: "put_user", C: "int put_user(x, ptr)", Group: g, Scope: k, fn: putUserFn,
			En: `Writes one value of size bytes (default 4) to user space: 0 or -EFAULT.`, Th: `เขียนค่าหนึ่งค่าขนาด size ไบต์ (ค่าปริยาย 4) ไปยัง user space คืนค่า 0 หรือ -EFAULT`},
		{Name: "access_ok", C: "bool access_ok(const void __user *addr, unsigned long size)", Group: g, Scope: ScopeCode, fn: accessOKFn,
			En: `True when the whole range lies in user space (below TASK_SIZE_MAX); it does not check that anything is mapped there. vfs_read and vfs_write check it first, so a kernel address never reaches a driver.`,
			Th: `เป็นจริงเมื่อทั้งช่วงอยู่ใน user space (ต่ำกว่า TASK_SIZE_MAX) โดยไม่ตรวจว่ามีอะไรแมปอยู่จริง vfs_read และ vfs_write ตรวจสิ่งนี้ก่อน ที่อยู่ของ Kernel จึงไม่มีทางไปถึงไดรเวอร์`},
		{Name: "strncpy_from_user", C: "long strncpy_from_user(char *dst, const char __user *src, long count)", Group: g, Scope: k, fn: strncpyFromUserFn,
			En: `Copies a NUL-terminated string of at most count bytes from user space: its length, count when no NUL came in time (dst is then not terminated), or -EFAULT.`,
			Th: `คัดลอกสตริงที่ปิดท้ายด้วย NUL ยาวไม่เกิน count ไบต์จาก user space คืนความยาวของสตริง หรือ count ถ้าไม่เจอ NUL ภายในความยาวนั้น (dst จะไม่มี NUL ปิดท้าย) หรือ -EFAULT`},
		{Name: "clear_user", C: "unsigned long clear_user(void __user *to, unsigned long n)", Group: g, Scope: k, fn: clearUserFn,
			En: `Zeroes n bytes of user memory; returns the bytes not cleared.`, Th: `ล้างหน่วยความจำของ user เป็นศูนย์ n ไบต์ คืนค่าจำนวนไบต์ที่ล้างไม่ได้`},
		{Name: "uptr", C: "(void __user *)addr", Group: g, Scope: ScopeCode, fn: uptrFn,
			En: `A __user pointer holding addr: for deliberately bad pointers in user programs (uptr(0), uptr(0xffff888000000000)), or the cast of an ioctl's unsigned long arg in a driver.`,
			Th: `พอยน์เตอร์แบบ __user ที่มีค่า addr ใช้สร้างพอยน์เตอร์เสียโดยตั้งใจในโปรแกรมฝั่ง user (uptr(0), uptr(0xffff888000000000)) หรือใช้แปลงอาร์กิวเมนต์ arg ชนิด unsigned long ของ ioctl ในไดรเวอร์`},
	}
}

// objectSize is __builtin_object_size(p, 0): the bytes from p to the end
// of the fixed-size array it points into, or -1 when the compiler would not
// know (any pointer other than a static_buffer's).
func objectSize(p Ptr) int64 {
	if p.end == 0 || p.addr > p.end {
		return -1
	}
	return int64(p.end - p.addr)
}

// copyUserFn makes copy_from_user (from user) and copy_to_user.
func copyUserFn(fromUser bool) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var to, from PtrArg
		var n Size
		if err := c.unpack(args, kwargs, "to", &to, "from", &from, "n", &n); err != nil {
			return nil, err
		}
		var left uint64
		var err error
		if fromUser {
			left, err = c.k().CopyFromUser(to.addr(), from.addr(), uint64(n), objectSize(to.p))
		} else {
			if n > 0 {
				c.e.calls.noteRead(from.addr())
			}
			left, err = c.k().CopyToUser(to.addr(), from.addr(), uint64(n), objectSize(from.p))
			c.e.copiedToUser(to.addr(), from.addr(), uint64(n)-left)
		}
		c.recordCopy(uint64(n), left)
		return starlark.MakeUint64(left), err
	}
}

// userSize checks get_user/put_user's size.
func (c call) userSize(size int) error {
	switch size {
	case 1, 2, 4, 8:
		return nil
	}
	return c.errorf("size %d: want 1, 2, 4 or 8 (the size of *ptr)", size)
}

func getUserFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p PtrArg
	size := 4
	if err := c.unpack(args, kwargs, "ptr", &p, "size?", &size); err != nil {
		return nil, err
	}
	if err := c.userSize(size); err != nil {
		return nil, err
	}
	v, ret, err := c.k().GetUser(p.addr(), size)
	c.record(0, uint64(size), ret != 0)
	return starlark.Tuple{starlark.MakeInt(ret), starlark.MakeUint64(v)}, err
}

func putUserFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x uint64
	var p PtrArg
	size := 4
	if err := c.unpack(args, kwargs, "x", &x, "ptr", &p, "size?", &size); err != nil {
		return nil, err
	}
	if err := c.userSize(size); err != nil {
		return nil, err
	}
	ret, err := c.k().PutUser(x, p.addr(), size)
	c.record(0, uint64(size), ret != 0)
	if ret == 0 {
		c.e.userWrote(p.addr(), putUserBytes(x, size))
	}
	return starlark.MakeInt(ret), err
}

func accessOKFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p PtrArg
	var size Size
	if err := c.unpack(args, kwargs, "addr", &p, "size", &size); err != nil {
		return nil, err
	}
	return starlark.Bool(kernelsim.AccessOK(p.addr(), uint64(size))), nil
}

func strncpyFromUserFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var dst, src PtrArg
	var count int64
	if err := c.unpack(args, kwargs, "dst", &dst, "src", &src, "count", &count); err != nil {
		return nil, err
	}
	ret, err := c.k().StrncpyFromUser(dst.addr(), src.addr(), count)
	c.record(0, uint64(count), ret < 0)
	return starlark.MakeInt64(ret), err
}

func clearUserFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var to PtrArg
	var n Size
	if err := c.unpack(args, kwargs, "to", &to, "n", &n); err != nil {
		return nil, err
	}
	left, err := c.k().ClearUser(to.addr(), uint64(n))
	c.recordCopy(uint64(n), left)
	c.e.userWrote(to.addr(), make([]byte, min(uint64(n)-left, maxReadBytes)))
	return starlark.MakeUint64(left), err
}

func uptrFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var addr AddrArg
	if err := c.unpack(args, kwargs, "addr", &addr); err != nil {
		return nil, err
	}
	return Ptr{e: c.e, addr: addr.a, flags: ptrUser}, nil
}
