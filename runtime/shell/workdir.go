package shell

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/lazy"
)

// The working directory is the workshop's module folder (Dir): the lesson's
// sources, the Makefile of the workshop, and what `make` builds there. A
// student who types `ls` after `make` sees hello_kmalloc.ko beside the
// source, as on the Debian machine of the workshop.

// AddSource puts a module script into the working directory under its file
// name (01_kmalloc.star), and the workshop's Makefile for the modules the
// machine can build. Once a source is added the shell tracks what `make`
// built: insmod of a NAME.ko that `make` has not built fails as on Linux
// ("insmod: ERROR: could not load module NAME.ko: No such file or
// directory"). A shell without sources (a lesson scenario) treats every
// module as built.
func (sh *Shell) AddSource(name string, src []byte) {
	sh.files[path.Join(Dir, path.Base(name))] = append([]byte(nil), src...)
	sh.files[path.Join(Dir, "Makefile")] = []byte(makefile(sh.m.ModuleFiles()))
	sh.tracksBuild = true
}

// makefile is the workshop's Makefile for the given NAME.ko files.
func makefile(kos []string) string {
	var b strings.Builder
	for _, ko := range kos {
		fmt.Fprintf(&b, "obj-m += %s.o\n", strings.TrimSuffix(ko, ".ko"))
	}
	b.WriteString(`
# Kernel source directory
KDIR := /lib/modules/$(shell uname -r)/build

# Current directory
PWD := $(shell pwd)

# Default command to build the module
default:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

# Command to clean up compiled files
clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean
`)
	return b.String()
}

// kbuildOutputs are the files kbuild 6.1 leaves in M= for one module, beside
// Module.symvers and modules.order.
var kbuildOutputs = []string{".ko", ".mod", ".mod.c", ".mod.o", ".o"}

// built records what `make modules` leaves in the folder.
func (sh *Shell) built(kos []string) {
	for _, ko := range kos {
		stem := path.Join(Dir, strings.TrimSuffix(ko, ".ko"))
		for _, ext := range kbuildOutputs {
			sh.files[stem+ext] = []byte(kbuildStub(ext))
		}
	}
	sh.files[path.Join(Dir, "Module.symvers")] = nil
	order := ""
	for _, ko := range kos {
		order += path.Join(Dir, strings.TrimSuffix(ko, ".ko")) + ".o\n"
	}
	sh.files[path.Join(Dir, "modules.order")] = []byte(order)
}

// cleaned removes what `make clean` removes.
func (sh *Shell) cleaned(kos []string) {
	for _, ko := range kos {
		stem := path.Join(Dir, strings.TrimSuffix(ko, ".ko"))
		for _, ext := range kbuildOutputs {
			delete(sh.files, stem+ext)
		}
	}
	delete(sh.files, path.Join(Dir, "Module.symvers"))
	delete(sh.files, path.Join(Dir, "modules.order"))
}

// kbuildStub is what reading a build product shows. Unlike kbuild, nothing
// is compiled: an object file holds only an ELF magic, so that cat shows
// binary as it would.
func kbuildStub(ext string) string {
	switch ext {
	case ".mod":
		return ""
	case ".mod.c":
		return "#include <linux/module.h>\n#include <linux/vermagic.h>\n#include <linux/compiler.h>\n\nMODULE_INFO(vermagic, VERMAGIC_STRING);\n"
	}
	return "\x7fELF\x02\x01\x01"
}

// hasModule reports whether insmod finds the NAME.ko file at p.
func (sh *Shell) hasModule(p string) bool {
	if path.Dir(p) != Dir {
		return false
	}
	if !sh.tracksBuild {
		return true
	}
	_, ok := sh.files[p]
	return ok
}

// Cwd is the shell's working directory.
func (sh *Shell) Cwd() string { return sh.cwd }

// abs resolves p against the working directory, as the kernel resolves a
// relative path against the process's cwd; ~ is the home directory.
func (sh *Shell) abs(p string) string {
	switch {
	case p == "~" || strings.HasPrefix(p, "~/"):
		return path.Join(sh.home(), p[1:])
	case strings.HasPrefix(p, "/"):
		return path.Clean(p)
	}
	return path.Join(sh.cwd, p)
}

// home is $HOME of the shell's user.
func (sh *Shell) home() string {
	if sh.user() == "root" {
		return "/root"
	}
	return "/home/" + sh.user()
}

func (sh *Shell) user() string {
	if sh.User == "" {
		return "root"
	}
	return sh.User
}

// Prompt is bash's prompt on Debian (PS1='\u@\h:\w\$ '): user, host, the
// working directory with $HOME as ~, and # for root.
func (sh *Shell) Prompt() string {
	w := sh.cwd
	if h := sh.home(); w == h || strings.HasPrefix(w, h+"/") {
		w = "~" + w[len(h):]
	}
	sign := "$"
	if sh.user() == "root" {
		sign = "#"
	}
	return fmt.Sprintf("%s@%s:%s%s ", sh.user(), unameNodename, w, sign)
}

// dirEntry is one name in a directory listing.
type dirEntry struct {
	name string
	dir  bool
	exec bool
	size int
}

// fixedDirs are the directories of the simulated machine and what they
// hold besides files. Unlike a real file system there is no mkdir.
var fixedDirs = lazy.NewMap(fixedDirsTable)

func fixedDirsTable() map[string][]string {
	return map[string][]string{
		"/":             {"dev", "home", "proc", "root", "sys", "tmp"},
		"/home":         {"student"},
		"/home/student": {"kernel-memory"},
		Dir:             nil,
		"/tmp":          nil,
		"/root":         nil,
		"/dev":          nil,
		"/proc":         nil,
		"/sys":          {"kernel"},
		"/sys/kernel":   {"debug"},
	}
}

// readDir lists directory p: the fixed tree, the files written there, the
// /proc files the kernel generates, the device nodes of /dev, and in the
// module folder the user programs the scripts register.
func (sh *Shell) readDir(p string) ([]dirEntry, bool) {
	sub, ok := fixedDirs.Get()[p]
	if !ok && p != "/sys/kernel/debug" {
		return nil, false
	}
	seen := map[string]dirEntry{}
	for _, d := range sub {
		seen[d] = dirEntry{name: d, dir: true}
	}
	for f, data := range sh.files {
		if path.Dir(f) == p {
			seen[path.Base(f)] = dirEntry{name: path.Base(f), size: len(data)}
		}
	}
	switch p {
	case "/proc", "/sys/kernel/debug":
		for _, f := range sh.m.Kernel().ProcFiles() {
			if path.Dir(f) == p {
				seen[path.Base(f)] = dirEntry{name: path.Base(f)}
			}
		}
	case "/dev":
		for _, name := range sh.devNodes() {
			seen[name] = dirEntry{name: name}
		}
	case Dir:
		for _, prog := range sh.m.Programs() {
			seen[prog] = dirEntry{name: prog, exec: true}
		}
	}
	out := make([]dirEntry, 0, len(seen))
	for _, e := range seen {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, true
}

// devNodes lists the names in the kernel's /dev, as its ls prints them.
func (sh *Shell) devNodes() []string {
	r := sh.m.Kernel().CmdLs([]string{"/dev"})
	return strings.Fields(r.Stdout)
}

// isDir reports whether p is a directory of the simulated machine.
func (sh *Shell) isDir(p string) bool {
	_, ok := sh.readDir(p)
	return ok
}

// exists reports whether p names a file or directory.
func (sh *Shell) exists(p string) bool {
	if sh.isDir(p) {
		return true
	}
	if _, ok := sh.files[p]; ok {
		return true
	}
	entries, _ := sh.readDir(path.Dir(p))
	for _, e := range entries {
		if e.name == path.Base(p) {
			return true
		}
	}
	return false
}

// cmdCd mirrors bash's builtin cd [DIR] (no DIR: $HOME; -: $OLDPWD).
func cmdCd(sh *Shell, inv *Invocation) int {
	if len(inv.Args) > 1 {
		fmt.Fprintln(inv.Stderr, "bash: cd: too many arguments")
		return 1
	}
	target := sh.home()
	if len(inv.Args) == 1 {
		target = inv.Args[0]
	}
	if target == "-" {
		target = sh.oldCwd
		if target == "" {
			fmt.Fprintln(inv.Stderr, "bash: cd: OLDPWD not set")
			return 1
		}
		fmt.Fprintln(inv.Stdout, target)
	}
	p := sh.abs(target)
	switch {
	case sh.isDir(p):
	case sh.exists(p):
		fmt.Fprintf(inv.Stderr, "bash: cd: %s: Not a directory\n", target)
		return 1
	default:
		fmt.Fprintf(inv.Stderr, "bash: cd: %s: No such file or directory\n", target)
		return 1
	}
	sh.oldCwd, sh.cwd = sh.cwd, p
	sh.vars["OLDPWD"], sh.vars["PWD"] = sh.oldCwd, sh.cwd
	return 0
}

// cmdPwd mirrors bash's builtin pwd.
func cmdPwd(sh *Shell, inv *Invocation) int {
	fmt.Fprintln(inv.Stdout, sh.cwd)
	return 0
}

// cmdLs mirrors coreutils ls for the shell's directories and files: one
// name a line, as ls writes to a pipe (unlike ls on a terminal, no
// columns), -l with modes and sizes, -a with . and ... Device nodes and /dev
// are listed by the kernel's VFS (kernelsim's ls), which knows their modes
// and numbers.
func cmdLs(sh *Shell, inv *Invocation) int {
	var opts, paths []string
	long, all := false, false
	for _, a := range inv.Args {
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			opts = append(opts, a)
			long = long || strings.Contains(a, "l")
			all = all || strings.Contains(a, "a")
			continue
		}
		paths = append(paths, a)
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	// As GNU ls: operands that are not directories first, sorted, as one
	// listing; then each directory, sorted, after a blank line and, when
	// there are several operands, its name. A missing operand is an error
	// on stderr (exit status 2), the others are listed all the same.
	status := 0
	var files, dirs []string
	for _, p := range paths {
		abs := sh.abs(p)
		switch {
		case abs == "/dev" || sh.isDir(abs):
			dirs = append(dirs, p)
		case strings.HasPrefix(abs, "/dev/") || sh.exists(abs):
			files = append(files, p) // the kernel's ls reports a missing node itself
		default:
			fmt.Fprintf(inv.Stderr, "ls: cannot access '%s': No such file or directory\n", p)
			status = 2
		}
	}
	sort.Strings(files)
	sort.Strings(dirs)
	for _, p := range files {
		if st := sh.lsOne(inv, p, opts, long, all); st > status {
			status = st
		}
	}
	for i, p := range dirs {
		if i > 0 || len(files) > 0 {
			fmt.Fprintln(inv.Stdout)
		}
		if len(paths) > 1 {
			fmt.Fprintf(inv.Stdout, "%s:\n", p)
		}
		if st := sh.lsOne(inv, p, opts, long, all); st > status {
			status = st
		}
	}
	return status
}

func (sh *Shell) lsOne(inv *Invocation, arg string, opts []string, long, all bool) int {
	p := sh.abs(arg)
	if p == "/dev" || strings.HasPrefix(p, "/dev/") {
		return emitResult(inv, sh.m.Kernel().CmdLs(append(append([]string(nil), opts...), p)), nil)
	}
	entries, isDir := sh.readDir(p)
	if !isDir {
		if !sh.exists(p) {
			fmt.Fprintf(inv.Stderr, "ls: cannot access '%s': No such file or directory\n", arg)
			return 2
		}
		entries = []dirEntry{{name: arg, size: len(sh.files[p])}}
	} else if all {
		entries = append([]dirEntry{{name: ".", dir: true}, {name: "..", dir: true}}, entries...)
	}
	if long && isDir {
		fmt.Fprintf(inv.Stdout, "total %d\n", 4*len(entries))
	}
	for _, e := range entries {
		if long {
			fmt.Fprintln(inv.Stdout, sh.lsLong(p, e))
		} else {
			fmt.Fprintln(inv.Stdout, e.name)
		}
	}
	return 0
}

// lsLong is one line of ls -l. Files belong to the student in the home
// folder, to root elsewhere; /proc files are read-only and have size 0.
func (sh *Shell) lsLong(dir string, e dirEntry) string {
	mode, size := "-rw-r--r--", e.size
	switch {
	case e.dir:
		mode, size = "drwxr-xr-x", 4096
	case e.exec:
		mode, size = "-rwxr-xr-x", 16000
	case strings.HasPrefix(dir, "/proc"), strings.HasPrefix(dir, "/sys"):
		mode, size = "-r--r--r--", 0
	}
	owner := "root"
	if strings.HasPrefix(dir, "/home/student") {
		owner = kernelsim.UserName
	}
	date := sh.m.Kernel().WallTime().Format("Jan _2 15:04")
	return fmt.Sprintf("%s 1 %-7s %-7s %5d %s %s", mode, owner, owner, size, date, e.name)
}

// cmdRm removes the shell's own files (a build product, a file written with
// >) and leaves device nodes to the kernel's VFS.
func cmdRm(sh *Shell, inv *Invocation) int {
	force, status := false, 0
	var opts, devs []string
	for _, a := range inv.Args {
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			force = force || strings.Contains(a, "f")
			opts = append(opts, a)
			continue
		}
		p := sh.abs(a)
		if strings.HasPrefix(p, "/dev/") && !sh.root { // may_delete: /dev is root's
			fmt.Fprintf(inv.Stderr, "rm: cannot remove '%s': %s\n", a, kernelsim.EACCES.Error())
			inv.needSudo()
			status = 1
			continue
		}
		if strings.HasPrefix(p, "/dev/") {
			devs = append(devs, p)
			continue
		}
		switch _, ok := sh.files[p]; {
		case ok:
			delete(sh.files, p)
		case sh.isDir(p):
			fmt.Fprintf(inv.Stderr, "rm: cannot remove '%s': Is a directory\n", a)
			status = 1
		case !force:
			fmt.Fprintf(inv.Stderr, "rm: cannot remove '%s': No such file or directory\n", a)
			status = 1
		}
	}
	if len(devs) > 0 {
		if st := emitResult(inv, sh.m.Kernel().CmdRm(append(opts, devs...)), nil); st != 0 {
			status = st
		}
	}
	return status
}
