package runtime

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"kscript.dev/kscript/runtime/i18n"
)

// ErrorNotes are kscript's lines under a script error or a sandbox limit,
// after the raw message (which stays, in English, as Starlark wrote it):
// the message in Thai (empty in English, where the raw message says it),
// then a hint for the slips students make most, Python habits (class,
// import, global, try/except, with, is…) and C habits (&&, ++, ->), in both
// languages. src is the script, to read the line of the error; it may be
// nil.
func ErrorNotes(err error, src []byte) []i18n.Text {
	var msg, pos string
	var se *ScriptError
	var le *LimitError
	switch {
	case errors.As(err, &se):
		msg, pos = se.Msg, se.Pos
	case errors.As(err, &le):
		msg, pos = le.Msg, le.Pos
	default:
		return nil
	}
	var notes []i18n.Text
	if th := thaiMessage(msg); th != "" && !hasThai(msg) {
		notes = append(notes, i18n.Text{TH: th})
	}
	if h, ok := slipHint(msg, sourceLine(src, pos)); ok {
		notes = append(notes, h)
	}
	return notes
}

// sourceLine returns line LINE of src for a position "file:LINE:COL".
func sourceLine(src []byte, pos string) string {
	parts := strings.Split(pos, ":")
	if len(parts) < 3 {
		return ""
	}
	n, err := strconv.Atoi(parts[len(parts)-2])
	lines := strings.Split(string(src), "\n")
	if err != nil || n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[n-1])
}

// hints are the slip hints, English then Thai.
var hints = i18n.Catalog{
	"class": {
		"hint: Starlark has no classes. Keep a module's state in a static record (g = static(count=0), like C globals) and describe C structs with struct_type(...) and cast(p, T).",
		"คำแนะนำ: Starlark ไม่มี class ให้เก็บสถานะของ module ไว้ใน static record (g = static(count=0) เหมือนตัวแปร global ของ C) และอธิบาย struct ของ C ด้วย struct_type(...) กับ cast(p, T)",
	},
	"import": {
		"hint: Starlark has no import, and kscript needs none: the whole kernel API (kmalloc, printk, copy_to_user…) is predeclared, as the kernel headers provide it in C. Remove the line.",
		"คำแนะนำ: Starlark ไม่มี import และ kscript ก็ไม่ต้องใช้ ฟังก์ชันของ Kernel ทั้งหมด (kmalloc, printk, copy_to_user…) ใช้ได้ทันที เหมือนที่ header ของ Kernel ให้มาในภาษา C ให้ลบบรรทัดนี้ออก",
	},
	"global": {
		"hint: Starlark has no global statement, and assigning to a name inside a function makes it local. Keep what functions change in a static record: g = static(count=0) at the top, then g.count += 1 inside the function.",
		"คำแนะนำ: Starlark ไม่มีคำสั่ง global และการกำหนดค่าให้ชื่อใดในฟังก์ชันจะทำให้ชื่อนั้นเป็นตัวแปร local ให้เก็บค่าที่ฟังก์ชันต้องแก้ไว้ใน static record: เขียน g = static(count=0) ไว้ด้านบน แล้วใช้ g.count += 1 ในฟังก์ชัน",
	},
	"try": {
		"hint: Starlark has no exceptions (try/except/finally), and neither has kernel C: check each return value (if not p: return -ENOMEM) and undo what already succeeded before returning.",
		"คำแนะนำ: Starlark ไม่มี exception (try/except/finally) และภาษา C ใน Kernel ก็ไม่มี ให้ตรวจค่าที่ทุกฟังก์ชันปล่อยมา (if not p: return -ENOMEM) และปล่อยสิ่งที่จองสำเร็จไปแล้วก่อน return",
	},
	"raise": {
		"hint: Starlark has no raise; kernel code reports an error by returning a negative errno (return -EINVAL).",
		"คำแนะนำ: Starlark ไม่มี raise โค้ดใน Kernel แจ้งข้อผิดพลาดด้วยการคืนค่า errno ติดลบ (return -EINVAL)",
	},
	"with": {
		"hint: Starlark has no with statement: pair the calls yourself, as C does (spin_lock(l) … spin_unlock(l), open … close).",
		"คำแนะนำ: Starlark ไม่มีคำสั่ง with ให้เรียกเป็นคู่เองแบบภาษา C (spin_lock(l) … spin_unlock(l), open … close)",
	},
	"is": {
		"hint: Starlark has no is operator: compare with == (p == NULL) or test the value itself (if not p:).",
		"คำแนะนำ: Starlark ไม่มีตัวดำเนินการ is ให้เปรียบเทียบด้วย == (p == NULL) หรือทดสอบค่าโดยตรง (if not p:)",
	},
	"del": {
		"hint: Starlark has no del: after kfree(p), set p = NULL so that a second kfree is harmless.",
		"คำแนะนำ: Starlark ไม่มี del หลัง kfree(p) ให้ตั้ง p = NULL เพื่อให้การเรียก kfree ซ้ำไม่เป็นอันตราย",
	},
	"yield": {
		"hint: Starlark has no generators (yield): build a list and return it.",
		"คำแนะนำ: Starlark ไม่มี generator (yield) ให้สร้าง list แล้ว return",
	},
	"assert": {
		"hint: Starlark has no assert statement: test the condition with if, print with pr_err and return a negative errno.",
		"คำแนะนำ: Starlark ไม่มีคำสั่ง assert ให้ตรวจเงื่อนไขด้วย if แล้วพิมพ์ด้วย pr_err และคืนค่า errno ติดลบ",
	},
	"logic": {
		"hint: Starlark spells C's &&, || and ! as and, or and not.",
		"คำแนะนำ: ใน Starlark ตัวดำเนินการ &&, || และ ! ของ C เขียนว่า and, or และ not",
	},
	"increment": {
		"hint: Starlark has no ++ or --: write x += 1 or x -= 1.",
		"คำแนะนำ: Starlark ไม่มี ++ หรือ -- ให้เขียน x += 1 หรือ x -= 1",
	},
	"arrow": {
		"hint: Starlark reaches struct fields with a dot: p.field, not p->field (see `kscript doc pointers`).",
		"คำแนะนำ: ใน Starlark เข้าถึง field ของ struct ด้วยจุด: p.field ไม่ใช่ p->field (ดู `kscript doc pointers`)",
	},
	"local": {
		"hint: assigning to %s inside the function makes it a local variable (Starlark has no global statement). Keep module state in a static record: g = static(%[1]s=0), then g.%[1]s += 1.",
		"คำแนะนำ: การกำหนดค่าให้ %s ในฟังก์ชันทำให้มันเป็นตัวแปร local (Starlark ไม่มีคำสั่ง global) ให้เก็บสถานะของ module ไว้ใน static record: g = static(%[1]s=0) แล้วใช้ g.%[1]s += 1",
	},
}

// slipWords are the first words of a line, or the tokens a syntax error
// names, that show a habit from Python or C.
var slipWords = map[string]string{
	"class": "class", "import": "import", "from": "import", "global": "global",
	"nonlocal": "global", "try": "try", "except": "try", "finally": "try",
	"raise": "raise", "with": "with", "is": "is", "del": "del", "yield": "yield",
	"assert": "assert", "'&'": "logic", "'|'": "logic",
}

// slipREs are slipHint's regular expressions, compiled on first use: most
// runs meet no error, and compiling them at start cost every process.
var slipREs = sync.OnceValue(func() (r struct{ gotToken, localVar, firstWord, isOperator *regexp.Regexp }) {
	r.gotToken = regexp.MustCompile(`^got (\S+|'.'), want `)
	r.localVar = regexp.MustCompile(`^local variable (\w+) referenced before assignment`)
	r.firstWord = regexp.MustCompile(`^[A-Za-z_]+`)
	r.isOperator = regexp.MustCompile(`\bis\b`)
	return r
})

// slipHint returns the hint for an error message and its source line.
func slipHint(msg, line string) (i18n.Text, bool) {
	re := slipREs()
	if m := re.localVar.FindStringSubmatch(msg); m != nil {
		return hints.T("local", m[1]), true
	}
	key := ""
	if m := re.gotToken.FindStringSubmatch(msg); m != nil {
		key = slipWords[m[1]]
	}
	switch w := re.firstWord.FindString(line); {
	case key != "":
	case slipWords[w] != "" && w != "is":
		key = slipWords[w]
	case strings.Contains(line, "->"):
		key = "arrow"
	case strings.Contains(line, "++") || strings.Contains(line, "--"):
		key = "increment"
	case strings.Contains(line, "&&") || strings.Contains(line, "||") || strings.Contains(msg, "character '!'"):
		key = "logic"
	case strings.HasPrefix(msg, "got") && re.isOperator.MatchString(line):
		key = "is"
	}
	if key == "" {
		return i18n.Text{}, false
	}
	return hints.T(key), true
}

// thaiPatterns turn Starlark's and kscript's most common raw messages into
// Thai; the raw message is shown above it. Compiled on first use.
var thaiPatterns = sync.OnceValue(func() []thaiPattern { return thaiPatternList() })

type thaiPattern struct {
	re *regexp.Regexp
	th string // with $1, $2 for the submatches
}

func thaiPatternList() []thaiPattern {
	return []thaiPattern{
		{regexp.MustCompile(`^got (.+), want primary expression$`), "ไวยากรณ์ไม่ถูกต้อง: พบ $1 ในตำแหน่งที่ต้องเป็นนิพจน์ (ค่า ชื่อตัวแปร หรือการเรียกฟังก์ชัน)"},
		{regexp.MustCompile(`^got (.+), want indent$`), "ไวยากรณ์ไม่ถูกต้อง: พบ $1 ในตำแหน่งที่ต้องย่อหน้าเข้าไป (บรรทัดใต้ def, if, for และ while ต้องย่อหน้า)"},
		{regexp.MustCompile(`^got newline, want (.+)$`), "ไวยากรณ์ไม่ถูกต้อง: บรรทัดจบก่อนเวลา ต้องมี $1 ก่อนขึ้นบรรทัดใหม่"},
		{regexp.MustCompile(`^got (.+), want (.+)$`), "ไวยากรณ์ไม่ถูกต้อง: พบ $1 ในตำแหน่งที่ต้องเป็น $2"},
		{regexp.MustCompile(`^unexpected input character (.+)$`), "ไวยากรณ์ไม่ถูกต้อง: มีอักขระ $1 ที่ Starlark ไม่รู้จัก"},
		{regexp.MustCompile(`^undefined: (\w+) \(did you mean (\w+)\?\)$`), "ไม่รู้จักชื่อ $1 (หมายถึง $2 หรือเปล่า?)"},
		{regexp.MustCompile(`^undefined: (\w+) \(Linux 6\.1 calls it (\w+)\)$`), "ไม่รู้จักชื่อ $1 (ใน Linux 6.1 ชื่อ $2)"},
		{regexp.MustCompile(`^undefined: (\w+)$`), "ไม่รู้จักชื่อ $1"},
		{regexp.MustCompile(`^module name "(\w+)": the machine already has Debian's own`), "ชื่อ module \"$1\" ซ้ำกับ module $1 ของ Debian ที่โหลดอยู่แล้ว (ดูได้จาก lsmod) insmod $1.ko จึงจะล้มเหลวด้วย \"File exists\" ให้เปลี่ยนชื่อสคริปต์ (เช่น ${1}_test.star) หรือตั้ง module: ของบทเรียนเป็นชื่ออื่น"},
		{regexp.MustCompile(`^local variable (\w+) referenced before assignment$`), "ใช้ตัวแปร local $1 ก่อนกำหนดค่าให้มัน"},
		{regexp.MustCompile(`^step budget exhausted: the submission used all (\d+) Starlark steps`), "ใช้ step หมดงบแล้ว: ใช้ Starlark step ครบ $1 step ที่อนุญาต (วนลูปไม่รู้จบหรือเปล่า?)"},
		{regexp.MustCompile(`^wall-time limit reached: the call ran longer than (\S+)$`), "เกินขีดจำกัดเวลา: การเรียกครั้งนี้ใช้เวลาจริงนานกว่า $1"},
		{regexp.MustCompile(`^interrupted \(Ctrl-C\)$`), "ถูกหยุดด้วย Ctrl-C"},
		{regexp.MustCompile(`^unknown binary op: (\S+) (\S+) (\S+)$`), "ใช้ตัวดำเนินการ $2 กับ $1 และ $3 ไม่ได้"},
		{regexp.MustCompile(`^(\w+): missing argument for (\w+)$`), "$1: ขาดอาร์กิวเมนต์ $2"},
		{regexp.MustCompile(`^(\w+): got (\d+) arguments, want (.+)$`), "$1: ได้อาร์กิวเมนต์ $2 ตัว แต่ต้องการ $3"},
		{regexp.MustCompile(`^(\w+): for parameter (\w+): got (\S+), want (.+)$`), "$1: พารามิเตอร์ $2 ต้องเป็น $4 แต่ได้ $3"},
		{regexp.MustCompile(`^(\w+) index (-?\d+) out of range \[(.+)\]$`), "index $2 เกินขอบเขตของ $1 (index ที่ใช้ได้อยู่ในช่วง [$3])"},
		{regexp.MustCompile(`^(\w+) index (-?\d+) out of range: empty (\w+)$`), "index $2 เกินขอบเขต: $1 ว่างเปล่า"},
		{regexp.MustCompile(`^invalid call of non-function \((\S+)\)$`), "เรียกค่าชนิด $1 เหมือนฟังก์ชันไม่ได้ เพราะไม่ใช่ฟังก์ชัน"},
		{regexp.MustCompile(`^key (.+) not in dict$`), "ไม่มี key $1 ใน dict"},
		{regexp.MustCompile(`^(floored |integer )?division by zero$`), "หารด้วยศูนย์"},
		{regexp.MustCompile(`^NoneType has no \.(\w+) field or method$`), "ค่านี้เป็น None จึงไม่มีฟิลด์หรือเมธอด $1 (ลืมกำหนดค่า หรือฟังก์ชันไม่ได้คืนค่าหรือเปล่า?)"},
		{regexp.MustCompile(`^(.+) has no \.(\w+) field or method$`), "$1 ไม่มีฟิลด์หรือเมธอดชื่อ $2"},
		{regexp.MustCompile(`^(\w+) value does not support item assignment$`), "แก้ทีละตัวใน $1 ไม่ได้ เพราะค่าชนิดนี้แก้ไขไม่ได้"},
		{regexp.MustCompile(`^int: invalid literal with base (\d+): (.*)$`), "int: แปลง $2 เป็นตัวเลขฐาน $1 ไม่ได้"},
		{regexp.MustCompile(`^(\w+): `), "ข้อผิดพลาดในการเรียก $1: ข้อความต้นฉบับภาษาอังกฤษอยู่บรรทัดด้านบน"},
	}
}

// hasThai reports whether s is already (partly) in Thai.
func hasThai(s string) bool {
	for _, r := range s {
		if r >= 0x0E00 && r <= 0x0E7F {
			return true
		}
	}
	return false
}

// thaiMessage is msg in Thai, or a Thai line that points at the English
// one when kscript has no translation of its own.
func thaiMessage(msg string) string {
	for _, p := range thaiPatterns() {
		if m := p.re.FindStringSubmatchIndex(msg); m != nil {
			return string(p.re.ExpandString(nil, p.th, msg, m))
		}
	}
	return "ข้อผิดพลาดในสคริปต์: ข้อความต้นฉบับภาษาอังกฤษอยู่บรรทัดด้านบน"
}
