package lesson

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeGood(t *testing.T) {
	l, err := Load("testdata/good/03_atomic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if l.ID != "03_atomic" || l.ModuleName() != "atomic_kmalloc_test" || l.Title.In("th") != "อะตอม" || l.Explain.In("en") != "Text.\n" {
		t.Errorf("header fields: %+v", l)
	}
	if l.Script != "testdata/good/03_atomic.star" {
		t.Errorf("Script = %q", l.Script)
	}
	st := l.Scenario[2]
	if st.Run != `sudo dmesg | grep "major number"` || st.RunPos != (Pos{12, 10}) || st.Script == nil {
		t.Errorf("mapping step = %+v", st)
	}
	if len(st.Capture) != 2 || st.Capture[0].Name != "MAJOR" || st.Capture[1].Name != "MINOR" ||
		st.Capture[0].Re.FindStringSubmatch("major number 246")[1] != "246" {
		t.Errorf("captures = %+v", st.Capture)
	}
	e := l.Expect
	if !e.Dmesg[2].Match("at 000000007d47522a and 4") || e.Dmesg[2].Match("at x and 4") || e.Dmesg[0].Match("xLoading atomic_kmalloc_test module...") {
		t.Error("placeholder matching")
	}
	if !e.Dmesg[1].Match("[  5.1] GFP_ATOMIC allocation successful! yes") {
		t.Error("re: matches anywhere in the line")
	}
	if !e.Insmod.IsOK() || e.ExitCode["./user_app"] != 1 || *e.Clean != true {
		t.Errorf("insmod/exit_code/clean: %+v", e)
	}
	if e.Bugs[0].Class != "double-free" || e.Bugs[1].Line != 3 || !e.Bugs[1].TitleMatch("BUG: KASAN: use-after-free") {
		t.Errorf("bugs = %+v", e.Bugs)
	}
	if c := e.Calls[1]; !reflect.DeepEqual([]string(c.Fn), []string{"kmalloc", "kzalloc"}) || c.GFPMask() != 0xdc0 {
		t.Errorf("calls[1] = %+v mask %#x", c, c.GFPMask())
	}
	if lo, hi := e.Calls[0].Bounds(); lo != 1 || hi != -1 {
		t.Errorf("default bounds = %d, %d", lo, hi)
	}
	if lo, hi := e.Calls[2].Bounds(); lo != 0 || hi != 2 {
		t.Errorf("max bounds = %d, %d", lo, hi)
	}
	if p := e.Proc[0]; p.Step != 2 || len(p.Has) != 1 || !p.Has[0].Match("kmalloc-64  10 20") {
		t.Errorf("proc[0] = %+v", p)
	}
	x := l.Exercise
	c := x.Checks[1]
	if x.Points != 3 || c.VisibilityOf() != "after_due_date" || x.Checks[0].VisibilityOf() != "visible" ||
		!reflect.DeepEqual([]string(c.Needs), []string{"loads"}) || len(c.Fail) != 2 || len(c.Scenario) != 2 ||
		c.Expect.Insmod.Text != "Cannot allocate memory" {
		t.Errorf("exercise = %+v", x)
	}
	if errs := l.Lint(); len(errs) != 0 {
		t.Errorf("Lint() = %v", errs)
	}
}

// TestDecodeBroken decodes every file of testdata/broken and checks the
// exact first line of its error: file:line:col: message.
func TestDecodeBroken(t *testing.T) {
	want := map[string]string{
		"bad_module.yaml":                 `2:1: module: "hello-world" is not a module name (letters, digits and _)`,
		"bugs_no_class.yaml":              `3:11: bugs: class: missing: name a report class such as double-free`,
		"calls_bad_context.yaml":          `4:8: calls: context: "interrupt": want one of process, softirq, hardirq, atomic`,
		"calls_bad_gfp.yaml":              `4:8: calls: gfp: unknown GFP flag "GFP_KERNAL"`,
		"calls_count_and_min.yaml":        `4:8: calls: give count or min/max, not both`,
		"calls_bad_live_at.yaml":          `5:30: calls: live_at: ./reader: no such step in the scenario; give a step number or a command such as rmmod`,
		"calls_bad_step.yaml":             `5:27: calls: step: ./reader: no such step in the scenario; give a step number or a command such as insmod`,
		"calls_bad_freed_by.yaml":         `4:8: calls: freed_by: "free": want one of __free_page, __free_pages, free_page, free_pages, kfree, kfree_sensitive, kmem_cache_free, krealloc, kvfree, vfree`,
		"calls_has_not_helper.yaml":       `4:8: calls: has: "kmalloc" is not a memory or string helper: has: checks what one of memcpy, memmove, memset, snprintf, sprintf, strcpy, strncpy, strscpy wrote at its destination (for what an allocation's object held when it was freed, use holds:)`,
		"calls_into_not_helper.yaml":      `4:8: calls: into: "kmalloc" is not a memory or string helper: into: checks where one of memcpy, memmove, memset, snprintf, sprintf, strcpy, strncpy, strscpy wrote`,
		"calls_into_bad_name.yaml":        `4:8: calls: into: "name_buf+1": give the name of the module's global that holds the static_buffer (into: name_buf)`,
		"calls_noop_and_freed_by.yaml":    `4:8: calls: noop: true counts calls that did nothing (a free of NULL, a copy of 0 bytes): it cannot also ask for an object, what was written, a size of at least N or a failure`,
		"no_dangling_bad_step.yaml":       `4:16: no_dangling: rmmod: no such step in the scenario; give a step number or a command such as rmmod`,
		"no_dangling_bool.yaml":           `4:16: no_dangling: true: give the step at whose start the module's pointers are looked at, such as rmmod, not a boolean`,
		"reads_text_and_has.yaml":         `4:8: reads: give text: (every byte read) or has: (bytes the reads contain), one of them`,
		"reads_bad_step.yaml":             `5:31: reads: step: 4: no such step in the scenario; give a step number or a command such as ./reader`,
		"capture_bad_name.yaml":           `4:15: capture: "2BAD" is not a shell variable name`,
		"capture_bad_regex.yaml":          "4:15: capture MAJOR: missing closing ): `major number (\\d+`",
		"check_bad_fail.yaml":             `4:7: check enomem: fail: "kmalloc nth 1": want a spec such as kmalloc:nth=1`,
		"check_bad_fail_each.yaml":        `4:7: check enomem: fail_each: true needs one fail: spec TARGET:nth=N, e.g. kmalloc:nth=1`,
		"check_bad_fail_kept.yaml":        `4:7: check enomem: fail_kept: true needs one fail: spec TARGET:nth=N, e.g. kmalloc:nth=50`,
		"check_bad_visibility.yaml":       `4:8: check loads: visibility: "secret": want one of visible, hidden, after_due_date, after_published`,
		"check_duplicate_id.yaml":         `5:8: checks: id "loads" is used twice`,
		"check_negative_points.yaml":      `4:8: check loads: points: -1: want 0 or more`,
		"dmesg_bad_placeholder.yaml":      `4:8: dmesg: unknown placeholder {{address}}: want one of {{addr}}, {{any}}, {{hex}}, {{kptr}}, {{num}}, {{pfn}}, {{word}}`,
		"dmesg_bad_regex.yaml":            "5:8: dmesg: re: missing closing ): `abc(`",
		"duplicate_key.yaml":              `2:1: mapping key "id" already defined at [1:1]`,
		"exit_code_range.yaml":            `3:3: exit_code: "insmod": 300: want a command and a status 0 to 255`,
		"insmod_bad_regex.yaml":           "3:12: insmod: re: missing closing ]: `[abc`",
		"matcher_unknown_key.yaml":        `4:8: unknown field "regex"`,
		"missing_id.yaml":                 `1:1: id: missing: every lesson needs an id such as 01_kmalloc`,
		"proc_bad_file.yaml":              `4:8: proc: file: "/etc/passwd": want a /proc file such as /proc/slabinfo`,
		"proc_bad_step.yaml":              `5:8: proc: step: 3: want a scenario step from 1 to 2`,
		"step_block.yaml":                 `5:22: scenario step: background jobs (&) are not supported`,
		"step_empty.yaml":                 `3:5: scenario step: empty command`,
		"step_quote.yaml":                 "3:11: scenario step: unexpected EOF while looking for matching `''",
		"step_syntax.yaml":                "4:18: scenario step: syntax error near unexpected token `|'",
		"step_unknown_key.yaml":           `4:5: unknown field "captur" (did you mean capture?)`,
		"stdout_checked_placeholder.yaml": `4:8: stdout: {{pfn}} is checked against the module's allocations: only dmesg: lines may use it`,
		"tab_indent.yaml":                 "3:1: found character '\t' that cannot start any token",
		"unknown_key.yaml":                `3:1: unknown field "expct" (did you mean expect?)`,
		"unknown_nested_key.yaml":         `4:3: unknown field "no_leak" (did you mean no_leaks?)`,
		"wrong_type_bool.yaml":            `3:10: clean: got a string, want true or false`,
		"wrong_type_list.yaml":            `2:11: scenario: got a string, want a list`,
		"wrong_type_title.yaml":           `2:8: title: got a string, want a mapping`,
		"yaml_syntax.yaml":                `3:1: ',' or '}' must be specified`,
	}
	files, _ := filepath.Glob("testdata/broken/*.yaml")
	if len(files) != len(want) {
		t.Errorf("%d broken files, %d expected errors", len(files), len(want))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			_, err := Load(f)
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("Load: %T %v, want *Error", err, err)
			}
			if got, w := e.Header(), f+":"+want[name]; got != w {
				t.Errorf("error\n got %s\nwant %s", got, w)
			}
			// The full message shows the source line and a caret.
			lines := strings.Split(e.Error(), "\n")
			if len(lines) != 3 || !strings.Contains(lines[1], "| ") || !strings.HasSuffix(lines[2], "^") {
				t.Errorf("Error() = %q, want a header, the source line and a caret", e.Error())
			}
		})
	}
}

func TestLint(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("01_x.yaml", `id: 01_y
title: {en: X}
explain: {th: "ไทย"}
exercise:
  starter: missing.star
  points: 5
  checks:
    - {id: a, points: 1, title: {en: A, th: ก}, needs: [b]}
    - {id: b, points: 1, title: {en: B, th: ข}, needs: [a, c], hint: {en: only English}}
`)
	l, err := Load(filepath.Join(dir, "01_x.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range l.Lint() {
		got = append(got, strings.TrimPrefix(e.Header(), dir+"/"))
	}
	want := []string{
		`01_x.yaml:1:1: id: "01_y" differs from the file name "01_x"`,
		`01_x.yaml:1:1: module script ` + dir + `/01_x.star: no such file`,
		`01_x.yaml:2:9: title: th: missing: write the Thai text`,
		`01_x.yaml:3:11: explain: en: missing: write the English text`,
		`01_x.yaml:5:3: exercise: starter: ` + dir + `/missing.star: no such file`,
		`01_x.yaml:5:3: exercise: solution: missing`,
		`01_x.yaml:5:3: exercise: points: the checks add up to 2, not 5`,
		`01_x.yaml:8:8: check a: needs: the checks' needs form a cycle`,
		`01_x.yaml:9:8: check b: needs: no check is called "c"`,
		`01_x.yaml:9:71: check b: hint: th: missing: write the Thai text`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Lint()\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

func TestForScriptAndRel(t *testing.T) {
	if got := ForScript("testdata/good/03_atomic.star"); got != "testdata/good/03_atomic.yaml" {
		t.Errorf("ForScript = %q", got)
	}
	if got := ForScript("testdata/good/none.star"); got != "" {
		t.Errorf("ForScript of a lone script = %q", got)
	}
}

// FuzzDecode feeds the decoder arbitrary YAML: it must return a lesson or
// an *Error with a position inside the file, and never panic.
func FuzzDecode(f *testing.F) {
	for _, dir := range []string{"testdata/good", "testdata/broken", "../../lessons"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, file := range files {
			if src, err := os.ReadFile(file); err == nil {
				f.Add(src)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		l, err := Decode("fuzz.yaml", src)
		if err == nil {
			l.Lint()
			return
		}
		errs, ok := err.(ErrorList)
		if e, one := err.(*Error); one {
			errs, ok = ErrorList{e}, true
		}
		if !ok || len(errs) == 0 {
			t.Fatalf("Decode: %T %v, want *Error or an ErrorList of several", err, err)
		}
		for _, e := range errs {
			if e.Pos.Line < 1 || e.Pos.Col < 1 {
				t.Fatalf("Decode: error at %d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
			}
		}
	})
}
