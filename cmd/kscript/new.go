package main

import (
	"fmt"
	"kscript.dev/kscript/runtime/lazyre"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func (a *app) newCommand() *command {
	var dir string
	c := &command{
		use:   "new NAME",
		short: "Scaffold a new lesson with an exercise that passes lint and test at once",
		long: `new writes a lesson and its exercise, ready to edit:

  DIR/NAME.star                      the lesson's module script
  DIR/NAME.yaml                      scenario, expectations, both languages, checks
  DIR/exercises/NAME.star            the starter students begin from
  DIR/exercises/NAME.solution.star   the reference solution

NAME is the lesson id, conventionally NN_topic ("11_krealloc"); the module
name is the topic part. The scaffold is a small kmalloc/kfree module whose
exercise has a check of each kind (dmesg, calls, memory, a hidden check and
a fault-injection check of the error path), and it passes kscript lint and
kscript test as written. Existing files are never overwritten.`,
		example: "  kscript new 11_krealloc\n  kscript new 01_intro --dir my_course",
		args:    exactArgs(1),
		run:     func(_ *command, args []string) error { return a.scaffold(dir, args[0]) },
	}
	c.defineFlags = func(fs *flagSet) {
		fs.stringVar(&dir, "dir", lessonsDir, "the lessons folder to write into")
	}
	return c
}

var lessonIDRe = lazyre.New(`^[a-z0-9][a-z0-9_]*$`)

// scaffoldData fills the templates.
type scaffoldData struct {
	ID, Module string
}

// fill writes the lesson id for {{.ID}} and the module name for
// {{.Module}}, the templates' only actions. (text/template did it until
// kscript's other imports stopped linking it: it cost every kscript
// process its package inits and net/url's.) The id and module name are
// lower-case letters, digits and _, which text/template wrote unescaped.
func (d scaffoldData) fill(tmpl string) string {
	return strings.NewReplacer("{{.ID}}", d.ID, "{{.Module}}", d.Module).Replace(tmpl)
}

func (a *app) scaffold(dir, id string) error {
	if !lessonIDRe.MatchString(id) {
		return usage("new: %q: want a lesson id of lower-case letters, digits and _, such as 11_krealloc", id)
	}
	if err := numberFree(dir, id); err != nil {
		return err
	}
	d := scaffoldData{ID: id, Module: moduleFor(id)}
	files := []struct{ path, tmpl string }{
		{filepath.Join(dir, id+".star"), newLessonStar},
		{filepath.Join(dir, id+".yaml"), newLessonYAML},
		{filepath.Join(dir, "exercises", id+".star"), newStarter},
		{filepath.Join(dir, "exercises", id+".solution.star"), newLessonStar},
	}
	for _, f := range files {
		if _, err := os.Stat(f.path); err == nil {
			return fail(exitUsage, "kscript: new: %s exists: not overwriting it", f.path)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "exercises"), 0o755); err != nil {
		return fail(exitUsage, "kscript: new: %s", fileError(err))
	}
	for _, f := range files {
		if err := os.WriteFile(f.path, []byte(d.fill(f.tmpl)), 0o644); err != nil {
			return fail(exitUsage, "kscript: new: %s", fileError(err))
		}
		fmt.Fprintln(a.stdout, "created", f.path)
	}
	y := filepath.Join(dir, id+".yaml")
	fmt.Fprintf(a.stdout, "next: edit them, then run\n  kscript lint %s && kscript test %s\n", y, y)
	return nil
}

// numberFree refuses an id whose number ("11" of "11_krealloc") another
// lesson of dir already has: lessons are listed, found ("kscript run 11")
// and taught by number, so two lessons 11 would be ambiguous.
func numberFree(dir, id string) error {
	num := lessonNumber(id)
	if num == "" {
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	next := 0
	var taken string
	for _, f := range files {
		stem := strings.TrimSuffix(filepath.Base(f), ".yaml")
		n := lessonNumber(stem)
		if n == num && stem != id {
			taken = stem
		}
		if v, err := strconv.Atoi(n); err == nil && v >= next {
			next = v + 1
		}
	}
	if taken == "" {
		return nil
	}
	return fail(exitUsage, "kscript: new: lesson number %s is taken by %s: pick another, e.g. %0*d_%s",
		num, taken, len(num), next, strings.TrimLeft(strings.TrimPrefix(id, num), "_"))
}

// lessonNumber is the leading digits of a lesson id, before an underscore.
func lessonNumber(id string) string {
	n := len(id) - len(strings.TrimLeft(id, "0123456789"))
	if n == 0 || n == len(id) || id[n] != '_' {
		return ""
	}
	return id[:n]
}

// moduleFor derives the module name from a lesson id: "11_krealloc" gives
// "krealloc"; an id with no topic part gives "lesson_ID".
func moduleFor(id string) string {
	m := strings.TrimLeft(id, "0123456789")
	m = strings.TrimLeft(m, "_")
	if m == "" || m[0] >= '0' && m[0] <= '9' {
		return "lesson_" + id
	}
	return m
}

// newLessonStar is the lesson's script, and the exercise's solution.
const newLessonStar = `# Lesson {{.ID}} — TODO: what this lesson shows.
# A module that allocates a buffer in init and frees it in exit: replace it
# with the lesson's own module.

MODULE_LICENSE("GPL")
MODULE_AUTHOR("Your Name")
MODULE_DESCRIPTION("TODO: one line about the module")

g = static(buf = NULL, size = 64)

def {{.Module}}_init():
    pr_info("Loading {{.Module}} module...\n")
    g.buf = kmalloc(g.size, GFP_KERNEL)
    if not g.buf:
        pr_err("{{.Module}}: out of memory\n")
        return -ENOMEM
    strscpy(g.buf, "Hello from {{.Module}}!", g.size)
    pr_info("{{.Module}}: buffer says: %s\n", g.buf)
    return 0

def {{.Module}}_exit():
    kfree(g.buf)
    g.buf = NULL
    pr_info("{{.Module}} unloaded.\n")

module_init({{.Module}}_init)
module_exit({{.Module}}_exit)
`

// newStarter is the exercise's starter: the part to write is marked TODO.
const newStarter = `# Exercise {{.ID}} (starter). Complete the parts marked TODO, then grade it:
#   kscript grade --lesson lessons/{{.ID}}.yaml THIS_FILE.star
#
# แบบฝึกหัด {{.ID}} (ไฟล์เริ่มต้น) เขียนส่วนที่มี TODO ให้สมบูรณ์

MODULE_LICENSE("GPL")
MODULE_AUTHOR("Your Name")
MODULE_DESCRIPTION("TODO: one line about the module")

g = static(buf = NULL, size = 64)

def {{.Module}}_init():
    pr_info("Loading {{.Module}} module...\n")
    # TODO: allocate g.size bytes with kmalloc and GFP_KERNEL into g.buf;
    # on failure print "{{.Module}}: out of memory" and return -ENOMEM.
    # TODO: copy "Hello from {{.Module}}!" into it and print
    # "{{.Module}}: buffer says: %s".
    return 0

def {{.Module}}_exit():
    # TODO: free the buffer.
    pr_info("{{.Module}} unloaded.\n")

module_init({{.Module}}_init)
module_exit({{.Module}}_exit)
`

// newLessonYAML is the lesson file, with a check of each kind.
const newLessonYAML = `id: {{.ID}}
module: {{.Module}}
title:
  en: "{{.Module}}: a module that allocates and frees a buffer"
  th: "{{.Module}}: module ที่จองและปล่อยบัฟเฟอร์"
explain:
  en: |
    TODO: explain what the lesson shows and what the kernel does.
  th: |
    TODO: อธิบายว่าบทเรียนนี้แสดงอะไร และ Kernel ทำงานอย่างไร
scenario:
  - make
  - sudo insmod {{.Module}}.ko
  - sudo dmesg | tail -n 2
  - sudo rmmod {{.Module}}
expect:
  dmesg:
    - "Loading {{.Module}} module..."
    - "{{.Module}}: buffer says: Hello from {{.Module}}!"
    - "{{.Module}} unloaded."
  calls:
    - {fn: kmalloc, gfp: GFP_KERNEL, context: process}
    - {fn: kfree}
  clean: true
  memory_restored: true
exercise:
  starter: exercises/{{.ID}}.star
  solution: exercises/{{.ID}}.solution.star
  points: 10
  checks:
    - id: loads
      points: 3
      title:
        en: "The module loads and prints its buffer"
        th: "โหลด module ได้และพิมพ์ข้อความในบัฟเฟอร์"
      hint:
        en: "init prints \"{{.Module}}: buffer says: %s\" with the buffer and returns 0."
        th: "ฟังก์ชัน init พิมพ์ \"{{.Module}}: buffer says: %s\" พร้อมบัฟเฟอร์ แล้วคืนค่า 0"
      expect:
        insmod: ok
        dmesg: ["{{.Module}}: buffer says: Hello from {{.Module}}!"]
    - id: allocates
      points: 3
      needs: [loads]
      title:
        en: "The buffer comes from kmalloc with GFP_KERNEL"
        th: "บัฟเฟอร์ได้มาจาก kmalloc ด้วย GFP_KERNEL"
      hint:
        en: "The kernel records every allocation: printing the line is not enough."
        th: "Kernel บันทึกทุกการจองไว้ แค่พิมพ์ข้อความอย่างเดียวไม่พอ"
      expect:
        calls: [{fn: kmalloc, gfp: GFP_KERNEL, context: process, min: 1}]
    - id: frees
      points: 2
      hidden: true
      needs: [allocates]
      title:
        en: "rmmod gives the buffer back: no leak, memory restored"
        th: "rmmod ปล่อยบัฟเฟอร์: ไม่มีหน่วยความจำรั่ว และหน่วยความจำกลับมาครบ"
      hint:
        en: "kfree the buffer in the exit function."
        th: "kfree บัฟเฟอร์ในฟังก์ชัน exit"
      expect:
        calls: [{fn: kfree, min: 1}]
        clean: true
    - id: handles-enomem
      points: 2
      needs: [loads]
      fail: "kmalloc:nth=1"
      title:
        en: "When kmalloc fails, init returns -ENOMEM"
        th: "เมื่อ kmalloc ล้มเหลว init คืนค่า -ENOMEM"
      hint:
        en: "Check kmalloc's result for NULL and return -ENOMEM: insmod then says \"Cannot allocate memory\"."
        th: "ตรวจว่า kmalloc คืนค่า NULL หรือไม่ แล้วคืนค่า -ENOMEM ซึ่ง insmod จะแสดงเป็น \"Cannot allocate memory\""
      scenario:
        - make
        - sudo insmod {{.Module}}.ko
      expect:
        insmod: "Cannot allocate memory"
        dmesg_not: [{re: "Oops|BUG:|KASAN"}]
        memory_restored: true
`
