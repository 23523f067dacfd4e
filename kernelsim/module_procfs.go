package kernelsim

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"unicode/utf8"
)

// How modules are shown: /proc/modules (kernel/module/procfs.c), lsmod
// (kmod's tools/lsmod.c), the "Modules linked in:" line of reports
// (print_modules) and the symbols of module code (kallsyms, %pS).

// procModules mirrors m_show(): one line per module, newest first:
// "name size refcount users state address [taints]", for root: the address
// printed with %px. See procModulesFor for other readers.
func (k *Kernel) procModules() string { return k.procModulesFor(true) }

// procModulesFor is m_show() for a reader who may (showAddrs) or may not
// see kernel addresses: kallsyms_show_value() is true with kptr_restrict 0
// only for perf_event_paranoid <= 1 (Debian's is 3) or CAP_SYSLOG, so a
// user without sudo reads 0x0000000000000000.
func (k *Kernel) procModulesFor(showAddrs bool) string {
	var b strings.Builder
	for _, m := range k.Modules() {
		fmt.Fprintf(&b, "%s %d", m.Name, m.Size())
		b.WriteString(printUnloadInfo(m))
		base := uint64(0)
		if showAddrs {
			base = uint64(m.Base())
		}
		fmt.Fprintf(&b, " %s 0x%016x", moduleStateName(m.State), base)
		if m.taints != 0 {
			b.WriteString(" " + moduleFlags(m, true))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// printUnloadInfo mirrors print_unload_info(): the reference count, then
// each module using this one followed by a comma, "[permanent]," for a
// module that cannot be unloaded, or "-".
func printUnloadInfo(m *Module) string {
	s := fmt.Sprintf(" %d ", m.refcnt)
	printed := false
	for _, u := range m.users {
		s += u.Name + ","
		printed = true
	}
	if m.Info.HasInit && !m.Info.HasExit {
		s += "[permanent],"
		printed = true
	}
	if !printed {
		s += "-"
	}
	return s
}

func moduleStateName(s ModuleState) string {
	switch s {
	case ModuleGoing:
		return "Unloading"
	case ModuleComing:
		return "Loading"
	}
	return "Live"
}

// moduleFlags mirrors module_flags(): "(OE)" for a tainted module, with '+'
// while it loads and '-' while it unloads when showState is set.
func moduleFlags(m *Module, showState bool) string {
	if m.taints == 0 && !showState {
		return ""
	}
	if m.taints == 0 && m.State != ModuleGoing && m.State != ModuleComing {
		return ""
	}
	s := "(" + m.Taints()
	switch {
	case showState && m.State == ModuleGoing:
		s += "-"
	case showState && m.State == ModuleComing:
		s += "+"
	}
	return s + ")"
}

// printModules mirrors print_modules(): what follows "Modules linked in:"
// in a report, each module with its flags, then the last unloaded one.
func (k *Kernel) printModules() string {
	var b strings.Builder
	for _, m := range k.Modules() {
		b.WriteString(" " + m.Name + moduleFlags(m, true))
	}
	if k.mods.lastUnloaded != "" {
		fmt.Fprintf(&b, " [last unloaded: %s]", k.mods.lastUnloaded)
	}
	return b.String()
}

// Lsmod formats the loaded modules as kmod's lsmod prints them (kmod 30, as
// Debian 12 ships it): a header, then "%-19s %8ld  %d", and the holders
// after a blank, separated by commas; a module without holders ends at its
// count, with no trailing blank. Unlike kmod, which lists the holders in
// sysfs directory order, kscript lists them newest first, as /proc/modules
// does.
func (k *Kernel) Lsmod() string {
	var b strings.Builder
	b.WriteString("Module                  Size  Used by\n")
	var num [24]byte
	for _, m := range k.Modules() {
		// fmt's "%-19s %8d  %d" of name, size and refcount, without fmt
		// (TestLsmodLine).
		b.WriteString(m.Name)
		for n := utf8.RuneCountInString(m.Name); n < 19; n++ {
			b.WriteByte(' ')
		}
		b.WriteByte(' ')
		size := strconv.AppendUint(num[:0], m.Size(), 10)
		for n := len(size); n < 8; n++ {
			b.WriteByte(' ')
		}
		b.Write(size)
		b.WriteString("  ")
		b.Write(strconv.AppendInt(num[:0], int64(m.refcnt), 10))
		sep := byte(' ')
		for _, u := range m.users {
			b.WriteByte(sep)
			sep = ','
			b.WriteString(u.Name)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// symFor returns the kallsyms symbol of a script function, placing it the
// first time the function is seen: the init function at the start of the
// init text (a lone init function's symbol reaches the end of its page,
// hence the familiar "+0x45/0x1000"), every other function after the last
// one in .text, with a size derived from its name. Offsets are synthetic
// but stable for a given script.
func (m *Module) symFor(f Frame) *modSym {
	if s := m.syms[f.Func]; s != nil {
		return s
	}
	s := &modSym{}
	if m.syms == nil {
		m.syms = map[string]*modSym{}
	}
	if f.Func == m.Info.InitFunc && f.Func != "" {
		s.init, s.size = true, PageSize
	} else {
		h := fnv.New32a()
		h.Write([]byte(f.Func))
		s.off, s.size = m.symEnd, 0x60+0x10*uint64(h.Sum32()%20)
		m.symEnd = (s.off + s.size + 15) &^ 15
	}
	m.syms[f.Func] = s
	return s
}

// frameOffset is the offset in its function of the call a frame is at.
func frameOffset(f Frame, size uint64) uint64 {
	return 5 + uint64(f.Line*37+f.Col*11)%(size-0x14)
}

// frameAddr returns the code address a script frame stands for.
func (m *Module) frameAddr(f Frame) Addr {
	s := m.symFor(f)
	if s.init {
		return m.initBase + Addr(frameOffset(f, s.size))
	}
	return m.Base() + Addr(s.off+frameOffset(f, s.size))
}

// symbolize formats a frame as %pS does for module code,
// "hello_init+0x45/0x1000 [hello]"; ok is false when kallsyms would not find
// it: the module is gone, or the frame is in init code already freed.
func (m *Module) symbolize(f Frame) (string, bool) {
	s := m.symFor(f)
	if m.State == ModuleUnformed || s.init && m.init == nil {
		return "", false
	}
	return fmt.Sprintf("%s+%#x/%#x [%s]", f.Func, frameOffset(f, s.size), s.size, m.Name), true
}
