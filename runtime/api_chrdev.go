package runtime

import (
	"fmt"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// chrdevAPIs is the "Char devices and user copies" group's device half
// (include/linux/fs.h, cdev.h, device.h, miscdevice.h, err.h).
func chrdevAPIs() []API {
	g, k := "Char devices and user copies", ScopeKernel
	return []API{
		{Name: "file_operations", C: "struct file_operations name = { .owner = THIS_MODULE, .open = ..., ... };", Group: g, Scope: ScopeAny, fn: fileOperationsFn,
			En: `Declares a driver's operations: file_operations(owner=THIS_MODULE, open=, release=, read=, write=, llseek=, unlocked_ioctl=). Handlers: open(inode, filp) and release(inode, filp) return 0 or -errno; read(filp, buf, count, offset) and write(filp, buf, count, offset) get a __user ptr buf and offset, the loff_t * (offset[0] is *offset, which they advance), and return the bytes done or -errno; llseek(filp, offset, whence) the new position; unlocked_ioctl(filp, cmd, arg). With owner=THIS_MODULE an open file keeps the module loaded (rmmod: in use).`,
			Th: `ประกาศ operation ของไดรเวอร์ file_operations(owner=THIS_MODULE, open=, release=, read=, write=, llseek=, unlocked_ioctl=) โดย handler มีดังนี้ open(inode, filp) และ release(inode, filp) คืนค่า 0 หรือ -errno; read(filp, buf, count, offset) และ write(filp, buf, count, offset) ได้ buf เป็น ptr แบบ __user และ offset เป็น loff_t * (offset[0] คือ *offset ซึ่ง handler ต้องเลื่อนเอง) แล้วคืนค่าจำนวนไบต์ที่ทำได้หรือ -errno; llseek(filp, offset, whence) คืนค่าตำแหน่งใหม่; unlocked_ioctl(filp, cmd, arg) ถ้าใส่ owner=THIS_MODULE ไฟล์ที่เปิดอยู่จะกันไม่ให้เอา module ออก (rmmod ล้มเหลวด้วย "in use")`},
		{Name: "register_chrdev", C: "int register_chrdev(unsigned int major, const char *name, const struct file_operations *fops)", Group: g, Scope: k, fn: registerChrdevFn,
			En: `Registers a char driver for minors 0-255 of major; major 0 asks for a dynamic one, which is returned (254 downwards, past the majors a Debian machine already uses: 246 first). Returns 0 for a fixed major, or -EBUSY / -EINVAL. The driver shows in /proc/devices; make the node with mknod /dev/NAME c MAJOR 0.`,
			Th: `ลงทะเบียนไดรเวอร์แบบ char สำหรับ minor 0-255 ของ major ที่ระบุ ถ้า major เป็น 0 จะขอ major แบบ dynamic และคืนค่า major ที่ได้ (นับลงจาก 254 ข้าม major ที่เครื่อง Debian ใช้อยู่แล้ว ตัวแรกที่ได้คือ 246) ถ้าระบุ major เองจะคืนค่า 0 หรือ -EBUSY / -EINVAL ไดรเวอร์จะปรากฏใน /proc/devices และต้องสร้าง node ด้วย mknod /dev/NAME c MAJOR 0`},
		{Name: "unregister_chrdev", C: "void unregister_chrdev(unsigned int major, const char *name)", Group: g, Scope: k, fn: unregisterChrdevFn,
			En: `Releases what register_chrdev took. Forgetting it in exit leaves /proc/devices pointing at code that is gone.`,
			Th: `ปล่อยสิ่งที่ register_chrdev จองไว้ ถ้าลืมเรียกใน exit /proc/devices จะยังชี้ไปยังโค้ดที่ไม่มีอยู่แล้ว`},
		{Name: "alloc_chrdev_region", C: "int alloc_chrdev_region(dev_t *dev, unsigned baseminor, unsigned count, const char *name)", Group: g, Scope: k, fn: allocChrdevRegionFn,
			En: `Allocates a dynamic major with count minors from baseminor. Unlike C, which stores the dev_t through its first argument, it returns the dev_t (>= 0) or a negative errno: dev = alloc_chrdev_region(0, 1, "mydev").`,
			Th: `จอง major แบบ dynamic พร้อม minor จำนวน count ตัวเริ่มจาก baseminor ต่างจากภาษา C ที่เก็บ dev_t ผ่านอาร์กิวเมนต์ตัวแรก ที่นี่จะคืนค่า dev_t (>= 0) หรือ errno ติดลบ เช่น dev = alloc_chrdev_region(0, 1, "mydev")`},
		{Name: "register_chrdev_region", C: "int register_chrdev_region(dev_t from, unsigned count, const char *name)", Group: g, Scope: k, fn: registerChrdevRegionFn,
			En: `Claims count device numbers from a known first dev_t: 0 or -EBUSY.`, Th: `จองหมายเลขอุปกรณ์ count ตัวเริ่มจาก dev_t ที่ระบุ คืนค่า 0 หรือ -EBUSY`},
		{Name: "unregister_chrdev_region", C: "void unregister_chrdev_region(dev_t from, unsigned count)", Group: g, Scope: k, fn: unregisterChrdevRegionFn,
			En: `Releases device numbers claimed with alloc_chrdev_region or register_chrdev_region.`, Th: `คืนค่าหมายเลขอุปกรณ์ที่จองด้วย alloc_chrdev_region หรือ register_chrdev_region`},
		{Name: "MKDEV", C: "#define MKDEV(ma, mi) (((ma) << MINORBITS) | (mi))", Group: g, Scope: ScopeAny, fn: devFn("MKDEV"),
			En: `Makes a dev_t from a major and a minor.`, Th: `สร้าง dev_t จาก major และ minor`},
		{Name: "MAJOR", C: "#define MAJOR(dev) ((unsigned int) ((dev) >> MINORBITS))", Group: g, Scope: ScopeAny, fn: devFn("MAJOR"),
			En: `The major number of a dev_t.`, Th: `หมายเลข major ของ dev_t`},
		{Name: "MINOR", C: "#define MINOR(dev) ((unsigned int) ((dev) & MINORMASK))", Group: g, Scope: ScopeAny, fn: devFn("MINOR"),
			En: `The minor number of a dev_t.`, Th: `หมายเลข minor ของ dev_t`},
		{Name: "imajor", C: "unsigned imajor(const struct inode *inode)", Group: g, Scope: k, fn: inodeNumFn(true),
			En: `The major number of the device node an open handler was given.`, Th: `หมายเลข major ของ device node ที่ handler open ได้รับ`},
		{Name: "iminor", C: "unsigned iminor(const struct inode *inode)", Group: g, Scope: k, fn: inodeNumFn(false),
			En: `The minor number of the device node: drivers with several devices tell them apart by it.`, Th: `หมายเลข minor ของ device node ไดรเวอร์ที่มีหลายอุปกรณ์ใช้แยกแยะอุปกรณ์`},
		{Name: "cdev_alloc", C: "struct cdev *cdev_alloc(void)", Group: g, Scope: k, fn: newCdevFn,
			En: `A new, empty struct cdev.`, Th: `struct cdev ตัวใหม่ที่ยังว่าง`},
		{Name: "cdev", C: "struct cdev name;", Group: g, Scope: ScopeAny, fn: newCdevFn,
			En: `Declares a struct cdev (static storage), for cdev_init.`, Th: `ประกาศ struct cdev (แบบ static) สำหรับ cdev_init`},
		{Name: "cdev_init", C: "void cdev_init(struct cdev *cdev, const struct file_operations *fops)", Group: g, Scope: k, fn: cdevInitFn,
			En: `Sets a cdev's operations (and, as cdev.owner = THIS_MODULE does in C, its owner from the fops).`, Th: `กำหนด operation ของ cdev (และ owner จาก fops เหมือนการตั้ง cdev.owner = THIS_MODULE ใน C)`},
		{Name: "cdev_add", C: "int cdev_add(struct cdev *p, dev_t dev, unsigned count)", Group: g, Scope: k, fn: cdevAddFn,
			En: `Makes the cdev live for count numbers from dev: opening such a node now reaches its operations.`, Th: `ทำให้ cdev ใช้งานได้สำหรับหมายเลข count ตัวเริ่มจาก dev จากนี้การเปิด node ที่มีหมายเลขนั้นจะไปถึง operation ของมัน`},
		{Name: "cdev_del", C: "void cdev_del(struct cdev *p)", Group: g, Scope: k, fn: cdevDelFn,
			En: `Removes the cdev; files already open keep working.`, Th: `ถอด cdev ออก ไฟล์ที่เปิดอยู่แล้วยังใช้งานได้`},
		{Name: "class_create", C: "struct class *class_create(struct module *owner, const char *name)", Group: g, Scope: k, fn: classCreateFn,
			En: `Creates a device class (/sys/class/NAME), or returns ERR_PTR(-EEXIST): test with IS_ERR.`, Th: `สร้าง device class (/sys/class/NAME) หรือคืนค่า ERR_PTR(-EEXIST) ให้ตรวจด้วย IS_ERR`},
		{Name: "class_destroy", C: "void class_destroy(struct class *cls)", Group: g, Scope: k, fn: classDestroyFn,
			En: `Destroys a class made by class_create.`, Th: `ทำลาย class ที่สร้างด้วย class_create`},
		{Name: "device_create", C: "struct device *device_create(struct class *cls, struct device *parent, dev_t devt, void *drvdata, const char *fmt, ...)", Group: g, Scope: k, fn: deviceCreateFn,
			En: `Creates a class device and, through devtmpfs, its /dev/NAME node (root, mode 0600): the modern way, no mknod needed. Returns the device or an ERR_PTR.`, Th: `สร้าง class device และ node /dev/NAME ผ่าน devtmpfs (เจ้าของ root โหมด 0600) เป็นวิธีสมัยใหม่ที่ไม่ต้องใช้ mknod คืน device หรือ ERR_PTR`},
		{Name: "device_destroy", C: "void device_destroy(struct class *cls, dev_t devt)", Group: g, Scope: k, fn: deviceDestroyFn,
			En: `Removes the class device with that number and its /dev node.`, Th: `ถอด class device ที่มีหมายเลขนั้นพร้อม node ใน /dev`},
		{Name: "miscdevice", C: "struct miscdevice name = { .minor = MISC_DYNAMIC_MINOR, .name = ..., .fops = ... };", Group: g, Scope: ScopeAny, fn: miscdeviceFn,
			En: `Declares a misc device: miscdevice(name=, fops=, minor=MISC_DYNAMIC_MINOR, mode=0) for misc_register.`, Th: `ประกาศ misc device: miscdevice(name=, fops=, minor=MISC_DYNAMIC_MINOR, mode=0) สำหรับ misc_register`},
		{Name: "misc_register", C: "int misc_register(struct miscdevice *misc)", Group: g, Scope: k, fn: miscOp(true),
			En: `Registers a misc device: major 10, a dynamic minor (from 127 down), and the /dev/NAME node. 0 or -errno.`, Th: `ลงทะเบียน misc device: major 10, minor แบบ dynamic (นับลงจาก 127) และ node /dev/NAME คืนค่า 0 หรือ -errno`},
		{Name: "misc_deregister", C: "void misc_deregister(struct miscdevice *misc)", Group: g, Scope: k, fn: miscOp(false),
			En: `Unregisters a misc device and removes its node.`, Th: `ยกเลิกการลงทะเบียน misc device และลบ node`},
		{Name: "MISC_DYNAMIC_MINOR", C: "#define MISC_DYNAMIC_MINOR 255", Group: g, Scope: ScopeAny, v: intConst(kernelsim.MISC_DYNAMIC_MINOR),
			En: `Asks misc_register for a dynamic minor.`, Th: `ขอ minor แบบ dynamic จาก misc_register`},
		{Name: "IS_ERR", C: "bool IS_ERR(const void *ptr)", Group: g, Scope: ScopeAny, fn: isErrFn,
			En: `True for an error pointer (ERR_PTR(-errno)), as class_create and device_create return on failure.`, Th: `เป็นจริงเมื่อเป็นพอยน์เตอร์แสดงข้อผิดพลาด (ERR_PTR(-errno)) แบบที่ class_create และ device_create คืนเมื่อล้มเหลว`},
		{Name: "PTR_ERR", C: "long PTR_ERR(const void *ptr)", Group: g, Scope: ScopeAny, fn: ptrErrFn,
			En: `The negative errno an error pointer holds.`, Th: `errno ติดลบที่อยู่ในพอยน์เตอร์แสดงข้อผิดพลาด`},
		{Name: "ERR_PTR", C: "void *ERR_PTR(long error)", Group: g, Scope: ScopeAny, fn: errPtrFn,
			En: `An error pointer holding a negative errno.`, Th: `พอยน์เตอร์แสดงข้อผิดพลาดที่เก็บ errno ติดลบ`},
	}
}

// fileOperationsFn builds a struct file_operations around the script's
// handlers, as code of the module being declared.
func fileOperationsFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var owner starlark.Value = starlark.None
	var open, release, read, write, llseek, ioctl starlark.Value = starlark.None, starlark.None, starlark.None, starlark.None, starlark.None, starlark.None
	if len(args) > 0 {
		return nil, c.errorf("takes only keyword arguments: file_operations(owner=THIS_MODULE, open=..., read=...)")
	}
	if err := c.unpack(nil, kwargs, "owner?", &owner, "open?", &open, "release?", &release, "read?", &read,
		"write?", &write, "llseek?", &llseek, "unlocked_ioctl?", &ioctl); err != nil {
		return nil, err
	}
	f := &kernelsim.FileOperations{}
	h := &handlers{c: c, inst: c.e.mod}
	f.Owner = h.owner(owner)
	f.Open = h.inodeFile("open", open)
	f.Release = h.inodeFile("release", release)
	f.Read = h.readWrite("read", read)
	f.Write = h.readWrite("write", write)
	f.Llseek = h.llseek(llseek)
	f.UnlockedIoctl = h.ioctl(ioctl)
	if h.err != nil {
		return nil, h.err
	}
	return Fops{f: f, id: c.e.newID()}, nil
}

// handlers builds the Go closures of a file_operations; the first bad
// argument is kept in err.
type handlers struct {
	c    call
	inst *instance // the module whose code the handlers are
	err  error
}

// owner resolves .owner: THIS_MODULE of the module being loaded, or none.
func (h *handlers) owner(v starlark.Value) *kernelsim.Module {
	switch x := v.(type) {
	case starlark.NoneType:
		return nil
	case Module:
		if inst := h.c.e.m.loaded[x.s.name]; inst != nil {
			return inst.kmod
		}
		if mod := h.c.e.mod; mod != nil && mod.s == x.s {
			return mod.kmod // the top level of the load running now
		}
		return nil
	}
	if p, ok := v.(Ptr); ok && p.addr == 0 {
		return nil
	}
	h.fail("owner", fmt.Errorf("got %s, want struct module * (THIS_MODULE)", v.Type()))
	return nil
}

func (h *handlers) fail(field string, err error) {
	if h.err == nil {
		h.err = h.c.errorf("for parameter %s: %v", field, err)
	}
}

// fn returns the handler function, nil for an absent one (None or NULL).
func (h *handlers) fn(field string, v starlark.Value, nargs int) starlark.Callable {
	if v == starlark.None {
		return nil
	}
	if p, ok := v.(Ptr); ok && p.addr == 0 {
		return nil
	}
	fn, ok := v.(starlark.Callable)
	if !ok {
		h.fail(field, fmt.Errorf("got %s, want a function", v.Type()))
		return nil
	}
	if err := h.c.checkCallback(fn, nargs); err != nil {
		h.err = err
		return nil
	}
	return fn
}

// call runs a handler as the module's kernel code and converts its return
// value, a C long.
func (h *handlers) call(fn starlark.Callable, args ...starlark.Value) (int64, error) {
	v, err := h.c.e.m.callScript(h.inst, whereKern, fn, args...)
	if err != nil {
		return 0, unwrapKilled(err)
	}
	n, ok := v.(starlark.Int)
	var r int64
	if ok {
		r, ok = n.Int64()
	}
	if !ok {
		return 0, &ScriptError{Pos: fnPos(fn), Msg: fmt.Sprintf("%s: returned %s, want int (a count, a position, 0 or -errno)", fn.Name(), v.Type())}
	}
	return r, nil
}

func (h *handlers) inodeFile(field string, v starlark.Value) func(*kernelsim.Inode, *kernelsim.File) (int, error) {
	fn := h.fn(field, v, 2)
	if fn == nil {
		return nil
	}
	return func(ino *kernelsim.Inode, filp *kernelsim.File) (int, error) {
		r, err := h.call(fn, Inode{ino}, File{filp})
		return int(r), err
	}
}

func (h *handlers) readWrite(field string, v starlark.Value) func(*kernelsim.File, kernelsim.Addr, uint64, *int64) (int64, error) {
	fn := h.fn(field, v, 4)
	if fn == nil {
		return nil
	}
	e := h.c.e
	if field == "read" {
		return func(filp *kernelsim.File, buf kernelsim.Addr, count uint64, pos *int64) (int64, error) {
			prev := e.reads.begin(buf, count)
			r, err := h.call(fn, File{filp}, Ptr{e: e, addr: buf, flags: ptrUser}, starlark.MakeUint64(count), Offset{pos})
			e.reads.end(filp, r, e.calls.step, prev)
			return r, err
		}
	}
	return func(filp *kernelsim.File, buf kernelsim.Addr, count uint64, pos *int64) (int64, error) {
		return h.call(fn, File{filp}, Ptr{e: e, addr: buf, flags: ptrUser}, starlark.MakeUint64(count), Offset{pos})
	}
}

func (h *handlers) llseek(v starlark.Value) func(*kernelsim.File, int64, int) (int64, error) {
	fn := h.fn("llseek", v, 3)
	if fn == nil {
		return nil
	}
	return func(filp *kernelsim.File, off int64, whence int) (int64, error) {
		return h.call(fn, File{filp}, starlark.MakeInt64(off), starlark.MakeInt(whence))
	}
}

func (h *handlers) ioctl(v starlark.Value) func(*kernelsim.File, uint32, uint64) (int64, error) {
	fn := h.fn("unlocked_ioctl", v, 3)
	if fn == nil {
		return nil
	}
	return func(filp *kernelsim.File, cmd uint32, arg uint64) (int64, error) {
		return h.call(fn, File{filp}, starlark.MakeUint64(uint64(cmd)), starlark.MakeUint64(arg))
	}
}

// FopsArg is a const struct file_operations * argument; NULL is nil.
type FopsArg struct{ f *kernelsim.FileOperations }

func (a *FopsArg) Unpack(v starlark.Value) error {
	switch x := v.(type) {
	case Fops:
		a.f = x.f
		return nil
	case Ptr:
		if x.addr == 0 {
			return nil
		}
	}
	return fmt.Errorf("got %s, want const struct file_operations *", v.Type())
}

func registerChrdevFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var major uint32
	var name string
	var fops FopsArg
	if err := c.unpack(args, kwargs, "major", &major, "name", &name, "fops", &fops); err != nil {
		return nil, err
	}
	ret := c.k().RegisterChrdev(major, name, fops.f)
	c.record(0, uint64(major), ret < 0)
	return starlark.MakeInt(ret), nil
}

func unregisterChrdevFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var major uint32
	var name string
	if err := c.unpack(args, kwargs, "major", &major, "name", &name); err != nil {
		return nil, err
	}
	c.record(0, uint64(major), false)
	c.k().UnregisterChrdev(major, name)
	return starlark.None, nil
}

func allocChrdevRegionFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var baseminor, count uint32
	var name string
	if err := c.unpack(args, kwargs, "baseminor", &baseminor, "count", &count, "name", &name); err != nil {
		return nil, err
	}
	dev, ret := c.k().AllocChrdevRegion(baseminor, count, name)
	c.record(0, uint64(count), ret < 0)
	if ret < 0 {
		return starlark.MakeInt(ret), nil
	}
	return starlark.MakeUint64(uint64(dev)), nil
}

func registerChrdevRegionFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var from, count uint32
	var name string
	if err := c.unpack(args, kwargs, "from", &from, "count", &count, "name", &name); err != nil {
		return nil, err
	}
	ret := c.k().RegisterChrdevRegion(kernelsim.DevT(from), count, name)
	c.record(0, uint64(count), ret < 0)
	return starlark.MakeInt(ret), nil
}

func unregisterChrdevRegionFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var from, count uint32
	if err := c.unpack(args, kwargs, "from", &from, "count", &count); err != nil {
		return nil, err
	}
	c.record(0, uint64(count), false)
	c.k().UnregisterChrdevRegion(kernelsim.DevT(from), count)
	return starlark.None, nil
}

func devFn(name string) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if name == "MKDEV" {
			var ma, mi uint32
			if err := c.unpack(args, kwargs, "ma", &ma, "mi", &mi); err != nil {
				return nil, err
			}
			return starlark.MakeUint64(uint64(kernelsim.MKDEV(ma, mi))), nil
		}
		var dev uint32
		if err := c.unpack(args, kwargs, "dev", &dev); err != nil {
			return nil, err
		}
		if name == "MAJOR" {
			return starlark.MakeUint64(uint64(kernelsim.MAJOR(kernelsim.DevT(dev)))), nil
		}
		return starlark.MakeUint64(uint64(kernelsim.MINOR(kernelsim.DevT(dev)))), nil
	}
}

func inodeNumFn(major bool) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var ino Inode
		if err := c.unpack(args, kwargs, "inode", &ino); err != nil {
			return nil, err
		}
		if major {
			return starlark.MakeUint64(uint64(ino.i.Imajor())), nil
		}
		return starlark.MakeUint64(uint64(ino.i.Iminor())), nil
	}
}

func newCdevFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := c.unpack(args, kwargs); err != nil {
		return nil, err
	}
	return Cdev{c: &kernelsim.Cdev{}, id: c.e.newID()}, nil
}

func cdevInitFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cd Cdev
	var fops FopsArg
	if err := c.unpack(args, kwargs, "cdev", &cd, "fops", &fops); err != nil {
		return nil, err
	}
	c.k().CdevInit(cd.c, fops.f)
	if fops.f != nil {
		cd.c.Owner = fops.f.Owner
	}
	return starlark.None, nil
}

func cdevAddFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cd Cdev
	var dev, count uint32
	if err := c.unpack(args, kwargs, "p", &cd, "dev", &dev, "count", &count); err != nil {
		return nil, err
	}
	c.record(0, uint64(count), false)
	return starlark.MakeInt(c.k().CdevAdd(cd.c, kernelsim.DevT(dev), count)), nil
}

func cdevDelFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cd Cdev
	if err := c.unpack(args, kwargs, "p", &cd); err != nil {
		return nil, err
	}
	c.record(0, 0, false)
	c.k().CdevDel(cd.c)
	return starlark.None, nil
}

func classCreateFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var owner starlark.Value
	var name string
	if err := c.unpack(args, kwargs, "owner", &owner, "name", &name); err != nil {
		return nil, err
	}
	cls, ret := c.k().ClassCreate(name)
	c.record(0, 0, ret < 0)
	if ret < 0 {
		return c.ptr(kernelsim.Addr(int64(ret))), nil
	}
	return Class{cls}, nil
}

func classDestroyFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cls Class
	if err := c.unpack(args, kwargs, "cls", &cls); err != nil {
		return nil, err
	}
	c.record(0, 0, false)
	c.k().ClassDestroy(cls.c)
	return starlark.None, nil
}

func deviceCreateFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cls Class
	var parent, drvdata starlark.Value
	var devt uint32
	var name string
	if err := c.unpack(args, kwargs, "cls", &cls, "parent", &parent, "devt", &devt, "drvdata", &drvdata, "fmt", &name); err != nil {
		return nil, err
	}
	d, ret := c.k().DeviceCreate(cls.c, kernelsim.DevT(devt), drvdata, name)
	c.record(0, 0, ret < 0)
	if ret < 0 {
		return c.ptr(kernelsim.Addr(int64(ret))), nil
	}
	return Device{d}, nil
}

func deviceDestroyFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cls Class
	var devt uint32
	if err := c.unpack(args, kwargs, "cls", &cls, "devt", &devt); err != nil {
		return nil, err
	}
	c.record(0, 0, false)
	c.k().DeviceDestroy(cls.c, kernelsim.DevT(devt))
	return starlark.None, nil
}

func miscdeviceFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	md := &kernelsim.MiscDevice{Minor: kernelsim.MISC_DYNAMIC_MINOR}
	var fops FopsArg
	if err := c.unpack(args, kwargs, "name", &md.Name, "fops", &fops, "minor?", &md.Minor, "mode?", &md.Mode); err != nil {
		return nil, err
	}
	md.Fops = fops.f
	return Misc{m: md, id: c.e.newID()}, nil
}

func miscOp(register bool) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var md Misc
		if err := c.unpack(args, kwargs, "misc", &md); err != nil {
			return nil, err
		}
		if !register {
			c.record(0, 0, false)
			c.k().MiscDeregister(md.m)
			return starlark.None, nil
		}
		ret := c.k().MiscRegister(md.m)
		c.record(0, 0, ret < 0)
		return starlark.MakeInt(ret), nil
	}
}

func isErrFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := c.unpack(args, kwargs, "ptr", &v); err != nil {
		return nil, err
	}
	p, ok := v.(Ptr)
	return starlark.Bool(ok && p.addr >= errPtrMin), nil
}

func ptrErrFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p PtrArg
	if err := c.unpack(args, kwargs, "ptr", &p); err != nil {
		return nil, err
	}
	return starlark.MakeInt64(int64(p.addr())), nil
}

func errPtrFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var e int64
	if err := c.unpack(args, kwargs, "error", &e); err != nil {
		return nil, err
	}
	return c.ptr(kernelsim.Addr(e)), nil
}
