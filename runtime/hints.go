package runtime

import (
	"errors"
	"kscript.dev/kscript/runtime/lazyre"
	"strconv"
	"strings"

	"kscript.dev/kscript/runtime/i18n"
	"kscript.dev/kscript/runtime/lazy"
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
var hints = i18n.Lazy(hintsTable)

func hintsTable() i18n.Catalog {
	return i18n.Catalog{
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
		"str": {
			"hint: Starlark does not turn a number into text by itself: format it (\"n = %d\" % n) or convert it (str(n)).",
			"คำแนะนำ: Starlark ไม่แปลงตัวเลขเป็นข้อความให้เอง ให้จัดรูปแบบ (\"n = %d\" % n) หรือแปลงด้วย str(n)",
		},
		"local": {
			"hint: assigning to %s inside the function makes it a local variable (Starlark has no global statement). Keep module state in a static record: g = static(%[1]s=0), then g.%[1]s += 1.",
			"คำแนะนำ: การกำหนดค่าให้ %s ในฟังก์ชันทำให้มันเป็นตัวแปร local (Starlark ไม่มีคำสั่ง global) ให้เก็บสถานะของ module ไว้ใน static record: g = static(%[1]s=0) แล้วใช้ g.%[1]s += 1",
		},
	}
}

// slipWords are the first words of a line, or the tokens a syntax error
// names, that show a habit from Python or C.
var slipWords = lazy.NewMap(slipWordsTable)

func slipWordsTable() map[string]string {
	return map[string]string{
		"class": "class", "import": "import", "from": "import", "global": "global",
		"nonlocal": "global", "try": "try", "except": "try", "finally": "try",
		"raise": "raise", "with": "with", "is": "is", "del": "del", "yield": "yield",
		"assert": "assert", "'&'": "logic", "'|'": "logic",
	}
}

var (
	gotToken   = lazyre.New(`^got (\S+|'.'), want `)
	localVar   = lazyre.New(`^local variable (\w+) referenced before assignment`)
	firstWord  = lazyre.New(`^[A-Za-z_]+`)
	isOperator = lazyre.New(`\bis\b`)
	strPlusInt = lazyre.New(`^unknown binary op: (string \+ int|int \+ string)$`)
)

// slipHint returns the hint for an error message and its source line.
func slipHint(msg, line string) (i18n.Text, bool) {
	if m := localVar.FindStringSubmatch(msg); m != nil {
		return hints.T("local", m[1]), true
	}
	if strPlusInt.MatchString(msg) {
		return hints.T("str"), true
	}
	key := ""
	if m := gotToken.FindStringSubmatch(msg); m != nil {
		key = slipWords.Get()[m[1]]
	}
	switch w := firstWord.FindString(line); {
	case key != "":
	case slipWords.Get()[w] != "" && w != "is":
		key = slipWords.Get()[w]
	case strings.Contains(line, "->"):
		key = "arrow"
	case strings.Contains(line, "++") || strings.Contains(line, "--"):
		key = "increment"
	case strings.Contains(line, "&&") || strings.Contains(line, "||") || strings.Contains(msg, "character '!'"):
		key = "logic"
	case strings.HasPrefix(msg, "got") && isOperator.MatchString(line):
		key = "is"
	}
	if key == "" {
		return i18n.Text{}, false
	}
	return hints.T(key), true
}

// thaiPatterns turn Starlark's and kscript's raw messages into Thai, the
// raw message shown above it: the syntax errors, the errors of calls
// (argument counts, keywords, types), of values (None, unhashable keys,
// operators on the wrong types, comparisons), of indexing and
// unpacking, divisions by zero, recursion, the step budget, and
// kscript's own messages students meet most (an init that returns
// nothing, printk's format, byte stores through a pointer). More
// specific patterns come first.
var thaiPatterns = []struct {
	re *lazyre.Regexp
	th string // with $1, $2 for the submatches
}{
	// Syntax and names.
	{lazyre.New(`^got (.+), want primary expression$`), "ไวยากรณ์ไม่ถูกต้อง: พบ $1 ในตำแหน่งที่ต้องเป็นนิพจน์ (ค่า ชื่อตัวแปร หรือการเรียกฟังก์ชัน)"},
	{lazyre.New(`^got (.+), want indent$`), "ไวยากรณ์ไม่ถูกต้อง: พบ $1 ในตำแหน่งที่ต้องย่อหน้าเข้าไป (บรรทัดใต้ def, if, for และ while ต้องย่อหน้า)"},
	{lazyre.New(`^got newline, want (.+)$`), "ไวยากรณ์ไม่ถูกต้อง: บรรทัดจบก่อนเวลา ต้องมี $1 ก่อนขึ้นบรรทัดใหม่"},
	{lazyre.New(`^got (.+), want (.+)$`), "ไวยากรณ์ไม่ถูกต้อง: พบ $1 ในตำแหน่งที่ต้องเป็น $2"},
	{lazyre.New(`^unexpected input character (.+)$`), "ไวยากรณ์ไม่ถูกต้อง: มีอักขระ $1 ที่ Starlark ไม่รู้จัก"},
	{lazyre.New(`^undefined: (\w+) \(did you mean (\w+)\?\)$`), "ไม่รู้จักชื่อ $1 (หมายถึง $2 หรือเปล่า?)"},
	{lazyre.New(`^undefined: (\w+) \(Linux 6\.1 calls it (\w+)\)$`), "ไม่รู้จักชื่อ $1 (ใน Linux 6.1 ชื่อ $2)"},
	{lazyre.New(`^undefined: (\w+)$`), "ไม่รู้จักชื่อ $1: ยังไม่ได้กำหนดค่าให้ชื่อนี้ หรือสะกดผิด"},
	{lazyre.New(`^module name "(\w+)": the machine already has Debian's own`), "ชื่อ module \"$1\" ซ้ำกับ module $1 ของ Debian ที่โหลดอยู่แล้ว (ดูได้จาก lsmod) insmod $1.ko จึงจะล้มเหลวด้วย \"File exists\" ให้เปลี่ยนชื่อสคริปต์ (เช่น ${1}_test.star) หรือตั้ง module: ของบทเรียนเป็นชื่ออื่น"},
	{lazyre.New(`^local variable (\w+) referenced before assignment$`), "ใช้ตัวแปร local $1 ก่อนกำหนดค่าให้มัน"},
	{lazyre.New(`^global variable (\w+) referenced before assignment$`), "ใช้ตัวแปร $1 ก่อนบรรทัดที่กำหนดค่าให้มัน"},

	// Limits.
	{lazyre.New(`^step budget exhausted: the submission used all (\d+) Starlark steps`), "ใช้ step หมดงบแล้ว: ใช้ Starlark step ครบ $1 step ที่อนุญาต (วนลูปไม่รู้จบหรือเปล่า?)"},
	{lazyre.New(`^wall-time limit reached: the call ran longer than (\S+)$`), "เกินขีดจำกัดเวลา: การเรียกครั้งนี้ใช้เวลาจริงนานกว่า $1"},
	{lazyre.New(`^interrupted \(Ctrl-C\)$`), "ถูกหยุดด้วย Ctrl-C"},
	{lazyre.New(`^recursion too deep: more than (\d+) nested calls`), "ฟังก์ชันเรียกซ้อนกันลึกเกิน $1 ชั้น (ขีดจำกัดของ kscript; stack ของ Kernel ขนาด 16 KiB ล้นไปนานก่อนถึงตรงนั้นแล้ว): ฟังก์ชันที่เรียกตัวเองต้องมีเงื่อนไขให้หยุด"},
	{lazyre.New(`^function (\w+) called recursively$`), "ฟังก์ชัน $1 เรียกตัวเองซ้ำ ซึ่ง Starlark ไม่อนุญาต ให้ใช้ลูป for แทน"},

	// Calls of the script's own functions.
	{lazyre.New(`^function (\w+) missing (\d+) arguments? \((.+)\)$`), "เรียกฟังก์ชัน $1 โดยขาดอาร์กิวเมนต์ $2 ตัว ($3)"},
	{lazyre.New(`^function (\w+) accepts no arguments \((\d+) given\)$`), "ฟังก์ชัน $1 ไม่รับอาร์กิวเมนต์ แต่ส่งไป $2 ตัว"},
	{lazyre.New(`^function (\w+) accepts at most (\d+) positional arguments? \((\d+) given\)$`), "ฟังก์ชัน $1 รับอาร์กิวเมนต์ตามตำแหน่งได้ไม่เกิน $2 ตัว แต่ส่งไป $3 ตัว"},
	{lazyre.New(`^function (\w+) accepts (\d+) positional arguments? \((\d+) given\)$`), "ฟังก์ชัน $1 รับอาร์กิวเมนต์ตามตำแหน่ง $2 ตัว แต่ส่งไป $3 ตัว"},
	{lazyre.New(`^function (\w+) got an unexpected keyword argument "?(\w+)"?$`), "ฟังก์ชัน $1 ไม่มีพารามิเตอร์ชื่อ $2"},
	{lazyre.New(`^function (\w+) got multiple values for parameter "?(\w+)"?$`), "ส่งค่าให้พารามิเตอร์ $2 ของฟังก์ชัน $1 สองครั้ง (ทั้งตามตำแหน่งและตามชื่อ)"},
	{lazyre.New(`^invalid call of non-function \((.+)\)$`), "เรียกค่าชนิด $1 เหมือนฟังก์ชันไม่ได้ เพราะไม่ใช่ฟังก์ชัน"},

	// kscript's checks of what a module's functions return.
	{lazyre.New(`^(\w+): init function returned NoneType, want int`), "ฟังก์ชัน init $1 ไม่ได้คืนค่าอะไรเลย (ลืม return 0 หรือเปล่า?) ต้องคืนค่า 0 เมื่อสำเร็จ หรือ errno ติดลบ (-ENOMEM) เมื่อล้มเหลว"},
	{lazyre.New(`^(\w+): init function returned (\S+), want int`), "ฟังก์ชัน init $1 คืนค่าชนิด $2 แต่ต้องคืนค่า int: 0 เมื่อสำเร็จ หรือ errno ติดลบ (-ENOMEM) เมื่อล้มเหลว"},
	{lazyre.New(`^(\w+): init function returned (\S+), which does not fit in int$`), "ฟังก์ชัน init $1 คืนค่า $2 ซึ่งใหญ่เกินกว่าที่ int เก็บได้"},
	{lazyre.New(`^(\w+): returned (\S+), want int \(a count, a position, 0 or -errno\)$`), "$1 คืนค่าชนิด $2 แต่ต้องคืนค่า int (จำนวนไบต์ ตำแหน่ง 0 หรือ errno ติดลบ)"},

	// Calls of builtins (Starlark's argument checks).
	{lazyre.New(`^(\w+): missing argument for (\w+)$`), "$1: ขาดอาร์กิวเมนต์ $2"},
	{lazyre.New(`^(\w+): got (\d+) arguments, want at most (\d+)$`), "$1: รับอาร์กิวเมนต์ได้ไม่เกิน $3 ตัว แต่ได้ $2 ตัว"},
	{lazyre.New(`^(\w+): got (\d+) arguments, want at least (\d+)$`), "$1: ต้องมีอาร์กิวเมนต์อย่างน้อย $3 ตัว แต่ได้ $2 ตัว"},
	{lazyre.New(`^(\w+): got (\d+) arguments, want (?:exactly )?(\d+)$`), "$1: ต้องมีอาร์กิวเมนต์ $3 ตัว แต่ได้ $2 ตัว"},
	{lazyre.New(`^(\w+): unexpected keyword argument "?(\w+)"?$`), "$1: ไม่มีพารามิเตอร์ชื่อ $2"},
	{lazyre.New(`^(\w+): for parameter (\d+): got (\S+), want (.+)$`), "$1: อาร์กิวเมนต์ตัวที่ $2 ต้องเป็น $4 แต่ได้ $3"},
	{lazyre.New(`^(\w+): for parameter (\w+): got (\S+), want (.+)$`), "$1: พารามิเตอร์ $2 ต้องเป็น $4 แต่ได้ $3"},
	{lazyre.New(`^len: value of type (\S+) has no len$`), "len: ค่าชนิด $1 ไม่มีความยาว"},
	{lazyre.New(`^int: invalid literal with base (\d+): (.*)$`), "int: แปลง $2 เป็นตัวเลขฐาน $1 ไม่ได้"},

	// printk's format (printf.go).
	{lazyre.New(`^(\w+): %(\w+): got (\S+), want (\S+)$`), "$1: %$2 ในรูปแบบข้อความต้องใช้ค่าชนิด $4 แต่ได้ $3"},
	{lazyre.New(`^(\w+): %(\w+): missing argument for %\w+: only (\d+) given$`), "$1: %$2 ในรูปแบบข้อความไม่มีค่าให้พิมพ์ (ส่งค่ามาแค่ $3 ค่า)"},
	{lazyre.New(`^(\w+): too many arguments for format: (\d+) given, the format uses (\d+)$`), "$1: ส่งค่ามา $2 ค่า แต่รูปแบบข้อความใช้แค่ $3 ค่า"},

	// Values and operators.
	{lazyre.New(`^unknown binary op: (.+) (\+|-|\*|/|//|%|&|\||\^|<<|>>|in|not in) (.+)$`), "ใช้ตัวดำเนินการ $2 กับ $1 และ $3 ไม่ได้"},
	{lazyre.New(`^unknown unary op: (\S+) (.+)$`), "ใช้ตัวดำเนินการ $1 กับ $2 ไม่ได้"},
	{lazyre.New(`^(.+) (<|<=|>|>=) (.+) not implemented$`), "เปรียบเทียบ $1 กับ $3 ด้วย $2 ไม่ได้ ค่าต่างชนิดกันเทียบมากน้อยกันไม่ได้"},
	{lazyre.New(`^(floored |integer |floating-point )?division by zero$`), "หารด้วยศูนย์"},
	{lazyre.New(`^(integer|floating-point) modulo by zero$`), "หารเอาเศษ (%) ด้วยศูนย์"},
	{lazyre.New(`^can't assign to \.(\w+) field of NoneType$`), "ค่านี้เป็น None จึงกำหนดค่าให้ฟิลด์ $1 ไม่ได้ (ลืมกำหนดค่า หรือฟังก์ชันไม่ได้คืนค่าหรือเปล่า?)"},
	{lazyre.New(`^NoneType value does not support item assignment$`), "ค่านี้เป็น None จึงใช้ [ ] กำหนดค่าไม่ได้ (ลืมกำหนดค่า หรือฟังก์ชันไม่ได้คืนค่าหรือเปล่า?)"},
	{lazyre.New(`^unhandled index operation NoneType\[`), "ค่านี้เป็น None จึงใช้ [ ] ไม่ได้ (ลืมกำหนดค่า หรือฟังก์ชันไม่ได้คืนค่าหรือเปล่า?)"},
	{lazyre.New(`^unhandled index operation (.+)\[(.+)\]$`), "ใช้ [ ] กับค่าชนิด $1 ไม่ได้"},
	{lazyre.New(`^%(\w) format requires integer: (.+)$`), "%$1 ในรูปแบบข้อความต้องใช้ค่าที่เป็นจำนวนเต็ม"},
	{lazyre.New(`^%(\w) format requires float, not (\S+)$`), "%$1 ในรูปแบบข้อความต้องใช้ค่าที่เป็นตัวเลข แต่ได้ $2"},
	{lazyre.New(`^not enough arguments for format string$`), "ค่าที่ให้มาน้อยกว่าจำนวน % ในรูปแบบข้อความ"},
	{lazyre.New(`^too many arguments for format string$`), "ค่าที่ให้มามากกว่าจำนวน % ในรูปแบบข้อความ"},
	{lazyre.New(`^(\w+): element not found$`), "$1: ไม่พบค่านี้ใน list"},
	{lazyre.New(`^NoneType has no \.(\w+) field or method`), "ค่านี้เป็น None จึงไม่มีฟิลด์หรือเมธอด $1 (ลืมกำหนดค่า หรือฟังก์ชันไม่ได้คืนค่าหรือเปล่า?)"},
	{lazyre.New(`^(.+) has no \.(\w+) field or method \(did you mean \.(\w+)\?\)$`), "$1 ไม่มีฟิลด์หรือเมธอดชื่อ $2 (หมายถึง $3 หรือเปล่า?)"},
	{lazyre.New(`^(.+) has no \.(\w+) field or method$`), "$1 ไม่มีฟิลด์หรือเมธอดชื่อ $2"},
	{lazyre.New(`^can't assign to \.(\w+) field of (.+)$`), "กำหนดค่าให้ฟิลด์ $1 ของ $2 ไม่ได้"},
	{lazyre.New(`^(\w+) value does not support item assignment$`), "แก้ทีละตัวใน $1 ไม่ได้ เพราะค่าชนิดนี้แก้ไขไม่ได้"},
	{lazyre.New(`^(.+) value is not iterable$`), "วนลูปบน $1 ไม่ได้: for ใช้กับ list, tuple, dict, string และ range(n) ถ้าต้องการวน n รอบ ให้เขียน for i in range(n):"},
	{lazyre.New(`^unhashable( type)?: (.+)$`), "ใช้ค่าชนิด $2 เป็น key ของ dict ไม่ได้ เพราะค่าชนิดนี้แก้ไขได้ ให้ใช้ int, string หรือ tuple แทน"},
	{lazyre.New(`^too many values to unpack \(got (\d+), want (\d+)\)$`), "มีค่า $1 ค่า แต่มีตัวแปรรับแค่ $2 ตัว"},
	{lazyre.New(`^too few values to unpack \(got (\d+), want (\d+)\)$`), "มีค่าแค่ $1 ค่า แต่มีตัวแปรรอรับ $2 ตัว"},

	// Indexing.
	{lazyre.New(`^(\w+) index (-?\d+) out of range \[(.+)\]$`), "index $2 เกินขอบเขตของ $1 (index ที่ใช้ได้อยู่ในช่วง [$3])"},
	{lazyre.New(`^(?:\w+ )?index (-?\d+) out of range: empty (\w+)$`), "index $1 เกินขอบเขต: $2 ว่างเปล่า"},
	{lazyre.New(`^(\w+) index: got (\S+), want int$`), "index ของ $1 ต้องเป็น int แต่ได้ $2"},
	{lazyre.New(`^key (.+) not in dict$`), "ไม่มี key $1 ใน dict"},
	{lazyre.New(`^pointer store: (-?\d+) does not fit in a char \(-128\.\.255\)$`), "p[i] เก็บได้ทีละ 1 ไบต์ (char: -128..255) ค่า $1 ใหญ่เกินไป"},
	{lazyre.New(`^pointer store: got (\S+), want a char`), "p[i] เก็บได้ทีละ 1 ไบต์ (int หรือ string ยาว 1 ตัวอักษร) แต่ได้ $1 ถ้าจะคัดลอกหลายไบต์ให้ใช้ memcpy หรือ strscpy"},
	{lazyre.New(`^pointer index: got (\S+), want int$`), "index ของพอยน์เตอร์ต้องเป็น int แต่ได้ $1"},

	// The rest of kscript's builtin errors: "name: detail".
	{lazyre.New(`^(\w+): `), "ข้อผิดพลาดในการเรียก $1: ข้อความต้นฉบับภาษาอังกฤษอยู่บรรทัดด้านบน"},
}

// UntranslatedTH ends the Thai line of a message kscript has no
// translation of: the English one above it is what there is. Tests look
// for it to find the messages students meet that still lack Thai.
const UntranslatedTH = "ข้อความต้นฉบับภาษาอังกฤษอยู่บรรทัดด้านบน"

// ThaiMessage is a raw script error message in Thai (msg itself when it
// is Thai already), and whether kscript has a translation of it.
func ThaiMessage(msg string) (string, bool) {
	if hasThai(msg) {
		return msg, true
	}
	th := thaiMessage(msg)
	return th, !strings.HasSuffix(th, UntranslatedTH)
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
	for _, p := range thaiPatterns {
		if m := p.re.FindStringSubmatchIndex(msg); m != nil {
			return string(p.re.ExpandString(nil, p.th, msg, m))
		}
	}
	return "ข้อผิดพลาดในสคริปต์: " + UntranslatedTH
}
