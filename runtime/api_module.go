package runtime

import (
	"fmt"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// moduleAPIs is the Module group: the declarations that make a script a
// loadable module (include/linux/module.h, moduleparam.h).
func moduleAPIs() []API {
	tag := func(macro, key, en, th string) API {
		return API{Name: macro, C: macro + "(_" + key + ")", Group: "Module", Scope: ScopeDecl, fn: moduleTag(key), En: en, Th: th}
	}
	return []API{
		tag("MODULE_LICENSE", "license",
			`Declares the module's licence in its .modinfo section. "GPL" (or another GPL-compatible licence such as "Dual BSD/GPL") keeps the kernel untainted; any other licence, or none at all, taints the kernel when the module loads, as Linux prints in dmesg. modinfo shows it as license:.`,
			`ประกาศ license ของ module ไว้ใน section .modinfo ถ้าเป็น "GPL" หรือ license อื่นที่เข้ากันได้กับ GPL (เช่น "Dual BSD/GPL") Kernel จะไม่ถูก taint แต่ถ้าเป็น license อื่นหรือไม่ได้ประกาศเลย Kernel จะถูก taint ตอนโหลด module และพิมพ์ข้อความบอกใน dmesg เหมือน Linux จริง คำสั่ง modinfo แสดงค่านี้ในบรรทัด license:`),
		tag("MODULE_AUTHOR", "author",
			`Declares the module's author in .modinfo; modinfo shows it as author:. It changes nothing at run time.`,
			`ประกาศชื่อผู้เขียน module ไว้ใน .modinfo คำสั่ง modinfo แสดงในบรรทัด author: ไม่มีผลอะไรตอน module ทำงาน`),
		tag("MODULE_DESCRIPTION", "description",
			`Declares a one-line description of the module in .modinfo; modinfo shows it as description:.`,
			`ประกาศคำอธิบายสั้น ๆ ของ module ไว้ใน .modinfo คำสั่ง modinfo แสดงในบรรทัด description:`),
		tag("MODULE_VERSION", "version",
			`Declares the module's version string in .modinfo; modinfo shows it as version:.`,
			`ประกาศเวอร์ชันของ module ไว้ใน .modinfo คำสั่ง modinfo แสดงในบรรทัด version:`),
		{Name: "module_init", C: "module_init(initfn)  /* int initfn(void) */", Group: "Module", Scope: ScopeDecl, fn: moduleInit,
			En: `Registers the module's init function. insmod runs it once, in process context, as the insmod task (finit_module → do_init_module → do_one_initcall). It must return 0 on success or a negative errno such as -ENOMEM: a negative value makes insmod fail with that error and the module is unloaded at once, as on Linux.`,
			Th: `ลงทะเบียนฟังก์ชัน init ของ module insmod จะเรียกฟังก์ชันนี้หนึ่งครั้งใน process context โดยทำงานเป็น task ของ insmod (finit_module → do_init_module → do_one_initcall) ฟังก์ชันต้องคืนค่า 0 เมื่อสำเร็จ หรือ errno ติดลบ เช่น -ENOMEM ถ้าคืนค่าติดลบ insmod จะล้มเหลวด้วย error นั้นและ module จะถูกเอาออกทันที เหมือนบน Linux`},
		{Name: "module_exit", C: "module_exit(exitfn)  /* void exitfn(void) */", Group: "Module", Scope: ScopeDecl, fn: moduleExit,
			En: `Registers the module's exit function, run by rmmod (delete_module) before the module's memory is freed. Whatever init allocated and did not free must be freed here, or it leaks. A module with an init function but no exit function cannot be removed (rmmod fails with Device or resource busy), as on Linux.`,
			Th: `ลงทะเบียนฟังก์ชัน exit ของ module rmmod (delete_module) จะเรียกก่อนคืนหน่วยความจำของ module ทุกอย่างที่ init จองไว้และยังไม่คืน ต้องปล่อยที่นี่ ไม่อย่างนั้นจะเกิดหน่วยความจำรั่ว module ที่มี init แต่ไม่มี exit จะเอาออกไม่ได้ (rmmod ล้มเหลวด้วย "Device or resource busy") เหมือนบน Linux`},
		{Name: "module_param", C: "module_param(name, type, perm); MODULE_PARM_DESC(name, desc)", Group: "Module", Scope: ScopeDecl, fn: moduleParamFn,
			En: `Declares a module parameter and returns its value: the default, or what insmod NAME.ko name=value gave. Types are the kernel's (int, uint, long, ulong, short, ushort, byte, hexint, ullong, bool, invbool, charp) and values are parsed as the kernel parses them (kstrtoint with base 0, kstrtobool); a bad value fails insmod with Invalid parameters and the kernel's line in dmesg. An unknown name is ignored with a warning, as on Linux.`,
			Th: `ประกาศพารามิเตอร์ของ module และคืนค่าของมัน คือค่า default หรือค่าที่ส่งมากับ insmod NAME.ko name=value ชนิดข้อมูลเหมือนของ Kernel (int, uint, long, ulong, short, ushort, byte, hexint, ullong, bool, invbool, charp) และแปลงค่าแบบเดียวกับ Kernel (kstrtoint ฐาน 0, kstrtobool) ถ้าค่าผิดรูปแบบ insmod จะล้มเหลวด้วย "Invalid parameters" และมีบรรทัดของ Kernel ใน dmesg ส่วนชื่อพารามิเตอร์ที่ไม่รู้จักจะถูกข้ามพร้อมคำเตือน เหมือนบน Linux`},
		{Name: "THIS_MODULE", C: "#define THIS_MODULE (&__this_module)", Group: "Module", Scope: ScopeAny, v: starlark.None,
			En: `The struct module * of the script's own module. Pass it as file_operations(owner=THIS_MODULE) so that an open file holds a reference to the module and rmmod refuses while it is open. THIS_MODULE.name is the module's name.`,
			Th: `พอยน์เตอร์ struct module * ของ module นี้เอง ใช้ใส่ใน file_operations(owner=THIS_MODULE) เพื่อให้ไฟล์ที่เปิดอยู่ถือ reference ของ module ไว้ และ rmmod จะไม่ยอมเอา module ออกระหว่างที่ไฟล์ยังเปิดอยู่ THIS_MODULE.name คือชื่อ module`},
	}
}

// moduleTag records a MODULE_* string in .modinfo.
func moduleTag(key string) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var v string
		if err := c.unpack(args, kwargs, key, &v); err != nil {
			return nil, err
		}
		c.e.mod.tags = append(c.e.mod.tags, modinfoTag{key, v})
		return starlark.None, nil
	}
}

func moduleInit(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	fn, err := c.moduleFunc(args, kwargs, "initfn", c.e.mod.init)
	if err == nil {
		c.e.mod.init = fn
	}
	return starlark.None, err
}

func moduleExit(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	fn, err := c.moduleFunc(args, kwargs, "exitfn", c.e.mod.exit)
	if err == nil {
		c.e.mod.exit = fn
	}
	return starlark.None, err
}

// moduleFunc unpacks an init or exit function: declared once, taking no
// arguments, as C's int init(void) / void exit(void).
func (c call) moduleFunc(args starlark.Tuple, kwargs []starlark.Tuple, param string, prev starlark.Callable) (starlark.Callable, error) {
	var f FuncArg
	if err := c.unpack(args, kwargs, param, &f); err != nil {
		return nil, err
	}
	if prev != nil {
		return nil, c.errorf("declared twice (C: redefinition of the module's %s)", param)
	}
	if fn, ok := f.fn.(*starlark.Function); ok && fn.NumParams() > 0 && fn.ParamDefault(0) == nil {
		return nil, c.errorf("%s takes %d parameters, want none: the kernel calls it with no arguments", fn.Name(), fn.NumParams())
	}
	return f.fn, nil
}

func moduleParamFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	p := &moduleParam{}
	if err := c.unpack(args, kwargs, "name", &p.name, "type", &p.typ, "default", &p.def, "desc?", &p.desc); err != nil {
		return nil, err
	}
	pt, ok := paramTypes.Get()[p.typ]
	switch {
	case !isIdent(p.name):
		return nil, c.errorf("parameter name %q is not a C identifier", p.name)
	case !ok:
		return nil, c.errorf("unknown parameter type %q: want int, uint, long, ulong, short, ushort, byte, hexint, ullong, bool, invbool or charp", p.typ)
	}
	if err := pt.checkDefault(p.typ, p.def); err != nil {
		return nil, c.errorf("%s: %v", p.name, err)
	}
	mod := c.e.mod
	for _, q := range mod.params {
		if q.name == p.name {
			return nil, c.errorf("parameter %s declared twice", p.name)
		}
	}
	mod.params = append(mod.params, p)
	if v, ok := mod.values[p.name]; ok {
		return v, nil
	}
	return p.def, nil
}

func isIdent(s string) bool {
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// The static_buffer layout keeps KASAN's redzones between globals: each
// buffer starts on a 32-byte boundary and is followed by at least 32 bytes
// of redzone (compare GCC's __asan_global layout).
const (
	staticAlign   = 32
	staticRedzone = 32
	maxStatic     = 1 << 20
)

// staticBuffer declares a C array with static storage in the module's data
// section: static char k_buf[32] = "Initial kernel message.\n";
func staticBuffer(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var size Size
	var init starlark.Value = starlark.String("")
	if err := c.unpack(args, kwargs, "size", &size, "init?", &init); err != nil {
		return nil, err
	}
	data, ok := starlark.AsString(init)
	if _, isBytes := init.(starlark.Bytes); isBytes {
		data, ok = string(init.(starlark.Bytes)), true
	}
	switch {
	case !ok:
		return nil, c.errorf("for parameter init: got %s, want a string", init.Type())
	case size == 0 || size > maxStatic:
		return nil, c.errorf("size %d: want 1..%d bytes", uint64(size), maxStatic)
	case uint64(len(data)) > uint64(size):
		return nil, c.errorf("initializer-string for array of 'char' is too long (%d bytes for char[%d])", len(data), uint64(size))
	}
	return c.e.mod.placeStatic(c, uint64(size), data)
}

// placeStatic lays a static buffer out in the data section and, in a load,
// initialises it as the loader copies .data (the rest is zero, as .bss).
func (inst *instance) placeStatic(c call, size uint64, data string) (starlark.Value, error) {
	off := alignUp(inst.dataSize, staticAlign)
	inst.dataSize = off + alignUp(size, staticAlign) + staticRedzone
	if c.e.where == whereFile && inst.dataSize > inst.s.probe.dataSize {
		return nil, c.errorf("the data section was sized when the script was loaded: declare static buffers unconditionally")
	}
	inst.statics = append(inst.statics, &staticBuf{off: off, size: size})
	a := inst.dataAddr(off)
	if c.e.where == whereFile {
		buf := make([]byte, size)
		copy(buf, data)
		if err := c.e.m.writeStatic(a, buf); err != nil {
			return nil, err
		}
	}
	return Ptr{e: c.e, addr: a, end: a + kernelsim.Addr(size), flags: ptrArray}, nil
}

func staticFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) > 0 {
		return nil, c.errorf("takes only keyword arguments: static(name = value, ...)")
	}
	return newStatic(c.e, kwargs), nil
}

func structTypeFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	var spec starlark.Value
	if err := c.unpack(args, kwargs, "name", &name, "fields", &spec); err != nil {
		return nil, err
	}
	fields, err := structFields(spec)
	if err != nil {
		return nil, c.errorf("struct %s: %v", name, err)
	}
	st, err := newStructType(name, fields)
	if err != nil {
		return nil, c.errorf("struct %s: %v", name, err)
	}
	return st, nil
}

// structFields reads struct_type's fields: a list of (name, type) pairs or
// a dict, in declaration order.
func structFields(spec starlark.Value) ([]field, error) {
	var pairs []starlark.Tuple
	switch x := spec.(type) {
	case *starlark.Dict:
		pairs = x.Items()
	case starlark.Iterable:
		it := x.Iterate()
		defer it.Done()
		var v starlark.Value
		for it.Next(&v) {
			t, ok := v.(starlark.Tuple)
			if !ok || len(t) != 2 {
				return nil, fmt.Errorf("fields: got %s, want (name, type) pairs", v.Type())
			}
			pairs = append(pairs, t)
		}
	default:
		return nil, fmt.Errorf("fields: got %s, want a list of (name, type) pairs or a dict", spec.Type())
	}
	var fields []field
	for _, p := range pairs {
		f, err := structField(p[0], p[1])
		if err != nil {
			return nil, err
		}
		fields = append(fields, f)
	}
	return fields, nil
}

func structField(nameV, typeV starlark.Value) (field, error) {
	name, ok := starlark.AsString(nameV)
	if !ok || !isIdent(name) {
		return field{}, fmt.Errorf("member name %s is not a C identifier", nameV)
	}
	switch t := typeV.(type) {
	case *StructType:
		return field{name: name, t: structCType(t)}, nil
	case starlark.String:
		ct, err := parseCType(string(t))
		return field{name: name, t: ct}, err
	}
	return field{}, fmt.Errorf("member %s: got %s, want a C type name or a struct_type", name, typeV.Type())
}

// sizeofFn mirrors sizeof: of a struct_type, a C type name, an array made
// by static_buffer or a struct member array (its size), or any pointer (8).
func sizeofFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := c.unpack(args, kwargs, "x", &x); err != nil {
		return nil, err
	}
	switch x := x.(type) {
	case *StructType:
		return starlark.MakeUint64(x.size), nil
	case starlark.String:
		t, err := parseCType(string(x))
		if err != nil {
			return nil, c.errorf("%v", err)
		}
		return starlark.MakeUint64(t.size), nil
	case Ptr:
		if x.flags&ptrArray != 0 {
			return starlark.MakeUint64(uint64(x.end - x.addr)), nil
		}
		return starlark.MakeInt(8), nil
	case StructView, Page, Cache, Module:
		return starlark.MakeInt(8), nil
	}
	return nil, c.errorf("got %s, want a type, a struct_type or a pointer", x.Type())
}

func offsetofFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var st *StructType
	var member string
	if err := c.unpack(args, kwargs, "type", &st, "member", &member); err != nil {
		return nil, err
	}
	f, ok := st.byName[member]
	if !ok {
		return nil, c.errorf("struct %s has no member named '%s'", st.name, member)
	}
	return starlark.MakeUint64(f.off), nil
}

// castFn mirrors a cast to a struct pointer: (struct T *)p.
func castFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var p PtrArg
	var st *StructType
	if err := c.unpack(args, kwargs, "p", &p, "type", &st); err != nil {
		return nil, err
	}
	return StructView{e: c.e, addr: p.addr(), t: st}, nil
}
