package runtime

import (
	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// memAPIs is the Pointers and memory group: lib/string.c's functions and
// kscript's helpers that read memory into Starlark values.
func memAPIs() []API {
	g, code := "Pointers and memory", ScopeCode
	return []API{
		{Name: "NULL", C: "#define NULL ((void *)0)", Group: g, Scope: ScopeAny, own: func(e *env) starlark.Value { return Ptr{e: e} },
			En: `The null pointer. It is false, so "if not p:" tests for it, as "if (!p)" does in C. Dereferencing it is an Oops (BUG: kernel NULL pointer dereference).`,
			Th: `พอยน์เตอร์ว่าง มีค่าเป็นเท็จ ดังนั้น "if not p:" ใช้ตรวจได้ เหมือน "if (!p)" ในภาษา C การ dereference NULL ทำให้เกิด Oops (BUG: kernel NULL pointer dereference)`},
		{Name: "memset", C: "void *memset(void *s, int c, size_t n)", Group: g, Scope: code, fn: memsetFn,
			En: `Fills n bytes at s with the byte c and returns s. Every byte written is checked by the simulated kernel, so a memset past the end of an object is reported by KASAN.`,
			Th: `เขียนค่าไบต์ c ลงไป n ไบต์เริ่มที่ s แล้วคืนค่า s ทุกไบต์ที่เขียนถูกตรวจโดย Kernel จำลอง ดังนั้น memset ที่เลยขอบ object จะถูก KASAN รายงาน`},
		{Name: "memcpy", C: "void *memcpy(void *dest, const void *src, size_t n)", Group: g, Scope: code, fn: memmoveFn,
			En: `Copies n bytes from src to dest and returns dest. src may be a ptr or a string literal (its bytes and NUL). Reads and writes are checked like any access.`,
			Th: `คัดลอก n ไบต์จาก src ไปยัง dest แล้วคืนค่า dest โดย src เป็น ptr หรือ string literal ก็ได้ (ไบต์ของสตริงและ NUL ปิดท้าย) การอ่านและเขียนถูกตรวจเหมือนการเข้าถึงหน่วยความจำทั่วไป`},
		{Name: "memmove", C: "void *memmove(void *dest, const void *src, size_t n)", Group: g, Scope: code, fn: memmoveFn,
			En: `Copies n bytes from src to dest correctly even when the two overlap, and returns dest.`,
			Th: `คัดลอก n ไบต์จาก src ไปยัง dest ได้ถูกต้องแม้สองช่วงจะซ้อนทับกัน แล้วคืนค่า dest`},
		{Name: "memcmp", C: "int memcmp(const void *cs, const void *ct, size_t count)", Group: g, Scope: code, fn: memcmpFn,
			En: `Compares n bytes and returns the difference of the first differing bytes (as unsigned char), or 0 when they are equal, as lib/string.c does.`,
			Th: `เปรียบเทียบ n ไบต์ แล้วคืนผลต่างของไบต์แรกที่ไม่เท่ากัน (แบบ unsigned char) หรือ 0 ถ้าเท่ากันทั้งหมด เหมือน lib/string.c`},
		{Name: "strcpy", C: "char *strcpy(char *dest, const char *src)", Group: g, Scope: code, fn: strcpyFn,
			En: `Copies the C string src and its NUL to dest and returns dest. It does not know dest's size: copying a longer string overflows dest, which KASAN reports. Prefer strscpy.`,
			Th: `คัดลอกสตริง src พร้อม NUL ปิดท้ายไปยัง dest แล้วคืนค่า dest ฟังก์ชันนี้ไม่รู้ขนาดของ dest ถ้าสตริงยาวเกินจะเขียนล้น dest และ KASAN จะรายงาน ควรใช้ strscpy แทน`},
		{Name: "strncpy", C: "char *strncpy(char *dest, const char *src, size_t count)", Group: g, Scope: code, fn: strncpyFn,
			En: `Copies at most count bytes of src to dest, padding with zeros up to count. If src is count bytes or longer, dest gets no NUL: a classic source of over-reads later.`,
			Th: `คัดลอก src ไปยัง dest ไม่เกิน count ไบต์ และเติมศูนย์จนครบ count ถ้า src ยาวตั้งแต่ count ไบต์ขึ้นไป dest จะไม่มี NUL ปิดท้าย ซึ่งเป็นสาเหตุคลาสสิกของการอ่านเลยขอบในภายหลัง`},
		{Name: "strscpy", C: "ssize_t strscpy(char *dest, const char *src, size_t count)", Group: g, Scope: code, fn: strscpyFn,
			En: `Copies src to dest, at most count-1 bytes plus a NUL, and returns the number of bytes copied, or -E2BIG when src did not fit (dest is still NUL-terminated). The kernel's recommended string copy.`,
			Th: `คัดลอก src ไปยัง dest ไม่เกิน count-1 ไบต์และปิดท้ายด้วย NUL เสมอ คืนค่าจำนวนไบต์ที่คัดลอก หรือ -E2BIG ถ้า src ยาวเกิน (dest ยังมี NUL ปิดท้าย) เป็นฟังก์ชันคัดลอกสตริงที่ Kernel แนะนำ`},
		{Name: "strlen", C: "size_t strlen(const char *s)", Group: g, Scope: code, fn: strlenFn,
			En: `The length of the C string at s, not counting its NUL. It reads until a NUL: a buffer without one is over-read.`,
			Th: `ความยาวของสตริงที่ s ไม่นับ NUL ฟังก์ชันจะอ่านไปจนเจอ NUL ถ้าบัฟเฟอร์ไม่มี NUL จะอ่านเลยขอบ`},
		{Name: "strcmp", C: "int strcmp(const char *cs, const char *ct)", Group: g, Scope: code, fn: strcmpFn(false),
			En: `Compares two C strings: -1, 0 or 1, as the kernel's strcmp returns.`,
			Th: `เปรียบเทียบสตริงสองตัว คืนค่า -1, 0 หรือ 1 เหมือน strcmp ของ Kernel`},
		{Name: "strncmp", C: "int strncmp(const char *cs, const char *ct, size_t count)", Group: g, Scope: code, fn: strcmpFn(true),
			En: `Compares at most count bytes of two C strings: -1, 0 or 1.`,
			Th: `เปรียบเทียบสตริงสองตัวไม่เกิน count ไบต์ คืนค่า -1, 0 หรือ 1`},
		{Name: "snprintf", C: "int snprintf(char *buf, size_t size, const char *fmt, ...)", Group: g, Scope: code, fn: snprintfFn,
			En: `Formats like printk into buf, writing at most size bytes including the NUL, and returns the length the whole output would have had (so a return value >= size means it was truncated).`,
			Th: `จัดรูปแบบข้อความแบบเดียวกับ printk ลงใน buf เขียนไม่เกิน size ไบต์รวม NUL และคืนความยาวที่ข้อความเต็มควรจะมี (ถ้าค่าที่คืน >= size แปลว่าข้อความถูกตัด)`},
		{Name: "sprintf", C: "int sprintf(char *buf, const char *fmt, ...)", Group: g, Scope: code, fn: sprintfFn,
			En: `Formats like printk into buf with no bound and returns the length written (without the NUL). A long output overflows buf; prefer snprintf.`,
			Th: `จัดรูปแบบข้อความแบบเดียวกับ printk ลงใน buf โดยไม่จำกัดความยาว และคืนความยาวที่เขียน (ไม่นับ NUL) ถ้าข้อความยาวจะเขียนล้น buf ควรใช้ snprintf แทน`},
		{Name: "kstrdup", C: "char *kstrdup(const char *s, gfp_t gfp)", Group: g, Scope: ScopeKernel, fn: kstrdupFn,
			En: `Allocates a copy of the C string s with kmalloc (strlen+1 bytes, flags gfp) and returns it, or NULL. Free it with kfree.`,
			Th: `จองหน่วยความจำด้วย kmalloc (strlen+1 ไบต์ ด้วย flags gfp) แล้วคัดลอกสตริง s ลงไป คืนค่า ptr ของสำเนา หรือ NULL ถ้าจองไม่ได้ ต้องปล่อยด้วย kfree`},
		{Name: "kmemdup", C: "void *kmemdup(const void *src, size_t len, gfp_t gfp)", Group: g, Scope: ScopeKernel, fn: kmemdupFn,
			En: `Allocates len bytes with kmalloc and copies src into them; returns the copy or NULL. Free it with kfree.`,
			Th: `จองหน่วยความจำ len ไบต์ด้วย kmalloc แล้วคัดลอก src ลงไป คืนสำเนาหรือ NULL ต้องปล่อยด้วย kfree`},
		{Name: "string_at", C: "(kscript) str string_at(const char *p)", Group: g, Scope: code, fn: stringAtFn,
			En: `kscript's helper: reads the C string at p from simulated memory and returns it as a Starlark string (for assertions and print). The read is checked like strlen's.`,
			Th: `ฟังก์ชันช่วยของ kscript: อ่านสตริงที่ p จากหน่วยความจำจำลองแล้วคืนเป็นสตริงของ Starlark (ใช้ตรวจผลหรือพิมพ์) การอ่านถูกตรวจแบบเดียวกับ strlen`},
		{Name: "bytes_at", C: "(kscript) bytes bytes_at(const void *p, size_t n)", Group: g, Scope: code, fn: bytesAtFn,
			En: `kscript's helper: reads n bytes at p from simulated memory and returns them as Starlark bytes. The read is checked like any access.`,
			Th: `ฟังก์ชันช่วยของ kscript: อ่าน n ไบต์ที่ p จากหน่วยความจำจำลองแล้วคืนเป็น bytes ของ Starlark การอ่านถูกตรวจเหมือนการเข้าถึงทั่วไป`},
	}
}

// maxCString bounds the C strings builtins read (strcpy's source...).
const maxCString = 1 << 20

func memsetFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var s PtrArg
	var ch int
	var n Size
	if err := c.unpack(args, kwargs, "s", &s, "c", &ch, "n", &n); err != nil {
		return nil, err
	}
	err := c.e.memset(s.addr(), byte(ch), uint64(n))
	c.recordWrite(uint64(n), s.addr(), err == nil)
	return s.p, err
}

// memset and memmove run in kernelsim for kernel code; in a user program
// they go through user memory a chunk at a time.
func (e *env) memset(a kernelsim.Addr, b byte, n uint64) error {
	e.stackGen++
	if e.where != whereUser {
		return e.k.Memset(a, b, n)
	}
	chunk := make([]byte, min(n, kernelsim.PageSize))
	for i := range chunk {
		chunk[i] = b
	}
	for done := uint64(0); done < n; {
		step := min(n-done, uint64(len(chunk)))
		if err := e.write(a+kernelsim.Addr(done), chunk[:step]); err != nil {
			return err
		}
		done += step
	}
	return nil
}

func memmoveFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var dst PtrArg
	var src SrcArg
	var n Size
	if err := c.unpack(args, kwargs, "dest", &dst, "src", &src, "n", &n); err != nil {
		return nil, err
	}
	if !src.isLit && c.e.where != whereUser {
		if n > 0 {
			c.e.calls.noteRead(src.p.addr)
		}
		err := c.k().Memmove(dst.addr(), src.p.addr, uint64(n))
		c.recordWrite(uint64(n), dst.addr(), err == nil)
		return dst.p, err
	}
	data, err := src.bytes(c, uint64(n))
	if err != nil {
		c.recordWrite(uint64(n), dst.addr(), false)
		return nil, err
	}
	err = c.e.write(dst.addr(), data)
	c.recordWrite(uint64(n), dst.addr(), err == nil)
	return dst.p, err
}

func memcmpFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var a, b SrcArg
	var n Size
	if err := c.unpack(args, kwargs, "cs", &a, "ct", &b, "count", &n); err != nil {
		return nil, err
	}
	x, err := a.bytes(c, uint64(n))
	if err != nil {
		return nil, err
	}
	y, err := b.bytes(c, uint64(n))
	if err != nil {
		return nil, err
	}
	for i := range x {
		if x[i] != y[i] {
			return starlark.MakeInt(int(x[i]) - int(y[i])), nil
		}
	}
	return starlark.MakeInt(0), nil
}

func strcpyFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var dst PtrArg
	var src CStr
	if err := c.unpack(args, kwargs, "dest", &dst, "src", &src); err != nil {
		return nil, err
	}
	s, err := src.str(c, maxCString)
	if err != nil {
		return nil, err
	}
	err = c.e.write(dst.addr(), append([]byte(s), 0))
	c.recordWrite(uint64(len(s))+1, dst.addr(), err == nil)
	return dst.p, err
}

func strncpyFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var dst PtrArg
	var src CStr
	var n Size
	if err := c.unpack(args, kwargs, "dest", &dst, "src", &src, "count", &n); err != nil {
		return nil, err
	}
	if n > maxCopy {
		return nil, c.errorf("count %d: kscript copies at most %d bytes at once", uint64(n), maxCopy)
	}
	s, err := src.str(c, uint64(n))
	if err != nil {
		return nil, err
	}
	buf := make([]byte, n)
	copy(buf, s)
	err = c.e.write(dst.addr(), buf)
	c.recordWrite(uint64(n), dst.addr(), err == nil)
	return dst.p, err
}

func strscpyFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var dst PtrArg
	var src CStr
	var n Size
	if err := c.unpack(args, kwargs, "dest", &dst, "src", &src, "count", &n); err != nil {
		return nil, err
	}
	if n == 0 || n > maxCopy {
		c.recordWrite(uint64(n), dst.addr(), false)
		return starlark.MakeInt(-int(kernelsim.E2BIG)), nil
	}
	s, err := src.str(c, uint64(n))
	if err != nil {
		c.recordWrite(uint64(n), dst.addr(), false)
		return nil, err
	}
	ret := len(s)
	if uint64(len(s)) >= uint64(n) {
		s, ret = s[:n-1], -int(kernelsim.E2BIG)
	}
	err = c.e.write(dst.addr(), append([]byte(s), 0))
	c.recordWrite(uint64(n), dst.addr(), err == nil)
	return starlark.MakeInt(ret), err
}

func strlenFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var s CStr
	if err := c.unpack(args, kwargs, "s", &s); err != nil {
		return nil, err
	}
	str, err := s.str(c, maxCString)
	return starlark.MakeInt(len(str)), err
}

func strcmpFn(bounded bool) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var a, b CStr
		n := Size(maxCString)
		pairs := []any{"cs", &a, "ct", &b}
		if bounded {
			pairs = append(pairs, "count", &n)
		}
		if err := c.unpack(args, kwargs, pairs...); err != nil {
			return nil, err
		}
		x, err := a.str(c, uint64(n))
		if err != nil {
			return nil, err
		}
		y, err := b.str(c, uint64(n))
		if err != nil {
			return nil, err
		}
		x, y = x[:min(uint64(len(x)), uint64(n))], y[:min(uint64(len(y)), uint64(n))]
		switch {
		case x < y:
			return starlark.MakeInt(-1), nil
		case x > y:
			return starlark.MakeInt(1), nil
		}
		return starlark.MakeInt(0), nil
	}
}

func snprintfFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var buf PtrArg
	var size Size
	var format string
	if len(args) < 3 || len(kwargs) > 0 {
		return nil, c.errorf("want snprintf(buf, size, fmt, ...)")
	}
	if err := starlark.UnpackPositionalArgs(c.name, args[:3], nil, 3, &buf, &size, &format); err != nil {
		return nil, err
	}
	s, err := c.e.vsprintf(c.name, format, args[3:])
	if err != nil {
		return nil, err
	}
	if size > 0 {
		out := []byte(s)[:min(uint64(len(s)), uint64(size)-1)]
		if err := c.e.write(buf.addr(), append(out, 0)); err != nil {
			c.recordWrite(uint64(size), buf.addr(), false)
			return nil, err
		}
	}
	c.recordWrite(uint64(size), buf.addr(), size > 0)
	return starlark.MakeInt(len(s)), nil
}

func sprintfFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var buf PtrArg
	var format string
	if len(args) < 2 || len(kwargs) > 0 {
		return nil, c.errorf("want sprintf(buf, fmt, ...)")
	}
	if err := starlark.UnpackPositionalArgs(c.name, args[:2], nil, 2, &buf, &format); err != nil {
		return nil, err
	}
	s, err := c.e.vsprintf(c.name, format, args[2:])
	if err != nil {
		return nil, err
	}
	err = c.e.write(buf.addr(), append([]byte(s), 0))
	c.recordWrite(uint64(len(s))+1, buf.addr(), err == nil)
	return starlark.MakeInt(len(s)), err
}

func kstrdupFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var s CStr
	var gfp GFPArg
	if err := c.unpack(args, kwargs, "s", &s, "gfp", &gfp); err != nil {
		return nil, err
	}
	if !s.isLit && s.p.addr == 0 {
		return c.ptr(0), nil // kstrdup(NULL) is NULL
	}
	str, err := s.str(c, maxCString)
	if err != nil {
		return nil, err
	}
	return c.dup(append([]byte(str), 0), gfp)
}

func kmemdupFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var src SrcArg
	var n Size
	var gfp GFPArg
	if err := c.unpack(args, kwargs, "src", &src, "len", &n, "gfp", &gfp); err != nil {
		return nil, err
	}
	data, err := src.bytes(c, uint64(n))
	if err != nil {
		return nil, err
	}
	return c.dup(data, gfp)
}

// dup kmallocs len(data) bytes and copies data there.
func (c call) dup(data []byte, gfp GFPArg) (starlark.Value, error) {
	c.mightAllocSize(kernelsim.GFP(gfp), uint64(len(data)))
	a := c.k().Kmalloc(uint64(len(data)), kernelsim.GFP(gfp))
	c.recordAlloc(kernelsim.GFP(gfp), uint64(len(data)), a, nil)
	if a == 0 {
		return c.ptr(0), nil
	}
	return c.ptr(a), c.k().WriteMem(a, data)
}

func stringAtFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p PtrArg
	if err := c.unpack(args, kwargs, "p", &p); err != nil {
		return nil, err
	}
	s, err := c.e.readCString(p.addr(), maxCString)
	return starlark.String(s), err
}

func bytesAtFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p PtrArg
	var n Size
	if err := c.unpack(args, kwargs, "p", &p, "n", &n); err != nil {
		return nil, err
	}
	if n > maxCopy {
		return nil, c.errorf("n %d: kscript reads at most %d bytes at once", uint64(n), maxCopy)
	}
	buf := make([]byte, n)
	if err := c.e.read(p.addr(), buf); err != nil {
		return nil, err
	}
	return starlark.Bytes(buf), nil
}
