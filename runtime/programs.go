package runtime

import (
	"fmt"
	"sort"

	"kscript.dev/kscript/kernelsim"
)

// User programs live apart from the module, as user_app.c lives apart from
// uaccess_test.c:
//
//   - A programs file (LoadPrograms: a lesson's harness, NN_name.programs.star)
//     declares user programs only. Its programs replace any a module script
//     declares under the same name, so the programs a lesson's checks run
//     are the lesson's, whatever a submission declares.
//   - Every run of a user program starts from a fresh image of the file that
//     declares it: its top level run again (as the probe runs it, without
//     touching the kernel), so that the program's globals are its own, as a
//     process's .data is. A user program declared inside a module script
//     therefore never shares a value with the loaded module: not its
//     static() records, not its lists, not its static_buffers.
//   - The module's globals refuse user code outright: reading or assigning a
//     field of a static() record, or touching a static_buffer, from a user
//     program is a script error that says why (module globals are reachable
//     only through system calls, as in C). Kernel code, in turn, runs in the
//     loaded module's own globals and cannot see a user program's.
//
//	LoadScript ──▶ probe (declarations)        insmod ──▶ the module's globals
//	LoadPrograms ─▶ probe (programs only)      ./prog ──▶ a fresh image of the
//	                                                      declaring file

// LoadPrograms compiles a programs file (a lesson's harness) and registers
// the user programs it declares. Its top level may declare user programs,
// constants and functions, not module declarations. A program it declares
// replaces a module script's program of the same name; two programs files
// may not declare the same name. Errors are *ScriptError with file:line:col.
func (m *Machine) LoadPrograms(path string, src []byte) (err error) {
	defer m.guard(&err)
	s, err := m.compile(path, src, "")
	if err != nil {
		if se, ok := err.(*ScriptError); ok {
			se.Msg = m.suggest(se.Msg)
		}
		return err
	}
	s.programsOnly = true
	s.probe = &instance{s: s}
	if err := m.runTopLevel(s.probe, whereProbe); err != nil {
		return err
	}
	for _, p := range s.probe.programs {
		if other := m.harnessProgram(p.name); other != nil {
			return &ScriptError{Pos: path, Msg: fmt.Sprintf("user_program: program %s is also declared by %s", p.name, other.path)}
		}
	}
	m.harness = append(m.harness, s)
	return nil
}

// harnessProgram returns the programs file that declares name, or nil.
func (m *Machine) harnessProgram(name string) *script {
	for _, s := range m.harness {
		if _, ok := s.probe.program(name); ok {
			return s
		}
	}
	return nil
}

// ShadowedPrograms lists, sorted, the user programs that module scripts
// declare and that a programs file replaces: the names the shell runs from
// the lesson's harness instead.
func (m *Machine) ShadowedPrograms() []string {
	var names []string
	for _, ko := range m.ModuleFiles() {
		for _, p := range m.scripts[ko].probe.programs {
			if m.harnessProgram(p.name) != nil {
				names = append(names, p.name)
			}
		}
	}
	sort.Strings(names)
	return dedup(names)
}

func dedup(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// findProgram returns the file that declares user program name: a programs
// file first, then the loaded modules' scripts, then the other scripts.
func (m *Machine) findProgram(name string) (*script, bool) {
	if s := m.harnessProgram(name); s != nil {
		return s, true
	}
	for _, modName := range m.Loaded() {
		if s := m.loaded[modName].s; hasProgram(s, name) {
			return s, true
		}
	}
	for _, ko := range m.ModuleFiles() {
		if s := m.scripts[ko]; hasProgram(s, name) {
			return s, true
		}
	}
	return nil, false
}

func hasProgram(s *script, name string) bool {
	_, ok := s.probe.program(name)
	return ok
}

// image runs a fresh copy of s's top level for one run of a user program:
// the program's own globals, shared with no module and no other process.
func (m *Machine) image(s *script) (*instance, error) {
	inst := &instance{s: s, image: true}
	// The image's handles (a spinlock() at file scope) are never seen by
	// kernel code: numbering them apart keeps the kernel's numbers as if
	// no program had run.
	handles := m.env.handles
	defer func() { m.env.handles = handles }()
	if err := m.runTopLevel(inst, whereProbe); err != nil {
		return nil, err
	}
	return inst, nil
}

// moduleGlobal refuses user code access to a module global (field name of
// a static() record): C gives a user program no way to name a module's
// variables; it reaches the module through system calls.
func (e *env) moduleGlobal(name string) error {
	if e == nil || e.where != whereUser {
		return nil
	}
	return fmt.Errorf("%s", e.m.say(
		fmt.Sprintf("static .%s: a global of the kernel module, out of a user program's reach: as in C, user space reaches a module only through system calls (open, read, write, ioctl on its device)", name),
		fmt.Sprintf("static .%s: เป็นตัวแปร global ของ kernel module โปรแกรมฝั่ง user เข้าถึงไม่ได้ เหมือนในภาษา C ฝั่ง user ติดต่อ module ได้ผ่าน system call เท่านั้น (open, read, write, ioctl กับ device ของ module)", name)))
}

// moduleMemory is the error of a user program touching a module's static
// memory (a static_buffer it named), which C would not let it name at all.
func (e *env) moduleMemory(a kernelsim.Addr) error {
	return fmt.Errorf("%s", e.m.say(
		fmt.Sprintf("address 0x%016x is the kernel module's memory (a static_buffer), out of a user program's reach: as in C, user space reaches a module only through system calls (open, read, write, ioctl on its device)", uint64(a)),
		fmt.Sprintf("ที่อยู่ 0x%016x เป็นหน่วยความจำของ kernel module (static_buffer) โปรแกรมฝั่ง user เข้าถึงไม่ได้ เหมือนในภาษา C ฝั่ง user ติดต่อ module ได้ผ่าน system call เท่านั้น (open, read, write, ioctl กับ device ของ module)", uint64(a))))
}

// say picks kscript's own message in the machine's language.
func (m *Machine) say(en, th string) string {
	if m.opts.Lang == "th" {
		return th
	}
	return en
}
