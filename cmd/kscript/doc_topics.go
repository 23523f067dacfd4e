package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"kscript.dev/kscript/runtime/lazy"
)

// docTopics are the pages of `kscript doc` that explain a concept rather
// than one builtin, in English and Thai.
var docTopics = lazy.NewMap(docTopicsTable)

func docTopicsTable() map[string][2]string {
	return map[string][2]string{
		"pointers": {`pointers: pointer values in kscript scripts

A ptr is a C pointer: an address in the simulated machine. kmalloc, vmalloc,
page_address, static_buffer and the user-space malloc return one.

  p = kmalloc(16, GFP_KERNEL)
  if not p:                  NULL (and only NULL) is false: if (!p)
      return -ENOMEM
  p[0] = 0x41                a byte store, as ((char *)p)[0] = 'A';
  b = p[1]                   a byte load: an int 0..255
  data = p[0:4]              the bytes p[0..3] as a Starlark bytes value
  q = p + 8                  address arithmetic in bytes, as on a char *;
  n = q - p                  p - n, q - p (8) and comparisons work too
  s = cast(p, my_struct)     a struct view: s.field reads and writes memory
                             (struct_type(...) declares the layout; there
                             is no ->, fields are reached with a dot)
  string_at(p), bytes_at(p, n)   read a C string or n bytes as Starlark values

Every access goes through simulated memory and its checks: past the end of
the object is a KASAN slab-out-of-bounds report, after kfree a
use-after-free, through a __user pointer an SMAP fault.

ZERO_SIZE_PTR. kmalloc(0) does not return NULL: it returns ZERO_SIZE_PTR,
the address 0x10. It passes an if (!p) check, yet points at no memory, so the
first p[0] = ... faults at address 0000000000000010 (an Oops that looks like
a NULL dereference). Check the size before allocating, or test
ZERO_OR_NULL_PTR(p) (p <= 0x10). kfree(ZERO_SIZE_PTR) is allowed.

printk: %p prints a hashed value (00000000bdc99002), never the address; %px
prints the raw address; %s reads a C string from the pointer (checked).
`, `pointers: ค่าพอยน์เตอร์ในสคริปต์ kscript

ptr คือพอยน์เตอร์แบบภาษา C: แอดเดรสในเครื่องจำลอง ค่าที่ kmalloc, vmalloc,
page_address, static_buffer และ malloc ฝั่ง user คืนมาเป็น ptr

  p = kmalloc(16, GFP_KERNEL)
  if not p:                  NULL (และ NULL เท่านั้น) มีค่าเป็นเท็จ เหมือน if (!p)
      return -ENOMEM
  p[0] = 0x41                เขียนหนึ่งไบต์ เหมือน ((char *)p)[0] = 'A';
  b = p[1]                   อ่านหนึ่งไบต์ ได้ int 0..255
  data = p[0:4]              ไบต์ p[0..3] เป็นค่า bytes ของ Starlark
  q = p + 8                  บวกลบแอดเดรสเป็นหน่วยไบต์ เหมือน char *
  n = q - p                  ใช้ p - n, q - p (ได้ 8) และการเปรียบเทียบได้
  s = cast(p, my_struct)     มุมมองแบบ struct: s.field อ่านและเขียนหน่วยความจำจริง
                             (ประกาศโครงสร้างด้วย struct_type(...) ไม่มี ->
                             เข้าถึง field ด้วยจุด)
  string_at(p), bytes_at(p, n)   อ่าน C string หรือ n ไบต์ออกมาเป็นค่าของ Starlark

ทุกการเข้าถึงผ่านหน่วยความจำจำลองและการตรวจของมัน: เลยท้าย object คือรายงาน
KASAN slab-out-of-bounds หลัง kfree คือ use-after-free ผ่านพอยน์เตอร์ __user
คือ SMAP fault

ZERO_SIZE_PTR: kmalloc(0) ไม่ได้คืนค่า NULL แต่คืนค่า ZERO_SIZE_PTR คือแอดเดรส 0x10
ค่านี้ผ่านการตรวจ if (!p) ได้ แต่ไม่ได้ชี้ไปที่หน่วยความจำใดเลย การเขียน p[0] = ...
ครั้งแรกจึงเกิด fault ที่แอดเดรส 0000000000000010 (Oops ที่ดูเหมือน NULL
dereference) ให้ตรวจขนาดก่อนจอง หรือตรวจด้วย ZERO_OR_NULL_PTR(p) (p <= 0x10)
ส่วน kfree(ZERO_SIZE_PTR) ทำได้

printk: %p พิมพ์ค่าที่ hash แล้ว (00000000bdc99002) ไม่ใช่แอดเดรสจริง %px พิมพ์
แอดเดรสจริง %s อ่าน C string จากพอยน์เตอร์ (มีการตรวจ)
`},
	}
}

// writeTopic prints a doc topic in lang; ok is false for no such topic.
func writeTopic(w io.Writer, name, lang string) bool {
	t, ok := docTopics.Get()[name]
	if !ok {
		return false
	}
	text := t[0]
	if lang == "th" {
		text = t[1]
	}
	io.WriteString(w, text)
	return true
}

// topicNames lists the doc topics, sorted.
func topicNames() []string {
	var names []string
	for n := range docTopics.Get() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// writeTopicIndex ends the index with the topic pages.
func writeTopicIndex(w io.Writer, lang string) {
	head := "Topics (kscript doc TOPIC):"
	if lang == "th" {
		head = "หัวข้อ (kscript doc TOPIC):"
	}
	fmt.Fprintf(w, "\n%s %s\n", head, strings.Join(topicNames(), ", "))
}
