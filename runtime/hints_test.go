package runtime

import (
	"strings"
	"testing"
)

func TestErrorNotes(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		err    error
		th, en string // the notes in each language, joined by "|"
	}{
		{"class", "class Foo:\n", &ScriptError{Pos: "a.star:1:1", Msg: "got class, want primary expression"},
			"ไวยากรณ์ไม่ถูกต้อง: พบ class ในตำแหน่งที่ต้องเป็นนิพจน์|คำแนะนำ: Starlark ไม่มี class",
			"hint: Starlark has no classes"},
		{"import", "import os\n", &ScriptError{Pos: "a.star:1:1", Msg: "got import, want primary expression"},
			"คำแนะนำ: Starlark ไม่มี import", "hint: Starlark has no import"},
		{"from", "from os import path\n", &ScriptError{Pos: "a.star:1:1", Msg: "got from, want primary expression"},
			"คำแนะนำ: Starlark ไม่มี import", "hint: Starlark has no import"},
		{"global", "def f():\n    global x\n", &ScriptError{Pos: "a.star:2:5", Msg: "got global, want primary expression"},
			"คำแนะนำ: Starlark ไม่มีคำสั่ง global", "hint: Starlark has no global statement"},
		{"except", "    except:\n", &ScriptError{Pos: "a.star:1:5", Msg: "got except, want primary expression"},
			"exception (try/except/finally)", "hint: Starlark has no exceptions"},
		{"with", "with open(x) as f:\n", &ScriptError{Pos: "a.star:1:1", Msg: "got with, want primary expression"},
			"คำแนะนำ: Starlark ไม่มีคำสั่ง with", "hint: Starlark has no with statement"},
		{"is", "if p is None:\n", &ScriptError{Pos: "a.star:1:6", Msg: "got is, want ':'"},
			"ตัวดำเนินการ is", "hint: Starlark has no is operator"},
		{"assert by its line", "assert x == 1\n", &ScriptError{Pos: "a.star:1:9", Msg: "got int literal, want newline"},
			"คำสั่ง assert", "hint: Starlark has no assert statement"},
		{"arrow", "    return p->next\n", &ScriptError{Pos: "a.star:1:14", Msg: "got '>', want primary expression"},
			"p.field ไม่ใช่ p->field", "not p->field"},
		{"local", "", &ScriptError{Pos: "a.star:3:9", Msg: "local variable count referenced before assignment"},
			"ใช้ตัวแปร local count ก่อนกำหนดค่าให้มัน|g = static(count=0)", "g = static(count=0), then g.count += 1"},
		{"undefined, no hint", "", &ScriptError{Pos: "a.star:1:1", Msg: "undefined: kmaloc (did you mean kmalloc?)"},
			"ไม่รู้จักชื่อ kmaloc (หมายถึง kmalloc หรือเปล่า?)", ""},
		{"a builtin's error without Thai", "", &ScriptError{Pos: "a.star:1:1", Msg: "kfree: got int, want ptr"},
			"ข้อผิดพลาดในการเรียก kfree: " + UntranslatedTH, ""},
		{"index", "", &ScriptError{Pos: "a.star:3:13", Msg: "list index 3 out of range [-1:0]"},
			"index 3 เกินขอบเขตของ list", ""},
		{"not a function", "", &ScriptError{Pos: "a.star:3:6", Msg: "invalid call of non-function (int)"},
			"เรียกค่าชนิด int เหมือนฟังก์ชันไม่ได้", ""},
		{"dict key", "", &ScriptError{Pos: "a.star:3:6", Msg: `key "k" not in dict`},
			`ไม่มี key "k" ใน dict`, ""},
		{"division", "", &ScriptError{Pos: "a.star:2:14", Msg: "floored division by zero"}, "หารด้วยศูนย์", ""},
		{"None", "", &ScriptError{Pos: "a.star:2:14", Msg: "NoneType has no .y field or method"}, "ค่านี้เป็น None", ""},
		{"field", "", &ScriptError{Pos: "a.star:2:14", Msg: "void * has no .foo field or method"}, "void * ไม่มีฟิลด์หรือเมธอดชื่อ foo", ""},
		{"string item", "", &ScriptError{Pos: "a.star:3:6", Msg: "string value does not support item assignment"}, "แก้ทีละตัวใน string ไม่ได้", ""},
		{"parameter type", "", &ScriptError{Pos: "a.star:2:19", Msg: "kmalloc: for parameter size: got string, want size_t"},
			"kmalloc: พารามิเตอร์ size ต้องเป็น size_t แต่ได้ string", ""},
		{"indent", "def i():\nreturn 0\n", &ScriptError{Pos: "a.star:2:1", Msg: "got return, want indent"}, "ต้องย่อหน้าเข้าไป", ""},
		{"colon", "def i()\n", &ScriptError{Pos: "a.star:2:1", Msg: "got newline, want ':'"}, "บรรทัดจบก่อนเวลา ต้องมี ':'", ""},
		{"missing argument", "", &ScriptError{Pos: "a.star:4:9", Msg: "function f missing 1 argument (b)"},
			"เรียกฟังก์ชัน f โดยขาดอาร์กิวเมนต์ 1 ตัว (b)", ""},
		{"too many arguments", "", &ScriptError{Pos: "a.star:4:9", Msg: "function f accepts 1 positional argument (2 given)"},
			"ฟังก์ชัน f รับอาร์กิวเมนต์ตามตำแหน่ง 1 ตัว แต่ส่งไป 2 ตัว", ""},
		{"builtin at most", "", &ScriptError{Pos: "a.star:4:9", Msg: "kmalloc: got 3 arguments, want at most 2"},
			"kmalloc: รับอาร์กิวเมนต์ได้ไม่เกิน 2 ตัว แต่ได้ 3 ตัว", ""},
		{"builtin keyword", "", &ScriptError{Pos: "a.star:4:9", Msg: `kmalloc: unexpected keyword argument "foo"`},
			"kmalloc: ไม่มีพารามิเตอร์ชื่อ foo", ""},
		{"string + int", "", &ScriptError{Pos: "a.star:2:14", Msg: "unknown binary op: string + int"},
			"ใช้ตัวดำเนินการ + กับ string และ int ไม่ได้|str(n)", "hint: Starlark does not turn a number into text"},
		{"pointer + string", "", &ScriptError{Pos: "a.star:2:14", Msg: "unknown binary op: void * + string"},
			"ใช้ตัวดำเนินการ + กับ void * และ string ไม่ได้", ""},
		{"unhashable", "", &ScriptError{Pos: "a.star:2:14", Msg: "unhashable type: list"}, "ใช้ค่าชนิด list เป็น key ของ dict ไม่ได้", ""},
		{"modulo", "", &ScriptError{Pos: "a.star:2:14", Msg: "integer modulo by zero"}, "หารเอาเศษ (%) ด้วยศูนย์", ""},
		{"not iterable", "", &ScriptError{Pos: "a.star:2:5", Msg: "int value is not iterable"}, "for i in range(n)", ""},
		{"unpack", "", &ScriptError{Pos: "a.star:2:5", Msg: "too many values to unpack (got 3, want 2)"}, "มีค่า 3 ค่า แต่มีตัวแปรรับแค่ 2 ตัว", ""},
		{"recursion", "", &ScriptError{Pos: "a.star:2:5", Msg: "recursion too deep: more than 1000 nested calls (kscript's limit; a 16 KiB kernel stack would have overflowed long before)"},
			"ฟังก์ชันเรียกซ้อนกันลึกเกิน 1000 ชั้น", ""},
		{"None, did you mean", "", &ScriptError{Pos: "a.star:2:14", Msg: "NoneType has no .foo field or method (did you mean .fo?)"}, "ค่านี้เป็น None", ""},
		{"init returns nothing", "", &ScriptError{Pos: "a.star:1:1", Msg: "i: init function returned NoneType, want int: return 0 on success or a negative errno (-ENOMEM)"},
			"ลืม return 0 หรือเปล่า?", ""},
		{"printk format", "", &ScriptError{Pos: "a.star:2:12", Msg: "pr_info: %d: got string, want int"},
			"pr_info: %d ในรูปแบบข้อความต้องใช้ค่าชนิด int แต่ได้ string", ""},
		{"interrupted", "", &LimitError{Pos: "a.star:1:1", Limit: "interrupt", Msg: "interrupted (Ctrl-C)"},
			"ถูกหยุดด้วย Ctrl-C", ""},
		{"a Thai message is not translated again", "", &LimitError{Pos: "a.star:1:1", Limit: "steps", Msg: "ใช้ step หมดงบแล้ว"},
			"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var th, en []string
			for _, n := range ErrorNotes(tt.err, []byte(tt.src)) {
				if s := n.In("th"); s != "" {
					th = append(th, s)
				}
				if n.EN != "" {
					en = append(en, n.EN)
				}
			}
			check := func(lang string, got []string, want string) {
				g := strings.Join(got, "|")
				for _, w := range strings.Split(want, "|") {
					if !strings.Contains(g, w) {
						t.Errorf("%s notes %q lack %q", lang, g, w)
					}
				}
				if want == "" && g != "" && lang == "en" {
					t.Errorf("en notes = %q, want none", g)
				}
			}
			check("th", th, tt.th)
			check("en", en, tt.en)
		})
	}
}
