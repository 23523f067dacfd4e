package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/shell"
)

// TestThaiOutput runs every lesson, explain, kscript doc, lint, the
// grader (text feedback), the shell's help and messages, and scripts with
// the errors students make (thaiErrorScripts) with --lang th and fails on English words in kscript's own Thai
// text that the glossary (lessons/GLOSSARY.md) does not keep in English,
// and on the Thai words the glossary replaces. Kernel output, shell
// commands, code, file names and the text a lesson expects are not
// kscript's Thai, so they are left out before the words are checked.
func TestThaiOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every lesson")
	}
	g := loadGlossary(t)
	names := codeNames(t)
	lessonsDir := filepath.Join("..", "..", "lessons")
	runs := [][]string{{"doc"}, {"lessons", "--dir", lessonsDir}, {"lint", lessonsDir}}
	for _, a := range kruntime.APIs() {
		runs = append(runs, []string{"doc", a.Name})
	}
	for _, topic := range docTopicNames() {
		runs = append(runs, []string{"doc", topic})
	}
	broken, _ := filepath.Glob(filepath.Join("..", "..", "runtime", "lesson", "testdata", "lint", "*.yaml"))
	for _, b := range broken {
		runs = append(runs, []string{"lint", b})
	}
	stars, _ := filepath.Glob(filepath.Join(lessonsDir, "*.star"))
	for _, s := range stars {
		id := strings.TrimSuffix(filepath.Base(s), ".star")
		yaml := strings.TrimSuffix(s, ".star") + ".yaml"
		runs = append(runs, []string{"run", s}, []string{"explain", "--dir", lessonsDir, id})
		for _, sub := range []string{
			filepath.Join(lessonsDir, "exercises", id+".star"),
			filepath.Join(lessonsDir, "exercises", id+".solution.star"),
		} {
			if exists(sub) {
				runs = append(runs, []string{"grade", "--in-process", "--lesson", yaml, sub})
			}
		}
	}
	runs = append(runs, thaiErrorRuns(t)...)
	leaks := map[string][]string{} // word → where
	var untranslated []string
	for _, args := range runs {
		var out bytes.Buffer
		a := newApp(strings.NewReader(""), &out, &out)
		a.getenv = func(k string) string {
			if k == "NO_COLOR" {
				return "1"
			}
			return ""
		}
		a.main(append([]string{"--lang", "th"}, args...))
		for _, line := range strings.Split(out.String(), "\n") {
			if strings.Contains(line, kruntime.UntranslatedTH) {
				untranslated = append(untranslated, strings.Join(args, " ")+": "+strings.TrimSpace(line))
			}
		}
		for _, line := range strings.Split(stripQuoted(out.String()), "\n") {
			for _, w := range g.problems(line, names) {
				if len(leaks[w]) < 2 {
					leaks[w] = append(leaks[w], strings.Join(args, " ")+": "+strings.TrimSpace(line))
				}
			}
		}
	}
	for _, u := range untranslated {
		t.Errorf("a message without Thai (add it to runtime/hints.go's thaiPatterns):\n    %s", u)
	}
	var words []string
	for w := range leaks {
		words = append(words, w)
	}
	sort.Strings(words)
	for _, w := range words {
		t.Errorf("%q in Thai output:\n    %s", w, strings.Join(leaks[w], "\n    "))
	}
}

// thaiErrorScripts are scripts with the slips students make: Python habits,
// script errors, and modules the summary fails with an explanation.
var thaiErrorScripts = map[string]string{
	"class":  "class Foo:\n    pass\n",
	"import": "import os\n",
	"global": "x = 1\ndef f():\n    global x\n",
	// Not "loop": Debian's loop module is loaded, and insmod loop.ko
	// would stop before the loop does.
	"spin":      "def i():\n    while True:\n        pass\n    return 0\nmodule_init(i)\n",
	"undefined": "def i():\n    return kmaloc(8, GFP_KERNEL)\nmodule_init(i)\n",
	"attr":      "def i():\n    p = kmalloc(8, GFP_KERNEL)\n    p.foo()\n    return 0\nmodule_init(i)\n",
	"index":     "def i():\n    a = [1]\n    return a[3]\nmodule_init(i)\n",
	"types":     "def i():\n    return 1 + \"a\"\nmodule_init(i)\n",
	"args":      "def i():\n    p = kmalloc(8)\n    return 0\nmodule_init(i)\n",
	// The script errors students meet most (runtime/hints.go's
	// thaiPatterns): each must have a Thai line of its own, not the note
	// that points at the English one (kruntime.UntranslatedTH).
	"argcount": "def f(a, b):\n    return a\ndef i():\n    return f(1)\nmodule_init(i)\n",
	"argmany":  "def f(a):\n    return a\ndef i():\n    return f(1, 2)\nmodule_init(i)\n",
	"argkw":    "def f(a):\n    return a\ndef i():\n    return f(b=1)\nmodule_init(i)\n",
	"argtype":  "def i():\n    p = kmalloc(\"16\", GFP_KERNEL)\n    return 0\nmodule_init(i)\n",
	"argsmax":  "def i():\n    p = kmalloc(8, GFP_KERNEL, 0)\n    return 0\nmodule_init(i)\n",
	"key":      "def i():\n    d = {\"a\": 1}\n    return d[\"b\"]\nmodule_init(i)\n",
	"divzero":  "def i():\n    n = 0\n    return 8 // n\nmodule_init(i)\n",
	"modzero":  "def i():\n    n = 0\n    return 8 % n\nmodule_init(i)\n",
	"none":     "def f():\n    pass\ndef i():\n    p = f()\n    p.foo = 1\n    return 0\nmodule_init(i)\n",
	"unhash":   "def i():\n    d = {}\n    d[[1]] = 2\n    return 0\nmodule_init(i)\n",
	"strint":   "def i():\n    pr_info(\"n = \" + 3)\n    return 0\nmodule_init(i)\n",
	"recurse":  "def f(n):\n    return f(n + 1)\ndef i():\n    return f(0)\nmodule_init(i)\n",
	"iterint":  "def i():\n    for k in 3:\n        pass\n    return 0\nmodule_init(i)\n",
	"unpack":   "def i():\n    a, b = [1, 2, 3]\n    return 0\nmodule_init(i)\n",
	"compare":  "def i():\n    if None < 1:\n        pass\n    return 0\nmodule_init(i)\n",
	"format":   "def i():\n    pr_info(\"%d\\n\", \"x\")\n    return 0\nmodule_init(i)\n",
	"noreturn": "def i():\n    pr_info(\"hi\\n\")\nmodule_init(i)\n",
	"noneidx":  "def f():\n    pass\ndef i():\n    return f()[0]\nmodule_init(i)\n",
	"pyformat": "def i():\n    pr_info(\"%d %d\\n\" % (1,))\n    return 0\nmodule_init(i)\n",
	"ptrstore": "def i():\n    p = kmalloc(8, GFP_KERNEL)\n    p[0] = 300\n    return 0\nmodule_init(i)\n",
	"ret1":     "def i():\n    return 1\ndef e():\n    pass\nmodule_init(i)\nmodule_exit(e)\n",
	"noexit":   "def i():\n    return 0\nmodule_init(i)\n",
	"leak":     "def i():\n    kmalloc(8, GFP_KERNEL)\n    return 0\ndef e():\n    pass\nmodule_init(i)\nmodule_exit(e)\n",
	"zero":     "def i():\n    p = kmalloc(0, GFP_KERNEL)\n    if not p:\n        return -ENOMEM\n    p[0] = 1\n    return 0\nmodule_init(i)\n",
	"todo":     "# TODO: write init\ndef i():\n    return 0\ndef e():\n    pass\nmodule_init(i)\nmodule_exit(e)\n",
	"noeof": `g = static(major = 0)
k = static_buffer(4, "abc")
def rd(f, buf, n, off):
    copy_to_user(buf, k, 1)
    return 1
def wr(f, buf, n, off):
    return 0
fops = file_operations(owner = THIS_MODULE, read = rd, write = wr)
def i():
    g.major = register_chrdev(240, "noeof", fops)
    return 0
def e():
    unregister_chrdev(240, "noeof")
module_init(i)
module_exit(e)
`,
	"nodev": `fops = file_operations(owner = THIS_MODULE)
g = static(major = 0)
def i():
    g.major = register_chrdev(0, "mydev", fops)
    return 0
def e():
    unregister_chrdev(g.major, "mydev")
def app():
    fd = open("/dev/otherdev", O_RDWR)
    if fd < 0:
        perror("open")
        return 1
    return 0
user_program("user_app", app)
module_init(i)
module_exit(e)
`,
}

// thaiErrorRuns writes thaiErrorScripts to a temporary folder and returns
// the runs of each, and of the shell's help and error messages.
func thaiErrorRuns(t *testing.T) [][]string {
	dir := t.TempDir()
	var runs [][]string
	var names []string
	for name := range thaiErrorScripts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		f := filepath.Join(dir, name+".star")
		if err := os.WriteFile(f, []byte(thaiErrorScripts[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, []string{"run", f})
	}
	leak := filepath.Join(dir, "leak.star")
	noEOF := filepath.Join(dir, "noeof.star")
	// The grader's feedback on a script error carries its Thai too.
	lesson01 := filepath.Join("..", "..", "lessons", "01_kmalloc.yaml")
	runs = append(runs, []string{"grade", "--in-process", "--lesson", lesson01,
		filepath.Join(dir, "argcount.star"), filepath.Join(dir, "unhash.star"), filepath.Join(dir, "strint.star")})
	return append(runs,
		// cat of a driver whose read() never returns 0, echo to one whose
		// write() returns 0: kscript's notes.
		[]string{"shell", noEOF, "-c", "make >/dev/null; sudo insmod noeof.ko; sudo mknod /dev/noeof c 240 0; sudo chmod 666 /dev/noeof; cat /dev/noeof >/dev/null; echo hi > /dev/noeof"},
		[]string{"shell", leak, "-c", "help"},
		[]string{"shell", leak, "-c", "help " + strings.Join(shell.HelpTopics(), " ")},
		[]string{"shell", leak, "-c", "help nosuch; insmod leak.ko; make >/dev/null; insmod leak.ko; cat /proc/slabinfo; dmesg; mknod /dev/x c 1 0; rmmod leak; ./nosuch; nosuch; cd /nosuch; memmap; buddy; slab kmalloc-8"},
	)
}

// TestThaiCheck shows what the check catches and what it leaves alone.
func TestThaiCheck(t *testing.T) {
	g := loadGlossary(t)
	names := map[string]bool{"hello_init": true, "loads": true, "insmod": true}
	for _, tc := range []struct {
		line string
		want string // the problems, space-separated
	}{
		{"ข้อผิดพลาดที่ hello.star:3:5 in hello_init", "in"},
		{"  double-free: BUG: KASAN: double-free in kfree (hello.star:12 in hello_exit) ไทย", "in"},
		{"รายงานจาก Kernel: BUG kmalloc-64 (Tainted: G    B   OE     ): Object already free (ที่ a.star:3 ในฟังก์ชัน f)", ""},
		{"รายการตรวจที่ซ่อนไว้ (hidden) 2 รายการ", "hidden"},
		{"ERROR: สคริปต์ parse ไม่ผ่าน", "ERROR parse"},
		{"ใช้ได้ใน kernel code เท่านั้น", "kernel code"},
		{"ห้ามหลับใน atomic context", "หลับ"},
		{"คาดว่า: 3 ครั้ง", "คาดว่า"},
		{"เคอร์เนลบันทึกการจอง", "เคอร์เนล"},
		{"ระวัง memory leak", "memory"},
		{"Kernel จอง Page จาก Buddy System ด้วย GFP flag ให้ object ใน slab", ""},
		{"ผ่าน    loads    2/2   โหลด module ได้ด้วย insmod", ""},
		{"[    0.052147] kmalloc: allocated memory at 0000000012345678 ไทย", ""},
		{"$ sudo insmod hello.ko", ""},
		{"ได้จริง: Killed by signal", ""},
		{"GFP_KERNEL คืนค่า ENOMEM เมื่อ kmalloc() ล้มเหลว ใน hello_init", ""},
		{"English line without Thai is not Thai text", ""},
		{"อ่าน MemFree ใน /proc/meminfo", ""},
	} {
		got := strings.Join(g.problems(stripQuoted(tc.line), names), " ")
		if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.line, got, tc.want)
		}
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// glossary is what lessons/GLOSSARY.md says Thai text may and may not use.
type glossary struct {
	keep  []*regexp.Regexp // English terms kept in Thai text, longest first
	avoid []string         // words that one Thai word per concept replaces
}

var (
	glossaryOnce sync.Once
	theGlossary  glossary
	glossaryErr  string
)

func loadGlossary(t *testing.T) glossary {
	glossaryOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join("..", "..", "lessons", "GLOSSARY.md"))
		if err != nil {
			glossaryErr = err.Error()
			return
		}
		keep, avoid := glossaryList(string(b), "terms"), glossaryList(string(b), "avoid")
		if keep == nil || avoid == nil {
			glossaryErr = "GLOSSARY.md: no terms or avoid list"
			return
		}
		sort.Slice(keep, func(a, b int) bool { return len(keep[a]) > len(keep[b]) })
		for _, k := range keep {
			// A kept term is a whole word; an English plural is allowed.
			theGlossary.keep = append(theGlossary.keep, regexp.MustCompile(`(^|[^A-Za-z0-9_])`+regexp.QuoteMeta(k)+`(e?s)?($|[^A-Za-z0-9_])`))
		}
		theGlossary.avoid = avoid
	})
	if glossaryErr != "" {
		t.Fatal(glossaryErr)
	}
	return theGlossary
}

// glossaryList returns the lines between <!-- NAME: begin --> and
// <!-- NAME: end -->; for the avoid list, the word before " → ".
func glossaryList(s, name string) []string {
	i, j := strings.Index(s, "<!-- "+name+": begin -->"), strings.Index(s, "<!-- "+name+": end -->")
	if i < 0 || j < i {
		return nil
	}
	var list []string
	for _, l := range strings.Split(s[i:j], "\n")[1:] {
		l, _, _ = strings.Cut(l, " → ")
		if l = strings.TrimSpace(l); l != "" {
			list = append(list, l)
		}
	}
	return list
}

// codeNames are the identifiers a Thai text may name: every name in the
// lessons' code (comments and strings left out), the lessons' check ids
// and expectation keys, and the kernel API with its C parameter names.
func codeNames(t *testing.T) map[string]bool {
	names := map[string]bool{"true": true, "false": true}
	ident := regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
	code := regexp.MustCompile(`"[^"\n]*"|'[^'\n]*'|#.*`)
	files, _ := filepath.Glob(filepath.Join("..", "..", "lessons", "*.star"))
	more, _ := filepath.Glob(filepath.Join("..", "..", "lessons", "exercises", "*.star"))
	for _, f := range append(files, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ident.FindAllString(code.ReplaceAllString(string(b), " "), -1) {
			names[w] = true
		}
	}
	yamls, _ := filepath.Glob(filepath.Join("..", "..", "lessons", "*.yaml"))
	for _, f := range yamls {
		l, err := lesson.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		if l.Exercise != nil {
			for _, c := range l.Exercise.Checks {
				names[c.ID] = true
			}
		}
	}
	// The shell's commands (runtime/shell), and the names in the scripts
	// of thaiErrorScripts (their modules are named after their files).
	for _, k := range append(shell.HelpTopics(), "sudo") {
		names[k] = true
	}
	for name, src := range thaiErrorScripts {
		names[name] = true
		for _, w := range ident.FindAllString(code.ReplaceAllString(src, " "), -1) {
			names[w] = true
		}
	}
	for _, k := range []string{"dmesg", "dmesg_not", "calls", "proc", "clean", "memory_restored", "exit_code", "stdout", "writes", "reads"} {
		names[k] = true
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "lessons", "GLOSSARY.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range append(glossaryList(string(b), "names"), docTopicNames()...) {
		names[k] = true
	}
	for _, a := range kruntime.APIs() {
		names[a.Name] = true
		for _, w := range ident.FindAllString(a.C, -1) {
			names[w] = true
		}
	}
	return names
}

var (
	// kernelLineRe: a dmesg line, a shell command or a source line shown
	// under an error: kernel output and code, not kscript's Thai.
	kernelLineRe = regexp.MustCompile(`^\s*(\[\s*\d+\.\d+\]|\$ |\d+ \| |\| |> )`)
	// quotedRe: what is quoted or set as code, over line breaks too.
	quotedRe = regexp.MustCompile(`"[^"]*"|` + "`[^`]*`" + `|«[^»]*»|“[^”]*”`)
	// dataRe: the rest of a line that cites kernel output, program
	// output or expected text after a Thai label, and cited kernel text.
	dataRe = []*regexp.Regexp{
		regexp.MustCompile(`(ต้องได้|ได้จริง|รายงานจาก Kernel|Kernel พิมพ์):[^\x{0E00}-\x{0E7F}]*$`),
		regexp.MustCompile(`\b(dmesg|dmesg_not|stdout|proc|exit_code|writes|reads)( \S+)?:[^\x{0E00}-\x{0E7F}]*$`),
		regexp.MustCompile(`\{re: [^}]*\}`),
		regexp.MustCompile(`\(Tainted: [^)]*\)|bad address \([0-9a-f]+\)`),
		regexp.MustCompile(`(BUG|WARNING|Oops|Kernel panic|Trying to|usercopy|Buffer overflow|page allocation failure|unreferenced object|kmemleak:|KASAN:|Killed)[^\x{0E00}-\x{0E7F}(]*`),
		regexp.MustCompile(`\b[A-Za-z_][A-Za-z0-9_]*\(\)`),
		strerrorRe,
		regexp.MustCompile(`\bkscript [a-z]+( [A-Z]+| [a-z0-9_]+)*`),
	}
	// wordRe: a word is what lies between spaces and Thai letters, less
	// the punctuation around it.
	wordRe = regexp.MustCompile(`[^\s\x{0E00}-\x{0E7F}]*[A-Za-z][^\s\x{0E00}-\x{0E7F}]*`)
	thaiRe = regexp.MustCompile(`[\x{0E00}-\x{0E7F}]`)
)

// strerrorRe matches glibc's strerror texts (kernelsim's errno table):
// what insmod, rmmod and perror print, cited in Thai sentences.
var strerrorRe = func() *regexp.Regexp {
	var alts []string
	for _, e := range kernelsim.Errnos() {
		alts = append(alts, regexp.QuoteMeta(e.Error()))
	}
	sort.Slice(alts, func(i, j int) bool { return len(alts[i]) > len(alts[j]) })
	return regexp.MustCompile(strings.Join(alts, "|"))
}()

// stripQuoted blanks what s quotes, keeping its line breaks.
func stripQuoted(s string) string {
	return quotedRe.ReplaceAllStringFunc(s, func(q string) string {
		return strings.Repeat("\n", strings.Count(q, "\n")) + " "
	})
}

// problems returns what a line of Thai text should not say: English words
// the glossary does not keep (lines without Thai, like a command's usage
// or a list of names, are not Thai text), and the Thai words it replaces.
func (g glossary) problems(line string, names map[string]bool) []string {
	if !thaiRe.MatchString(line) || kernelLineRe.MatchString(line) {
		return nil
	}
	var out []string
	for _, a := range g.avoid {
		if strings.Contains(line, a) {
			out = append(out, a)
		}
	}
	for _, re := range dataRe {
		line = re.ReplaceAllString(line, " ")
	}
	for _, k := range g.keep {
		line = k.ReplaceAllString(line, "$1 $3")
	}
	for _, w := range wordRe.FindAllString(line, -1) {
		if w = strings.Trim(w, "()[]{},;:!?'\"“”…"); w != "" && !isCode(w, names) {
			out = append(out, w)
		}
	}
	return out
}

// isCode reports whether a word is code or a name: it has digits or
// punctuation, is all capitals (GFP_KERNEL, ENOMEM), has a capital inside
// (MemFree), or is a name of the lessons' code or the kernel API.
func isCode(w string, names map[string]bool) bool {
	if strings.ContainsAny(w, "0123456789_./:+*#-=<>&|[]()%\\$@'") || strings.ToUpper(w) == w || len(w) == 1 {
		return true
	}
	if strings.ToLower(w[1:]) != w[1:] {
		return true
	}
	return names[w]
}

// docTopicNames lists kscript doc's topics.
func docTopicNames() []string {
	var names []string
	for n := range docTopics.Get() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TestThaiWords fails on a Thai word the glossary replaces anywhere in the
// repository's text: lessons, messages, test fixtures, READMEs, the
// playground. The glossary itself and this test name them on purpose.
func TestThaiWords(t *testing.T) {
	g := loadGlossary(t)
	var thai []string
	for _, w := range g.avoid {
		if thaiRe.MatchString(w) {
			thai = append(thai, w)
		}
	}
	root := filepath.Join("..", "..")
	skip := map[string]bool{
		filepath.Join(root, "lessons", "GLOSSARY.md"):         true,
		filepath.Join(root, "cmd", "kscript", "thai_test.go"): true,
	}
	text := map[string]bool{".go": true, ".yaml": true, ".star": true, ".md": true, ".txtar": true,
		".js": true, ".html": true, ".css": true, ".golden": true, ".txt": true, "": true}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); strings.HasPrefix(name, ".") && p != root || name == "_screenshots" {
				return filepath.SkipDir
			}
			return nil
		}
		if skip[p] || !text[filepath.Ext(p)] {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, w := range thai {
				if strings.Contains(line, w) {
					t.Errorf("%s:%d: %q (the glossary says otherwise): %s", p, i+1, w, strings.TrimSpace(line))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
