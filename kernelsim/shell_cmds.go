package kernelsim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The workshop's file commands, for the simulated shell: mknod, chmod, rm
// and ls -l behave as GNU coreutils 9.1 on Debian 12 (messages, exit
// statuses, modes), run by root (the shell is a root shell). cat and
// echo > file are in shell_io.go: they run as processes whose system calls
// reach the drivers.

// CmdResult is what a command printed and its exit status.
type CmdResult struct {
	Stdout string
	Stderr string
	Status int
	// Note is kscript's own explanation when it had to step in (a cat
	// stopped on a device that never reports end of file), in English;
	// NoteID names it for translation ("cat-no-eof", "echo-no-progress").
	Note   string
	NoteID string
	// Signal is the signal that killed the command's process (SIGSEGV after
	// a kernel Oops), 0 otherwise; the shell prints SignalName(Signal).
	Signal int
}

func usageErr(cmd, msg string) CmdResult {
	return CmdResult{Stderr: fmt.Sprintf("%s: %s\nTry '%s --help' for more information.\n", cmd, msg, cmd), Status: 1}
}

// umask is the shell's umask (Debian's default 022).
const umask = 0o022

// CmdMknod runs mknod ARGS (coreutils): [-m MODE] NAME TYPE [MAJOR MINOR],
// TYPE c (char) or b (block). The node's mode is 0666 less the umask unless
// -m gives one.
func (k *Kernel) CmdMknod(args []string) CmdResult {
	mode, hasMode := uint32(0o666), false
	var ops []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-m" && i+1 < len(args):
			m, ok := ParseMode(args[i+1], 0, true)
			if !ok {
				return CmdResult{Stderr: fmt.Sprintf("mknod: invalid mode '%s'\n", args[i+1]), Status: 1}
			}
			mode, hasMode = m, true
			i++
		case strings.HasPrefix(a, "--mode="):
			m, ok := ParseMode(strings.TrimPrefix(a, "--mode="), 0, true)
			if !ok {
				return CmdResult{Stderr: fmt.Sprintf("mknod: invalid mode '%s'\n", strings.TrimPrefix(a, "--mode=")), Status: 1}
			}
			mode, hasMode = m, true
		default:
			ops = append(ops, a)
		}
	}
	return k.mknodOperands(ops, mode, hasMode)
}

func (k *Kernel) mknodOperands(ops []string, mode uint32, hasMode bool) CmdResult {
	expected := 4
	if len(ops) >= 2 && ops[1] == "p" {
		expected = 2
	}
	if len(ops) < expected {
		if len(ops) == 0 {
			return usageErr("mknod", "missing operand")
		}
		r := usageErr("mknod", fmt.Sprintf("missing operand after '%s'", ops[len(ops)-1]))
		if expected == 4 && len(ops) == 2 {
			r.Stderr = strings.Replace(r.Stderr, "\nTry", "\nSpecial files require major and minor device numbers.\nTry", 1)
		}
		return r
	}
	if len(ops) > expected {
		return usageErr("mknod", fmt.Sprintf("extra operand '%s'", ops[expected]))
	}
	var typ uint32
	switch ops[1] {
	case "c", "u":
		typ = S_IFCHR
	case "b":
		typ = S_IFBLK
	case "p":
		return CmdResult{Stderr: fmt.Sprintf("mknod: %s: Operation not supported\n", ops[0]), Status: 1}
	default:
		return usageErr("mknod", fmt.Sprintf("invalid device type '%s'", ops[1]))
	}
	major, err1 := strconv.ParseUint(ops[2], 0, 32)
	if err1 != nil {
		return CmdResult{Stderr: fmt.Sprintf("mknod: invalid major device number '%s'\n", ops[2]), Status: 1}
	}
	minor, err2 := strconv.ParseUint(ops[3], 0, 32)
	if err2 != nil {
		return CmdResult{Stderr: fmt.Sprintf("mknod: invalid minor device number '%s'\n", ops[3]), Status: 1}
	}
	// glibc's makedev squeezed into the kernel's 32-bit new_encode_dev:
	// majors above 4095 lose their high bits.
	dev := MKDEV(uint32(major)&0xfff, uint32(minor)&MinorMask)
	if e := k.Mknod(ops[0], typ|mode, dev, RootUID); e != 0 {
		return CmdResult{Stderr: fmt.Sprintf("mknod: %s: %s\n", ops[0], e.Error()), Status: 1}
	}
	if hasMode { // mknod -m: the mode is set exactly (lchmod), past the umask
		k.Chmod(ops[0], mode, RootUID)
	}
	return CmdResult{}
}

// CmdChmod runs chmod MODE FILE... (octal or symbolic modes).
func (k *Kernel) CmdChmod(args []string) CmdResult {
	var ops []string
	for _, a := range args {
		if a != "-v" && a != "-f" {
			ops = append(ops, a)
		}
	}
	switch len(ops) {
	case 0:
		return usageErr("chmod", "missing operand")
	case 1:
		return usageErr("chmod", fmt.Sprintf("missing operand after '%s'", ops[0]))
	}
	var r CmdResult
	for _, p := range ops[1:] {
		st, e := k.Stat(p)
		if e != 0 {
			r.Stderr += fmt.Sprintf("chmod: cannot access '%s': %s\n", p, e.Error())
			r.Status = 1
			continue
		}
		mode, ok := ParseMode(ops[0], st.Mode&S_IALLUGO, false)
		if !ok {
			return CmdResult{Stderr: fmt.Sprintf("chmod: invalid mode: '%s'\nTry 'chmod --help' for more information.\n", ops[0]), Status: 1}
		}
		if e := k.Chmod(p, mode, RootUID); e != 0 {
			r.Stderr += fmt.Sprintf("chmod: changing permissions of '%s': %s\n", p, e.Error())
			r.Status = 1
		}
	}
	return r
}

// ParseMode parses a chmod mode against the current permission bits old:
// octal ("666", "0644") or symbolic ("a+rw", "u=rw,go=r", "+x"). Without a
// who ([ugoa]), + and = leave out the umask's bits, as chmod does. fresh is
// true for mknod -m / mkdir -m, where the base is 0.
func ParseMode(s string, old uint32, fresh bool) (uint32, bool) {
	if s == "" {
		return 0, false
	}
	if s[0] >= '0' && s[0] <= '7' {
		v, err := strconv.ParseUint(s, 8, 32)
		if err != nil || v > 0o7777 {
			return 0, false
		}
		return uint32(v), true
	}
	mode := old
	if fresh {
		mode = 0
	}
	for _, clause := range strings.Split(s, ",") {
		var ok bool
		if mode, ok = applyClause(clause, mode); !ok {
			return 0, false
		}
	}
	return mode, true
}

// applyClause applies one symbolic clause [ugoa]*([-+=][rwxXst]*)+.
func applyClause(c string, mode uint32) (uint32, bool) {
	var who uint32
	i := 0
	for ; i < len(c) && strings.IndexByte("ugoa", c[i]) >= 0; i++ {
		who |= map[byte]uint32{'u': 0o4700, 'g': 0o2070, 'o': 0o1007, 'a': 0o7777}[c[i]]
	}
	mask := uint32(0o7777)
	if who == 0 {
		who, mask = 0o7777, ^uint32(umask)
	}
	if i == len(c) {
		return 0, false
	}
	for i < len(c) {
		op := c[i]
		if op != '+' && op != '-' && op != '=' {
			return 0, false
		}
		i++
		var bits uint32
		for ; i < len(c) && strings.IndexByte("rwxXst", c[i]) >= 0; i++ {
			bits |= map[byte]uint32{'r': 0o444, 'w': 0o222, 'x': 0o111, 'X': 0o111, 's': 0o6000, 't': 0o1000}[c[i]]
		}
		bits &= who & mask
		switch op {
		case '+':
			mode |= bits
		case '-':
			mode &^= bits
		case '=':
			mode = mode&^who | bits
		}
	}
	return mode, true
}

// CmdRm runs rm [-f] FILE... (no directories).
func (k *Kernel) CmdRm(args []string) CmdResult {
	force := false
	var ops []string
	for _, a := range args {
		switch {
		case a == "-f":
			force = true
		case a == "-r" || a == "-rf" || a == "-fr" || a == "-R":
			force = force || strings.Contains(a, "f")
		default:
			ops = append(ops, a)
		}
	}
	if len(ops) == 0 {
		if force {
			return CmdResult{}
		}
		return usageErr("rm", "missing operand")
	}
	var r CmdResult
	for _, p := range ops {
		e := k.Unlink(p, RootUID)
		if e == 0 || (e == ENOENT && force) {
			continue
		}
		r.Stderr += fmt.Sprintf("rm: cannot remove '%s': %s\n", p, e.Error())
		r.Status = 1
	}
	return r
}

// bootWallClock is the simulated wall-clock time at boot: file times in
// ls -l are this plus the simulated clock.
const bootWallClock = 1732615200 // 2024-11-26 10:00:00 UTC

// WallTime is the simulated wall-clock time now (UTC): boot time plus the
// simulated uptime, for the file times the shell shows.
func (k *Kernel) WallTime() time.Time {
	return time.Unix(bootWallClock+int64(k.Now()/1e9), 0).UTC()
}

// CmdLs runs ls [-l] [-a] [PATH...] as GNU ls in the C locale: names
// sorted bytewise, long lines with columns aligned across the listing,
// device nodes with "major, minor" in place of the size, times as "Nov 26
// 10:00". A missing path is exit status 2.
func (k *Kernel) CmdLs(args []string) CmdResult {
	long := false
	var paths []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			long = long || strings.Contains(a, "l")
			continue
		}
		paths = append(paths, a)
	}
	if len(paths) == 0 {
		paths = []string{userCwd}
	}
	var r CmdResult
	var files, dirs []string
	for _, p := range paths {
		st, e := k.Stat(absPath(p))
		switch {
		case e != 0:
			r.Stderr += fmt.Sprintf("ls: cannot access '%s': %s\n", p, e.Error())
			r.Status = 2
		case st.IsDir():
			dirs = append(dirs, p)
		default:
			files = append(files, p)
		}
	}
	var out strings.Builder
	k.lsEntries(&out, files, files, long)
	for i, d := range dirs {
		if len(paths) > 1 {
			if i > 0 || len(files) > 0 {
				out.WriteString("\n")
			}
			fmt.Fprintf(&out, "%s:\n", d)
		}
		entries := k.readDir(absPath(d))
		names := make([]string, len(entries))
		for j, e := range entries {
			names[j] = e[strings.LastIndexByte(e, '/')+1:]
		}
		if long {
			out.WriteString("total 0\n")
		}
		k.lsEntries(&out, entries, names, long)
	}
	r.Stdout = out.String()
	return r
}

func absPath(p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	return userCwd + "/" + p
}

// lsEntries prints paths (shown as names), one per line, long or short.
func (k *Kernel) lsEntries(out *strings.Builder, paths, names []string, long bool) {
	if !long {
		for _, n := range names {
			out.WriteString(n + "\n")
		}
		return
	}
	rows := make([]lsRow, len(paths))
	var w lsWidths
	for i, p := range paths {
		st, _ := k.Stat(absPath(p))
		rows[i] = k.lsRow(st, names[i])
		w.fit(rows[i])
	}
	for _, row := range rows {
		out.WriteString(row.format(w) + "\n")
	}
}

type lsRow struct {
	mode, nlink, owner, group, size, major, minor, date, name string
	dev                                                       bool
}

type lsWidths struct{ nlink, owner, group, size, major, minor int }

func (w *lsWidths) fit(r lsRow) {
	w.nlink = max(w.nlink, len(r.nlink))
	w.owner = max(w.owner, len(r.owner))
	w.group = max(w.group, len(r.group))
	if r.dev {
		w.major = max(w.major, len(r.major))
		w.minor = max(w.minor, len(r.minor))
		w.size = max(w.size, w.major+2+w.minor)
	} else {
		w.size = max(w.size, len(r.size))
	}
}

// format mirrors print_long_format (coreutils ls.c).
func (r lsRow) format(w lsWidths) string {
	size := fmt.Sprintf("%*s", w.size, r.size)
	if r.dev {
		blanks := w.size - (w.major + 2 + w.minor)
		size = fmt.Sprintf("%*s, %*s", blanks+w.major, r.major, w.minor, r.minor)
	}
	return fmt.Sprintf("%s %*s %-*s %-*s %s %s %s", r.mode, w.nlink, r.nlink, w.owner, r.owner, w.group, r.group, size, r.date, r.name)
}

func (k *Kernel) lsRow(st Inode, name string) lsRow {
	r := lsRow{mode: modeString(st.Mode), nlink: strconv.Itoa(st.Nlink), owner: idName(userNames.Get(), st.UID),
		group: idName(groupNames.Get(), st.GID), size: strconv.FormatInt(st.Size, 10), name: name}
	if t := st.Mode & S_IFMT; t == S_IFCHR || t == S_IFBLK {
		r.dev, r.major, r.minor = true, strconv.Itoa(int(MAJOR(st.Rdev))), strconv.Itoa(int(MINOR(st.Rdev)))
	}
	r.date = time.Unix(bootWallClock+int64(st.Mtime/1e9), 0).UTC().Format("Jan _2 15:04")
	return r
}

func idName(names map[int]string, id int) string {
	if n, ok := names[id]; ok {
		return n
	}
	return strconv.Itoa(id)
}

// modeString mirrors filemodestring (gnulib): "crw-rw-rw-".
func modeString(m uint32) string {
	b := []byte("?rwxrwxrwx")
	switch m & S_IFMT {
	case S_IFREG:
		b[0] = '-'
	case S_IFDIR:
		b[0] = 'd'
	case S_IFCHR:
		b[0] = 'c'
	case S_IFBLK:
		b[0] = 'b'
	}
	for i := 0; i < 9; i++ {
		if m&(1<<(8-i)) == 0 {
			b[i+1] = '-'
		}
	}
	special := func(pos int, bit uint32, set, unset byte) {
		if m&bit != 0 {
			if b[pos] == 'x' {
				b[pos] = set
			} else {
				b[pos] = unset
			}
		}
	}
	special(3, S_ISUID, 's', 'S')
	special(6, S_ISGID, 's', 'S')
	special(9, S_ISVTX, 't', 'T')
	return string(b)
}
