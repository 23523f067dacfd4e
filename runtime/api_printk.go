package runtime

import (
	"fmt"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// printkAPIs is the printk group (include/linux/printk.h, kern_levels.h).
func printkAPIs() []API {
	g, k := "printk", ScopeKernel
	out := []API{
		{Name: "printk", C: "int printk(const char *fmt, ...)", Group: g, Scope: k, fn: printkFn(""),
			En: `Formats a message and appends it to the kernel's log (the printk ring buffer that dmesg reads), stamped with the time since boot. Start the format with a level: printk(KERN_INFO + "x=%d\n", x); without one the default level (warning) is used. The format is C's with the kernel's extensions: %d %u %x %ld %zu %llx %c %s %%, widths and flags, %s of a ptr reads a C string from simulated memory, %p prints a hashed pointer, %px the raw one, %pS a function's name. A message without a trailing newline can be continued with pr_cont. As on Linux 6.1, one message holds at most 991 bytes, its level prefix and newline included (LOG_LINE_MAX): the rest is cut off. Returns the number of bytes stored, without the level prefix and the trailing newline.`,
			Th: `จัดรูปแบบข้อความแล้วต่อท้ายลงใน log ของ Kernel (printk ring buffer ที่ dmesg อ่าน) พร้อมเวลานับจากบูต ให้ขึ้นต้นรูปแบบด้วยระดับความสำคัญ เช่น printk(KERN_INFO + "x=%d\n", x) ถ้าไม่ใส่จะใช้ระดับปริยาย (warning) รูปแบบเหมือนภาษา C พร้อมส่วนขยายของ Kernel: %d %u %x %ld %zu %llx %c %s %%, ความกว้างและ flag ต่าง ๆ, %s ของ ptr จะอ่านสตริงจากหน่วยความจำจำลอง, %p พิมพ์พอยน์เตอร์แบบ hash, %px พิมพ์ค่าจริง, %pS พิมพ์ชื่อฟังก์ชัน ข้อความที่ไม่มี newline ปิดท้ายต่อได้ด้วย pr_cont เหมือน Linux 6.1 ข้อความหนึ่งเก็บได้ไม่เกิน 991 ไบต์ รวมคำนำหน้าระดับและ newline (LOG_LINE_MAX) ส่วนที่เกินจะถูกตัดทิ้ง คืนค่าจำนวนไบต์ที่เก็บลง log โดยไม่นับคำนำหน้าระดับและ newline ปิดท้าย`},
		{Name: "pr_cont", C: "pr_cont(fmt, ...)  /* printk(KERN_CONT fmt, ...) */", Group: g, Scope: k, fn: printkFn(kernelsim.KernCont),
			En: `Continues the previous message when it had no trailing newline, on the same dmesg line.`,
			Th: `พิมพ์ต่อจากข้อความก่อนหน้าในบรรทัดเดียวกันของ dmesg เมื่อข้อความก่อนหน้าไม่มี newline ปิดท้าย`},
	}
	for _, l := range []struct {
		fn, kern string
		level    int
	}{
		{"pr_emerg", "KERN_EMERG", kernelsim.LogEmerg}, {"pr_alert", "KERN_ALERT", kernelsim.LogAlert},
		{"pr_crit", "KERN_CRIT", kernelsim.LogCrit}, {"pr_err", "KERN_ERR", kernelsim.LogErr},
		{"pr_warn", "KERN_WARNING", kernelsim.LogWarning}, {"pr_notice", "KERN_NOTICE", kernelsim.LogNotice},
		{"pr_info", "KERN_INFO", kernelsim.LogInfo},
	} {
		level, fn, kern := l.level, l.fn, l.kern
		out = append(out, API{Name: l.fn, Group: g, Scope: k, fn: printkFn(levelPrefix(l.level)),
			docs: func(a *API) {
				name := kernelsim.LevelNames[level]
				a.C = fmt.Sprintf("%s(fmt, ...)  /* printk(%s pr_fmt(fmt), ...) */", fn, kern)
				a.En = fmt.Sprintf("printk at level %d (%s): %s. Formats as printk does; dmesg --level=%s shows only this level.", level, kern, levelDoc[level][0], name)
				a.Th = fmt.Sprintf("printk ที่ระดับ %d (%s): %s จัดรูปแบบเหมือน printk และ dmesg --level=%s แสดงเฉพาะระดับนี้", level, kern, levelDoc[level][1], name)
			}})
	}
	out = append(out,
		API{Name: "pr_debug", C: "pr_debug(fmt, ...)", Group: g, Scope: k, fn: prDebugFn(true),
			En: `A debug message (KERN_DEBUG) that is compiled in but off, as on Debian's kernel with dynamic debug: it prints only when the module script sets DEBUG = True at file scope (C's #define DEBUG) or is loaded with insmod x.ko dyndbg=+p. Its format and arguments are checked either way.`,
			Th: `ข้อความ debug (KERN_DEBUG) ที่มีอยู่ในโค้ดแต่ปิดไว้ เหมือน Kernel ของ Debian ที่ใช้ dynamic debug จะพิมพ์ก็ต่อเมื่อสคริปต์ module ตั้ง DEBUG = True ที่ระดับไฟล์ (เหมือน #define DEBUG ในภาษา C) หรือโหลดด้วย insmod x.ko dyndbg=+p ทั้งนี้รูปแบบและอาร์กิวเมนต์ถูกตรวจเสมอ`},
		API{Name: "pr_devel", C: "pr_devel(fmt, ...)", Group: g, Scope: k, fn: prDebugFn(false),
			En: `A development message (KERN_DEBUG) printed only when the script sets DEBUG = True (C's #define DEBUG); dynamic debug does not control it.`,
			Th: `ข้อความสำหรับช่วงพัฒนา (KERN_DEBUG) พิมพ์ก็ต่อเมื่อสคริปต์ตั้ง DEBUG = True (เหมือน #define DEBUG) dynamic debug ควบคุมไม่ได้`},
	)
	return append(out, kernLevelAPIs()...)
}

var levelDoc = [...][2]string{
	{"the system is unusable", "ระบบใช้งานไม่ได้แล้ว"},
	{"action must be taken immediately", "ต้องแก้ไขทันที"},
	{"critical conditions", "สถานการณ์วิกฤต"},
	{"error conditions", "เกิดข้อผิดพลาด"},
	{"warning conditions", "คำเตือน"},
	{"normal but significant condition", "เหตุการณ์ปกติแต่สำคัญ"},
	{"informational", "ข้อมูลทั่วไป"},
	{"debug-level messages", "ข้อความสำหรับ debug"},
}

func levelPrefix(level int) string { return kernelsim.KernSOH + string(rune('0'+level)) }

func kernLevelAPIs() []API {
	names := [...]string{"KERN_EMERG", "KERN_ALERT", "KERN_CRIT", "KERN_ERR", "KERN_WARNING", "KERN_NOTICE", "KERN_INFO", "KERN_DEBUG"}
	out := make([]API, 0, len(names)+3)
	for level, n := range names {
		out = append(out, API{Name: n, Group: "printk", Scope: ScopeAny, v: strConst(levelPrefix(level)),
			docs: func(a *API) {
				a.C = fmt.Sprintf("#define %s KERN_SOH \"%d\"", n, level)
				a.En = fmt.Sprintf("The printk level prefix %d (%s), written before the format: printk(%s + \"...\\n\").", level, levelDoc[level][0], n)
				a.Th = fmt.Sprintf("คำนำหน้าระดับ %d ของ printk (%s) ใส่ไว้หน้ารูปแบบ เช่น printk(%s + \"...\\n\")", level, levelDoc[level][1], n)
			}})
	}
	return append(out,
		API{Name: "KERN_DEFAULT", C: `#define KERN_DEFAULT ""`, Group: "printk", Scope: ScopeAny, v: strConst(""),
			En: "No level: the default message level (4, warning).", Th: "ไม่ระบุระดับ: ใช้ระดับปริยายของข้อความ (4 คือ warning)"},
		API{Name: "KERN_CONT", C: `#define KERN_CONT KERN_SOH "c"`, Group: "printk", Scope: ScopeAny, v: strConst(kernelsim.KernCont),
			En: "Marks a continuation of the previous line (what pr_cont adds).", Th: "บอกว่าเป็นข้อความต่อจากบรรทัดก่อนหน้า (สิ่งที่ pr_cont ใส่ให้)"},
		API{Name: "KERN_SOH", C: `#define KERN_SOH "\001"`, Group: "printk", Scope: ScopeAny, v: strConst(kernelsim.KernSOH),
			En: "The start-of-header byte that begins every level prefix.", Th: "ไบต์ start-of-header ที่ขึ้นต้นคำนำหน้าระดับทุกตัว"},
	)
}

// printkFn makes printk (prefix "") and the pr_* functions.
func printkFn(prefix string) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		msg, err := c.format(args, kwargs)
		if err != nil {
			return nil, err
		}
		return starlark.MakeInt(c.k().Printk(prefix + msg)), nil
	}
}

// prDebugFn makes pr_debug (dynamic debug too) and pr_devel.
func prDebugFn(dynamic bool) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		msg, err := c.format(args, kwargs)
		if err != nil {
			return nil, err
		}
		if mod := c.e.mod; mod != nil && (mod.globals["DEBUG"] != nil && bool(mod.globals["DEBUG"].Truth()) || dynamic && mod.dyndbg) {
			c.k().Printk(levelPrefix(kernelsim.LogDebug) + msg)
		}
		return starlark.MakeInt(len(msg)), nil
	}
}

// format formats a printk-style call: a format string, then its arguments.
func (c call) format(args starlark.Tuple, kwargs []starlark.Tuple) (string, error) {
	if len(kwargs) > 0 {
		return "", c.errorf("unexpected keyword argument %s", kwargs[0][0])
	}
	if len(args) == 0 {
		return "", c.errorf("missing format string")
	}
	format, ok := args[0].(starlark.String)
	if !ok {
		return "", c.errorf("format: got %s, want const char * (a string)", args[0].Type())
	}
	return c.e.vsprintf(c.name, string(format), args[1:])
}
