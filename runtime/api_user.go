package runtime

import (
	"fmt"
	"io"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// userAPIs is the User programs group: user_program and the C library and
// system calls its programs use (unistd.h, fcntl.h, stdio.h, stdlib.h).
func userAPIs() []API {
	g, u := "User programs", ScopeUser
	sys := func(name, c, en, th string, fn apiFunc) API {
		return API{Name: name, C: c, Group: g, Scope: u, fn: fn, En: en, Th: th}
	}
	consts := []struct {
		name string
		val  int
		c    string
	}{
		{"O_RDONLY", kernelsim.O_RDONLY, "#define O_RDONLY 00"}, {"O_WRONLY", kernelsim.O_WRONLY, "#define O_WRONLY 01"},
		{"O_RDWR", kernelsim.O_RDWR, "#define O_RDWR 02"}, {"O_CREAT", kernelsim.O_CREAT, "#define O_CREAT 0100"},
		{"O_TRUNC", kernelsim.O_TRUNC, "#define O_TRUNC 01000"}, {"O_APPEND", kernelsim.O_APPEND, "#define O_APPEND 02000"},
		{"O_NONBLOCK", kernelsim.O_NONBLOCK, "#define O_NONBLOCK 04000"},
		{"SEEK_SET", 0, "#define SEEK_SET 0"}, {"SEEK_CUR", 1, "#define SEEK_CUR 1"}, {"SEEK_END", 2, "#define SEEK_END 2"},
		{"EXIT_SUCCESS", 0, "#define EXIT_SUCCESS 0"}, {"EXIT_FAILURE", 1, "#define EXIT_FAILURE 1"},
	}
	out := []API{
		{Name: "user_program", C: "int main(int argc, char *argv[])  /* a program of its own */", Group: g, Scope: ScopeDecl, fn: userProgramFn,
			En: `Registers a user-space program that the scenario runs as ./name, in a process of its own (its pid, comm, address space, file table), as the ordinary user student. main() or main(argc, argv) runs in user mode: it reaches the kernel only through open, read, write, ioctl... and returns the exit status (EXIT_SUCCESS when it falls off the end). Its printf output is the program's stdout. Each run starts from a fresh copy of its file's globals; the module's static() fields and static_buffers are out of its reach, as in C. A lesson's programs file (programs:) replaces a program of the same name.`,
			Th: `ลงทะเบียนโปรแกรมฝั่ง user space ที่ scenario จะรันเป็น ./name ใน process ของตัวเอง (มี pid, comm, address space และตารางไฟล์ที่เปิดของตัวเอง) ในฐานะผู้ใช้ธรรมดาชื่อ student ฟังก์ชัน main() หรือ main(argc, argv) ทำงานใน user mode ติดต่อ Kernel ได้ผ่าน open, read, write, ioctl ... เท่านั้น และคืนค่า exit status (ถ้าจบฟังก์ชันโดยไม่ return จะเป็น EXIT_SUCCESS) ข้อความจาก printf คือ stdout ของโปรแกรม ทุกครั้งที่รันจะเริ่มจากตัวแปร global ชุดใหม่ของไฟล์ และเข้าถึงฟิลด์ของ static() หรือ static_buffer ของ module ไม่ได้ เหมือนในภาษา C ไฟล์โปรแกรมของบทเรียน (programs:) จะแทนที่โปรแกรมชื่อเดียวกัน`},
		sys("open", "int open(const char *pathname, int flags, mode_t mode)",
			`open(2): a file descriptor, or -1 with errno set (ENOENT, EACCES without chmod 666 on a root-owned device node, ENXIO when no driver has the node's major...). The driver's open runs in the kernel.`,
			`open(2): คืน file descriptor หรือ -1 พร้อมตั้งค่า errno (ENOENT, EACCES ถ้า device node ของ root ยังไม่ได้ chmod 666, ENXIO ถ้าไม่มีไดรเวอร์ของ major นั้น ...) handler open ของไดรเวอร์จะทำงานใน Kernel`, openFn),
		sys("close", "int close(int fd)", `close(2): 0, or -1 with errno. The last close of a file runs the driver's release.`, `close(2): คืนค่า 0 หรือ -1 พร้อม errno การปิดครั้งสุดท้ายจะเรียก release ของไดรเวอร์`, closeFn),
		sys("read", "ssize_t read(int fd, void *buf, size_t count)",
			`read(2): the bytes read into buf (0 at end of file), or -1 with errno (EFAULT: "Bad address"). The kernel checks buf with access_ok, then the driver's read copies with copy_to_user.`,
			`read(2): คืนค่าจำนวนไบต์ที่อ่านเข้า buf (0 เมื่อถึงท้ายไฟล์) หรือ -1 พร้อม errno (EFAULT: "Bad address") Kernel ตรวจ buf ด้วย access_ok ก่อน แล้ว read ของไดรเวอร์จะคัดลอกด้วย copy_to_user`, rwFn(false)),
		sys("write", "ssize_t write(int fd, const void *buf, size_t count)",
			`write(2): buf is a pointer or a string literal; the bytes written, or -1 with errno. A kernel address never reaches the driver (EFAULT).`,
			`write(2): buf เป็นพอยน์เตอร์หรือ string literal คืนค่าจำนวนไบต์ที่เขียน หรือ -1 พร้อม errno ที่อยู่ของ Kernel จะไม่มีทางไปถึงไดรเวอร์ (EFAULT)`, rwFn(true)),
		sys("lseek", "off_t lseek(int fd, off_t offset, int whence)", `lseek(2): the new position, or -1 with errno (ESPIPE without a driver llseek).`, `lseek(2): คืนค่าตำแหน่งใหม่ หรือ -1 พร้อม errno (ESPIPE ถ้าไดรเวอร์ไม่มี llseek)`, lseekFn),
		sys("ioctl", "int ioctl(int fd, unsigned long request, ...)", `ioctl(2): the driver's unlocked_ioctl result, or -1 with errno (ENOTTY without one).`, `ioctl(2): คืนผลจาก unlocked_ioctl ของไดรเวอร์ หรือ -1 พร้อม errno (ENOTTY ถ้าไม่มี)`, ioctlFn),
		sys("malloc", "void *malloc(size_t size)", `glibc's malloc on the process heap: a user pointer, or NULL with errno ENOMEM.`, `malloc ของ glibc บน heap ของ process คืนค่าพอยน์เตอร์ฝั่ง user หรือ NULL พร้อม errno ENOMEM`, mallocFn),
		sys("free", "void free(void *ptr)", `glibc's free: a double free or a bad pointer aborts the program (SIGABRT), as glibc does.`, `free ของ glibc: การปล่อยซ้ำหรือปล่อยพอยน์เตอร์ที่ไม่ถูกต้องทำให้โปรแกรมถูก abort (SIGABRT) เหมือน glibc`, freeFn),
		sys("stack_buffer", "char name[size] = \"init\";  /* a local array */", `A local array on the program's stack: its ptr. Not cleared, as C locals are not; init, if given, is copied in.`, `อาร์เรย์ local บน stack ของโปรแกรม คืนค่า ptr ของอาร์เรย์ ไม่ได้ล้างค่าเหมือนตัวแปร local ของ C ถ้าให้ init มาจะคัดลอกลงไป`, stackBufferFn),
		sys("printf", "int printf(const char *format, ...)", `Formats like C's printf and writes to the program's stdout; returns the bytes written.`, `จัดรูปแบบแบบ printf ของ C แล้วเขียนลง stdout ของโปรแกรม คืนค่าจำนวนไบต์ที่เขียน`, printfFn),
		sys("puts", "int puts(const char *s)", `Writes s and a newline to stdout.`, `เขียน s ตามด้วย newline ลง stdout`, putsFn),
		sys("perror", "void perror(const char *s)", `Prints "s: " and errno's message ("Bad address"), as C's perror.`, `พิมพ์ "s: " ตามด้วยข้อความของ errno ("Bad address") เหมือน perror ของ C`, perrorFn),
		sys("errno", "extern int errno;", `libc's errno, read as errno(): the error of the last failed call.`, `ตัวแปร errno ของ C library อ่านด้วย errno(): ข้อผิดพลาดของการเรียกล่าสุดที่ล้มเหลว`, errnoFn),
		sys("strerror", "char *strerror(int errnum)", `The message of an errno value, as glibc prints it.`, `ข้อความของค่า errno แบบที่ glibc พิมพ์`, strerrorFn),
		sys("exit", "void exit(int status)", `Ends the program with status; open files are closed (drivers' release runs).`, `จบโปรแกรมด้วย status ไฟล์ที่เปิดอยู่จะถูกปิด (release ของไดรเวอร์ทำงาน)`, exitFn),
	}
	for _, k := range consts {
		out = append(out, API{Name: k.name, C: k.c, Group: g, Scope: ScopeAny, v: intConst(k.val),
			En: "The C library's " + k.name + ".", Th: k.name + " ของ C library"})
	}
	return out
}

func userProgramFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	var main FuncArg
	if err := c.unpack(args, kwargs, "name", &name, "main", &main); err != nil {
		return nil, err
	}
	if !isProgramName(name) {
		return nil, c.errorf("program name %q: want a file name (letters, digits, '_', '-', '.')", name)
	}
	if f, ok := main.fn.(*starlark.Function); ok && f.NumParams() != 0 && f.NumParams() != 2 {
		return nil, c.errorf("%s takes %d parameters, want main() or main(argc, argv)", f.Name(), f.NumParams())
	}
	mod := c.e.mod
	if _, dup := mod.program(name); dup {
		return nil, c.errorf("program %s declared twice", name)
	}
	mod.programs = append(mod.programs, userProgram{name: name, main: main.fn})
	return starlark.None, nil
}

func isProgramName(s string) bool {
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != "" && s != "." && s != ".."
}

// proc returns the running user program (ScopeUser guarantees one).
func (c call) proc() *userProc { return c.e.proc }

// syscallResult returns a system call's result as libc does (-1 and errno
// for a negative one), after running the softirqs the return to user space
// runs.
func (c call) syscallResult(ret int64, err error) (starlark.Value, error) {
	if err == nil {
		err = c.k().RunDeferred()
	}
	if err != nil {
		return nil, err
	}
	if ret < 0 {
		c.proc().errno = int(-ret)
		return starlark.MakeInt(-1), nil
	}
	return starlark.MakeInt64(ret), nil
}

func openFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var path starlark.Value
	var flags int
	var mode uint32
	if err := c.unpack(args, kwargs, "pathname", &path, "flags", &flags, "mode?", &mode); err != nil {
		return nil, err
	}
	p := c.proc().p
	switch x := path.(type) {
	case starlark.String:
		return c.syscallResult(p.Open(string(x), flags, mode))
	case Ptr:
		return c.syscallResult(p.OpenAt(x.addr, flags, mode))
	}
	return nil, c.errorf("for parameter pathname: got %s, want const char * (a string or a ptr)", path.Type())
}

func closeFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fd int64
	if err := c.unpack(args, kwargs, "fd", &fd); err != nil {
		return nil, err
	}
	return c.syscallResult(c.proc().p.Close(fd))
}

// rwFn makes read and write.
func rwFn(write bool) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var fd int64
		var buf starlark.Value
		var count Size
		if err := c.unpack(args, kwargs, "fd", &fd, "buf", &buf, "count", &count); err != nil {
			return nil, err
		}
		a, err := c.userBuf(buf, write)
		if err != nil {
			return nil, err
		}
		p := c.proc().p
		if write {
			return c.syscallResult(p.Write(fd, a, uint64(count)))
		}
		return c.syscallResult(p.Read(fd, a, uint64(count)))
	}
}

// userBuf is a system call's buffer: a pointer, or (for write) a string
// literal, placed in the program's read-only data as the compiler would.
func (c call) userBuf(v starlark.Value, literalOK bool) (kernelsim.Addr, error) {
	switch x := v.(type) {
	case Ptr:
		return x.addr, nil
	case starlark.String, starlark.Bytes:
		if literalOK {
			return c.proc().p.PlaceString(bytesOrString(x))
		}
	case starlark.Int:
		if x.Sign() == 0 {
			return 0, nil
		}
	}
	return 0, c.errorf("for parameter buf: got %s, want a pointer", v.Type())
}

func lseekFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fd, off int64
	var whence int
	if err := c.unpack(args, kwargs, "fd", &fd, "offset", &off, "whence", &whence); err != nil {
		return nil, err
	}
	return c.syscallResult(c.proc().p.Lseek(fd, off, whence))
}

func ioctlFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fd int64
	var cmd uint32
	var arg AddrArg
	if err := c.unpack(args, kwargs, "fd", &fd, "request", &cmd, "arg?", &arg); err != nil {
		return nil, err
	}
	return c.syscallResult(c.proc().p.Ioctl(fd, cmd, uint64(arg.a)))
}

func mallocFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var n Size
	if err := c.unpack(args, kwargs, "size", &n); err != nil {
		return nil, err
	}
	a := c.proc().p.Malloc(uint64(n))
	if a == 0 {
		c.proc().errno = int(kernelsim.ENOMEM)
	}
	return Ptr{e: c.e, addr: a, flags: ptrUser}, nil
}

func freeFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p PtrArg
	if err := c.unpack(args, kwargs, "ptr", &p); err != nil {
		return nil, err
	}
	return starlark.None, c.proc().p.Free(p.addr())
}

func stackBufferFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var size Size
	var init starlark.Value = starlark.String("")
	if err := c.unpack(args, kwargs, "size", &size, "init?", &init); err != nil {
		return nil, err
	}
	data := bytesOrString(init)
	if uint64(len(data)) > uint64(size) {
		return nil, c.errorf("initializer-string for array of 'char' is too long (%d bytes for char[%d])", len(data), uint64(size))
	}
	p := c.proc().p
	a, err := p.StackAlloc(uint64(size))
	if err != nil {
		return nil, c.errorf("%v", err)
	}
	if init != starlark.String("") {
		buf := make([]byte, size)
		copy(buf, data)
		if err := p.WriteUser(a, buf); err != nil {
			return nil, err
		}
	}
	return Ptr{e: c.e, addr: a, end: a + kernelsim.Addr(size), flags: ptrUser | ptrArray}, nil
}

func printfFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(kwargs) > 0 || len(args) == 0 {
		return nil, c.errorf("want printf(format, ...)")
	}
	format, ok := args[0].(starlark.String)
	if !ok {
		return nil, c.errorf("format: got %s, want const char * (a string)", args[0].Type())
	}
	s, err := c.e.libcPrintf(c.name, string(format), args[1:])
	if err != nil {
		return nil, err
	}
	c.e.userPrint(s)
	return starlark.MakeInt(len(s)), nil
}

func putsFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var s CStr
	if err := c.unpack(args, kwargs, "s", &s); err != nil {
		return nil, err
	}
	str, err := s.str(c, maxCString)
	if err != nil {
		return nil, err
	}
	c.e.userPrint(str + "\n")
	return starlark.MakeInt(len(str) + 1), nil
}

func perrorFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var s CStr
	if err := c.unpack(args, kwargs, "s", &s); err != nil {
		return nil, err
	}
	str, err := s.str(c, maxCString)
	if err != nil {
		return nil, err
	}
	msg := kernelsim.Errno(c.proc().errno).Error()
	if str != "" {
		msg = str + ": " + msg
	}
	if w := c.proc().stdout; w != nil {
		io.WriteString(w, msg+"\n")
	}
	return starlark.None, nil
}

func errnoFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := c.unpack(args, kwargs); err != nil {
		return nil, err
	}
	return starlark.MakeInt(c.proc().errno), nil
}

func strerrorFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var e int
	if err := c.unpack(args, kwargs, "errnum", &e); err != nil {
		return nil, err
	}
	if e == 0 {
		return starlark.String("Success"), nil
	}
	return starlark.String(kernelsim.Errno(e).Error()), nil
}

func exitFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var code int
	if err := c.unpack(args, kwargs, "status", &code); err != nil {
		return nil, err
	}
	return nil, &exitRequest{code: code}
}

// libcPrintf formats as glibc's printf: C's conversions, without the
// kernel's %p extensions (%p prints 0x... or (nil)).
func (e *env) libcPrintf(name, format string, args starlark.Tuple) (string, error) {
	f := &formatter{e: e, args: args, libc: true}
	if err := f.run(format); err != nil {
		return "", fmt.Errorf("%s: %v", name, err)
	}
	if f.used < len(args) {
		return "", fmt.Errorf("%s: too many arguments for format: %d given, the format uses %d", name, len(args), f.used)
	}
	return f.out.String(), nil
}
