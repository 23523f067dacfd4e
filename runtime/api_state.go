package runtime

// stateAPIs is the Module state group: C globals, static arrays and
// structs (DESIGN §4).
func stateAPIs() []API {
	return []API{
		{Name: "static", C: "static T name = value;  /* one per field */", Group: "Module state", Scope: ScopeDecl, fn: staticFn,
			En: `Declares C globals with static storage: static(my_buffer = NULL, buffer_size = 128) returns a record whose fields init, exit and callbacks read and assign (g.my_buffer = kmalloc(...)). Starlark functions cannot assign module globals, so this is how a module keeps state between init and exit. The fields are fixed at declaration; assigning an undeclared one is an error. Each insmod starts from the declared values, as a C module's .data does.`,
			Th: `ประกาศตัวแปร global แบบ static ของภาษา C เช่น static(my_buffer = NULL, buffer_size = 128) จะได้ record ที่ฟังก์ชัน init, exit และ callback อ่านและกำหนดค่าได้ (g.my_buffer = kmalloc(...)) เพราะฟังก์ชันใน Starlark กำหนดค่าให้ตัวแปร global ของ module โดยตรงไม่ได้ module จึงเก็บ state ระหว่าง init กับ exit ด้วยวิธีนี้ ชื่อฟิลด์ถูกกำหนดตอนประกาศ การกำหนดค่าให้ฟิลด์ที่ไม่ได้ประกาศถือเป็น error และทุกครั้งที่ insmod ค่าจะเริ่มจากค่าที่ประกาศไว้ เหมือน section .data ของ module C`},
		{Name: "static_buffer", C: `static char name[size] = "init";`, Group: "Module state", Scope: ScopeDecl, fn: staticBuffer,
			En: `Declares a C array with static storage, placed in the module's data section in the module area (0xffffffffc0000000 and up), and returns a ptr to it: k_buf = static_buffer(32, "Initial kernel message.\n"). The rest of the array is zero. sizeof(k_buf) is its size, and copy_from_user into it is checked against that size as the compiler lets the kernel check it (check_copy_size). Reading or writing past its end is a KASAN global-out-of-bounds.`,
			Th: `ประกาศอาร์เรย์แบบ static ของภาษา C ซึ่งอยู่ใน data section ของ module ในพื้นที่ module (ตั้งแต่ 0xffffffffc0000000 ขึ้นไป) และคืนค่า ptr ที่ชี้ไปยังอาร์เรย์นั้น เช่น k_buf = static_buffer(32, "Initial kernel message.\n") ส่วนที่เหลือของอาร์เรย์เป็นศูนย์ sizeof(k_buf) ได้ขนาดของอาร์เรย์ และ copy_from_user ที่คัดลอกเข้าอาร์เรย์นี้จะถูกตรวจกับขนาดนี้ เหมือนที่คอมไพเลอร์ช่วยให้ Kernel ตรวจได้ (check_copy_size) การอ่านหรือเขียนเลยขอบอาร์เรย์คือ KASAN global-out-of-bounds`},
		{Name: "struct_type", C: "struct name { type field; ... };", Group: "Module state", Scope: ScopeAny, fn: structTypeFn,
			En: `Declares a C struct: struct_type("item", [("id", "int"), ("name", "char[16]"), ("next", "ptr")]). Field types are C's (char, int, long, u8..u64, s8..s64, size_t, bool, "ptr" or any "T *", arrays like "char[16]", or another struct_type), laid out with x86-64's alignment and padding, so sizeof and offsetof give what gcc gives.`,
			Th: `ประกาศ struct ของภาษา C เช่น struct_type("item", [("id", "int"), ("name", "char[16]"), ("next", "ptr")]) ชนิดของฟิลด์เป็นชนิดของ C (char, int, long, u8..u64, s8..s64, size_t, bool, "ptr" หรือ "T *" ใด ๆ, อาร์เรย์อย่าง "char[16]" หรือ struct_type อื่น) และจัดวางตาม alignment กับ padding ของ x86-64 ดังนั้น sizeof และ offsetof ได้ค่าเดียวกับ gcc`},
		{Name: "sizeof", C: "sizeof(x)", Group: "Module state", Scope: ScopeAny, fn: sizeofFn,
			En: `The size in bytes, as C's sizeof: of a struct_type, of a C type name ("int" is 4, "long" is 8), of an array declared with static_buffer (its length), or 8 for any pointer.`,
			Th: `ขนาดเป็นไบต์ แบบเดียวกับ sizeof ของ C ใช้ได้กับ struct_type, ชื่อชนิดข้อมูลของ C ("int" ได้ 4, "long" ได้ 8), อาร์เรย์ที่ประกาศด้วย static_buffer (ได้ความยาวอาร์เรย์) และได้ 8 สำหรับพอยน์เตอร์ทุกชนิด`},
		{Name: "offsetof", C: "offsetof(TYPE, MEMBER)", Group: "Module state", Scope: ScopeAny, fn: offsetofFn,
			En: `The offset in bytes of a member in a struct_type, padding included, as C's offsetof.`,
			Th: `ตำแหน่ง (offset) เป็นไบต์ของฟิลด์ใน struct_type รวม padding แล้ว แบบเดียวกับ offsetof ของ C`},
		{Name: "cast", C: "(struct TYPE *)p", Group: "Module state", Scope: ScopeAny, fn: castFn,
			En: `Views memory as a struct: v = cast(p, item) is a struct item * whose fields read and write the simulated memory at p (v.id = 3, v.name is a ptr to the array). Every access is checked like any memory access: through a NULL view it is a NULL pointer dereference, past the object a KASAN report.`,
			Th: `มองหน่วยความจำเป็น struct เช่น v = cast(p, item) ได้ struct item * ที่ฟิลด์อ่านและเขียนหน่วยความจำจำลองที่ตำแหน่ง p (v.id = 3 หรือ v.name ที่เป็น ptr ไปยังอาร์เรย์) ทุกการเข้าถึงถูกตรวจเหมือนการเข้าถึงหน่วยความจำทั่วไป ถ้า view เป็น NULL จะเป็น NULL pointer dereference ถ้าเลยขอบ object จะได้รายงานจาก KASAN`},
	}
}
