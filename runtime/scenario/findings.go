package scenario

import (
	"errors"
	"fmt"
	"kscript.dev/kscript/runtime/lazyre"
	"strconv"
	"strings"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/i18n"
	"kscript.dev/kscript/runtime/shell"
)

// Finding is one of kscript's own findings about a run without a lesson:
// something wrong that the kernel does not report as a bug, so that the
// health summary would otherwise say PASS. Each fails the run (a lesson's
// expectations judge its own runs instead).
type Finding struct {
	// ID names the kind: "init-positive", "rmmod-failed",
	// "program-failed", "unfinished".
	ID   string
	Text i18n.Text
}

// findingMessages are the findings' texts, English then Thai.
var findingMessages = i18n.Lazy(findingMessagesTable)

func findingMessagesTable() i18n.Catalog {
	return i18n.Catalog{
		"findings": {"kscript's findings", "สิ่งที่ kscript พบ"},
		"captured": {"(captured from this output with %s)", "(จับค่าจากผลลัพธ์นี้ด้วย %s)"},
		"init-positive": {
			"%s's init returned %d: Linux loads the module anyway but warns \"suspiciously returned %[2]d, it should follow 0/-E convention\". Return 0 for success or a negative errno (-ENOMEM) for failure.",
			"ฟังก์ชัน init ของ %s คืนค่า %d: Linux ยังโหลด module ให้ แต่เตือนว่า \"suspiciously returned %[2]d, it should follow 0/-E convention\" ต้องคืนค่า 0 เมื่อสำเร็จ หรือ errno ติดลบ (-ENOMEM) เมื่อล้มเหลว",
		},
		"rmmod-no-exit": {
			"rmmod %s failed: the module has no module_exit() function, and Linux refuses to unload a module that has an init but no exit (delete_module returns EBUSY). It stays in the kernel until reboot: add an exit function that gives back what init took.",
			"rmmod %s ไม่สำเร็จ: module ไม่มีฟังก์ชัน module_exit() และ Linux ไม่ยอมถอด module ที่มี init แต่ไม่มี exit (delete_module คืน EBUSY) module จะค้างอยู่ใน Kernel จนกว่าจะรีบูต ให้เพิ่มฟังก์ชัน exit ที่ปล่อยทุกอย่างที่ init จองไว้",
		},
		"rmmod-failed": {
			"rmmod %s failed (%s): the module stays loaded.",
			"rmmod %s ไม่สำเร็จ (%s): module ยังค้างอยู่ใน Kernel",
		},
		"program-failed": {
			"the user program ./%s failed (exit status %d).",
			"โปรแกรมฝั่ง user ./%s ทำงานล้มเหลว (exit status %d)",
		},
		"program-enoent": {
			"It could not open a file: \"No such file or directory\". A device node must exist before a program opens it; the default scenario makes /dev/NAME for every character device the module registers with NAME, so the name given to register_chrdev and the path the program opens must match.",
			"โปรแกรมเปิดไฟล์ไม่ได้: \"No such file or directory\" ต้องมี device node ก่อนโปรแกรมจะเปิดได้ ขั้นตอนปริยายของ kscript สร้าง /dev/NAME ให้ทุก character device ที่ module ลงทะเบียนด้วยชื่อ NAME ดังนั้นชื่อที่ส่งให้ register_chrdev กับ path ที่โปรแกรมเปิดต้องตรงกัน",
		},
		"unfinished": {
			"the script is unfinished: TODO at line %s. It looks like the exercise's starter; write the missing parts before running it.",
			"สคริปต์ยังเขียนไม่เสร็จ: มี TODO ที่บรรทัด %s ดูเหมือนเป็นไฟล์เริ่มต้นของแบบฝึกหัด ให้เขียนส่วนที่ขาดก่อนรัน",
		},
		"not-implemented": {
			"the script is unfinished: NotImplemented at line %s. Write the missing parts before running it.",
			"สคริปต์ยังเขียนไม่เสร็จ: มี NotImplemented ที่บรรทัด %s ให้เขียนส่วนที่ขาดก่อนรัน",
		},
	}
}

// suspicious is do_init_module's warning for an init that returned > 0
// (kernel/module/main.c).
var suspicious = lazyre.New(`^do_init_module: '([^']+)'->init suspiciously returned (-?\d+)`)

// findings gathers kscript's findings about a finished run.
func (r *runner) findings() []Finding {
	var out []Finding
	out = append(out, unfinished(r.src)...)
	for _, rec := range r.m.Kernel().LogSince(r.startSeq) {
		if m := suspicious.FindStringSubmatch(rec.Text); m != nil {
			n, _ := strconv.Atoi(m[2])
			out = append(out, Finding{"init-positive", findingMessages.T("init-positive", m[1], n)})
		}
	}
	for _, rec := range r.sh.Records() {
		if f, ok := recordFinding(rec); ok {
			out = append(out, f)
		}
	}
	return out
}

// recordFinding is the finding about one command the scenario ran: an
// rmmod that left its module loaded, a user program that failed.
func recordFinding(rec shell.Record) (Finding, bool) {
	switch {
	case rec.Name == "rmmod" && rec.Status != 0:
		var re *kruntime.RmmodError
		if !errors.As(rec.Err, &re) || re.Errno == kernelsim.ENOENT {
			// Not loaded (its insmod failed): nothing stays behind.
			return Finding{}, false
		}
		if re.Kernel && re.Errno == kernelsim.EBUSY {
			return Finding{"rmmod-failed", findingMessages.T("rmmod-no-exit", re.Name)}, true
		}
		return Finding{"rmmod-failed", findingMessages.T("rmmod-failed", re.Name, re.Errno.Error())}, true
	case rec.Program && rec.Status != 0:
		t := findingMessages.T("program-failed", strings.TrimPrefix(rec.Name, "./"), rec.Status)
		if strings.Contains(rec.Output, "No such file or directory") {
			t = i18n.Join([]i18n.Text{t, findingMessages.T("program-enoent")}, " ")
		}
		return Finding{"program-failed", t}, true
	}
	return Finding{}, false
}

// todoMarker is a TODO in a comment; notImplemented a placeholder call.
var (
	todoMarker     = lazyre.New(`#.*\bTODO\b`)
	notImplemented = lazyre.New(`\bNotImplemented(Error)?\b`)
)

// unfinished finds the markers an exercise's starter leaves for the student.
func unfinished(src []byte) []Finding {
	var todo, ni []string
	for i, line := range strings.Split(string(src), "\n") {
		n := strconv.Itoa(i + 1)
		if todoMarker.MatchString(line) {
			todo = append(todo, n)
		}
		if code, _, _ := strings.Cut(line, "#"); notImplemented.MatchString(code) {
			ni = append(ni, n)
		}
	}
	var out []Finding
	if len(ni) > 0 {
		out = append(out, Finding{"unfinished", findingMessages.T("not-implemented", strings.Join(ni, ", "))})
	}
	if len(todo) > 0 {
		out = append(out, Finding{"unfinished", findingMessages.T("unfinished", strings.Join(todo, ", "))})
	}
	return out
}

// chrdevSteps are the steps the workshop types after loading a driver, for
// every character device the insmod registered that has no /dev node yet
// (a driver that calls device_create or misc_register gets one from the
// kernel): find its major number in /proc/devices, make the node, open it
// to everyone. before is /proc/devices before the insmod.
func chrdevSteps(k *kernelsim.Kernel, before string) []string {
	after, _ := k.ReadProc("/proc/devices")
	old := map[string]bool{}
	for _, l := range charDevices(before) {
		old[l] = true
	}
	var steps []string
	for _, l := range charDevices(after) {
		f := strings.Fields(l)
		if old[l] || len(f) != 2 || strings.Contains(f[1], "/") {
			continue
		}
		node := "/dev/" + f[1]
		if _, err := k.Stat(node); err == 0 {
			continue
		}
		steps = append(steps,
			fmt.Sprintf("grep %s /proc/devices", f[1]),
			fmt.Sprintf("sudo mknod %s c %s 0", node, f[0]),
			fmt.Sprintf("sudo chmod 666 %s", node))
	}
	return steps
}

// charDevices returns the "MAJOR NAME" lines of /proc/devices' character
// section.
func charDevices(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "Block devices") {
			break
		}
		if f := strings.Fields(l); len(f) == 2 {
			if _, err := strconv.Atoi(f[0]); err == nil {
				out = append(out, l)
			}
		}
	}
	return out
}
