package shell

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
)

// Where kbuild lives on Debian 12: /lib/modules/$(uname -r)/build is a
// symlink to the headers package, which make -C enters.
const (
	kbuildLink = "/lib/modules/" + unameRelease + "/build"
	kbuildDir  = "/usr/src/linux-headers-" + unameRelease
)

// cmdMake mirrors `make` in a module folder with the workshop's Makefile
// (obj-m += NAME.o; $(MAKE) -C $(KDIR) M=$(PWD) modules): the recursive make
// line and the quiet kbuild lines of Linux 6.1's scripts/Makefile.modpost and
// Makefile.modfinal. Unlike kbuild nothing is compiled: the scripts were
// checked when they were loaded, and their NAME.ko files are ready.
func cmdMake(sh *Shell, inv *Invocation) int {
	target := "default"
	for _, a := range inv.Args {
		if !strings.HasPrefix(a, "-") && !strings.Contains(a, "=") {
			target = a
		}
	}
	kos := sh.m.ModuleFiles()
	if len(kos) == 0 || sh.cwd != Dir {
		fmt.Fprintln(inv.Stderr, "make: *** No targets specified and no makefile found.  Stop.")
		return 2
	}
	switch target {
	case "default", "all", "modules":
		printKbuild(inv, "modules", func() { buildLines(inv, kos) })
		sh.built(kos)
	case "clean":
		printKbuild(inv, "clean", func() {
			fmt.Fprintf(inv.Stdout, "  CLEAN   %s\n", Dir)
			fmt.Fprintf(inv.Stdout, "  CLEAN   %s/Module.symvers\n", Dir)
		})
		sh.cleaned(kos)
	default:
		fmt.Fprintf(inv.Stderr, "make: *** No rule to make target '%s'.  Stop.\n", target)
		return 2
	}
	return 0
}

// printKbuild prints the recursive make around body, as make echoes the
// Makefile's recipe and GNU make announces the directory it enters.
func printKbuild(inv *Invocation, goal string, body func()) {
	fmt.Fprintf(inv.Stdout, "make -C %s M=%s %s\n", kbuildLink, Dir, goal)
	fmt.Fprintf(inv.Stdout, "make[1]: Entering directory '%s'\n", kbuildDir)
	body()
	fmt.Fprintf(inv.Stdout, "make[1]: Leaving directory '%s'\n", kbuildDir)
}

// buildLines prints kbuild's quiet command lines for each module: compile,
// modpost, the .mod.o, the link, and the BTF step that Debian's headers
// package skips because it ships no vmlinux (that line goes to stderr).
func buildLines(inv *Invocation, kos []string) {
	for _, ko := range kos {
		fmt.Fprintf(inv.Stdout, "  CC [M]  %s/%s.o\n", Dir, strings.TrimSuffix(ko, ".ko"))
	}
	fmt.Fprintf(inv.Stdout, "  MODPOST %s/Module.symvers\n", Dir)
	for _, ko := range kos {
		stem := strings.TrimSuffix(ko, ".ko")
		fmt.Fprintf(inv.Stdout, "  CC [M]  %s/%s.mod.o\n", Dir, stem)
		fmt.Fprintf(inv.Stdout, "  LD [M]  %s/%s.ko\n", Dir, stem)
		fmt.Fprintf(inv.Stdout, "  BTF [M] %s/%s.ko\n", Dir, stem)
		fmt.Fprintf(inv.Stderr, "Skipping BTF generation for %s/%s.ko due to unavailability of vmlinux\n", Dir, stem)
	}
}

// cmdInsmod mirrors kmod's insmod FILE [param=value…].
func cmdInsmod(sh *Shell, inv *Invocation) int {
	args := skipOptions(inv.Args)
	if len(args) == 0 {
		fmt.Fprintln(inv.Stderr, "insmod: ERROR: missing filename.")
		return 1
	}
	file := args[0]
	ko := path.Base(file)
	if !sh.hasModule(sh.abs(file)) || !sh.root && !contains(sh.m.ModuleFiles(), ko) {
		err := &kruntime.InsmodError{File: file, Errno: kernelsim.ENOENT, Load: true}
		fmt.Fprintln(inv.Stderr, err.Error())
		inv.Record(err)
		return 1
	}
	if !sh.root { // finit_module without CAP_SYS_MODULE
		err := &kruntime.InsmodError{File: file, Errno: kernelsim.EPERM}
		fmt.Fprintln(inv.Stderr, err.Error())
		inv.Record(err)
		inv.needSudo()
		return 1
	}
	return machineResult(inv, sh.m.Insmod(ko, args[1:]))
}

// cmdRmmod mirrors kmod's rmmod NAME…: NAME may also be a NAME.ko path.
func cmdRmmod(sh *Shell, inv *Invocation) int {
	args := skipOptions(inv.Args)
	if len(args) == 0 {
		fmt.Fprintln(inv.Stderr, "rmmod: ERROR: missing module name.")
		return 1
	}
	status := 0
	for _, a := range args {
		name := strings.TrimSuffix(path.Base(a), ".ko")
		if !sh.root {
			status = rmmodAsUser(sh, inv, name)
			continue
		}
		if st := machineResult(inv, sh.m.Rmmod(name)); st != 0 {
			status = st
			if inv.fatal != nil {
				break
			}
		}
	}
	return status
}

// skipOptions drops kmod's options (-f, -v, -s…): kscript ignores them.
func skipOptions(args []string) []string {
	var out []string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") || len(out) > 0 {
			out = append(out, a)
		}
	}
	return out
}

// machineResult turns the machine's answer to insmod/rmmod into what the
// terminal shows: kmod's message and status 1, "Killed" and 137 when an Oops
// killed the task, kscript's note and 137 when the task hung for good, or a
// fatal error that stops the scenario.
func machineResult(inv *Invocation, err error) int {
	if err == nil {
		return 0
	}
	inv.Record(err)
	var ie *kruntime.InsmodError
	var re *kruntime.RmmodError
	var ke *kruntime.KilledError
	switch {
	case errors.As(err, &ie), errors.As(err, &re):
		fmt.Fprintln(inv.Stderr, err.Error())
		return 1
	case errors.As(err, &ke) && inv.sh.panicked() != "":
		// The command's task was not killed: the machine stopped.
		inv.sh.NotePanic(inv.Stderr)
		return 0
	case errors.As(err, &ke) && ke.Oops != nil && ke.Oops.Report.Class == "hung-task":
		// The command's task sleeps in D state for good: Linux's command
		// never returns. kscript says so and goes on; the status is
		// kscript's (137, as a task that will not run again), for $?.
		inv.sh.noteHung(inv.Stderr, inv.Name, ke.Oops.Report.Title)
		return 128 + 9
	case errors.As(err, &ke):
		fmt.Fprintln(inv.Stderr, signalMessage(128+9))
		return 128 + 9
	}
	return inv.Fatal(err)
}

// cmdLsmod mirrors kmod's lsmod, which formats /proc/modules.
func cmdLsmod(sh *Shell, inv *Invocation) int {
	if len(inv.Args) > 0 {
		return usageError(inv, "invalid option -- '%s'", strings.TrimLeft(inv.Args[0], "-"))
	}
	if l, ok := provider[lsmoder](sh); ok {
		fmt.Fprint(inv.Stdout, l.Lsmod())
		return 0
	}
	// Without the kernel's own formatter, read /proc/modules as lsmod does.
	text, _ := sh.m.Kernel().ReadProc("/proc/modules")
	fmt.Fprintln(inv.Stdout, "Module                  Size  Used by")
	for _, line := range strings.Split(text, "\n") {
		// name size refcount holders state address [taints]
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		fmt.Fprintf(inv.Stdout, "%-19s %8s  %s", f[0], f[1], f[2])
		if holders := strings.Trim(f[3], "-,"); holders != "" {
			fmt.Fprintf(inv.Stdout, " %s", holders)
		}
		fmt.Fprintln(inv.Stdout)
	}
	return 0
}

// lsmoder formats the module list as kmod's lsmod (kernelsim/module_procfs.go).
type lsmoder interface{ Lsmod() string }

// cmdModinfo mirrors kmod's modinfo FILE.ko.
func cmdModinfo(sh *Shell, inv *Invocation) int {
	args := skipOptions(inv.Args)
	if len(args) == 0 {
		fmt.Fprintln(inv.Stderr, "modinfo: ERROR: missing module or filename.")
		return 1
	}
	status := 0
	for _, a := range args {
		lines, err := []string(nil), error(kernelsim.ENOENT)
		if strings.HasSuffix(a, ".ko") && sh.hasModule(sh.abs(a)) {
			lines, err = sh.m.Modinfo(path.Base(a))
		}
		if err != nil {
			fmt.Fprintf(inv.Stderr, "modinfo: ERROR: Module %s not found.\n", a)
			status = 1
			continue
		}
		for _, l := range lines {
			fmt.Fprintln(inv.Stdout, l)
		}
	}
	return status
}

// cmdGcc stands in for building the workshop's user program
// (gcc user_app.c -o user_app). Unlike gcc nothing compiles: the program is
// the script's user_program(); gcc succeeds when one of that name exists.
func cmdGcc(sh *Shell, inv *Invocation) int {
	out, srcs := "a.out", []string(nil)
	for i := 0; i < len(inv.Args); i++ {
		switch a := inv.Args[i]; {
		case a == "-o" && i+1 < len(inv.Args):
			out = inv.Args[i+1]
			i++
		case strings.HasSuffix(a, ".c"):
			srcs = append(srcs, a)
		}
	}
	if len(srcs) == 0 {
		fmt.Fprintln(inv.Stderr, "gcc: fatal error: no input files\ncompilation terminated.")
		return 1
	}
	progs := sh.m.Programs()
	for _, s := range srcs {
		stem := strings.TrimSuffix(path.Base(s), ".c")
		if !contains(progs, stem) && !contains(progs, path.Base(out)) {
			fmt.Fprintf(inv.Stderr, "gcc: error: %s: No such file or directory\n", s)
			fmt.Fprintln(inv.Stderr, "gcc: fatal error: no input files\ncompilation terminated.")
			return 1
		}
	}
	return 0
}

// rmmodAsUser is kmod's rmmod run without root: check_module_inuse reads
// /sys/module (which anyone may), then delete_module fails with EPERM.
func rmmodAsUser(sh *Shell, inv *Invocation, name string) int {
	if sh.m.Kernel().FindModule(name) == nil {
		fmt.Fprintf(inv.Stderr, "rmmod: ERROR: Module %s is not currently loaded\n", name)
		return 1
	}
	fmt.Fprintf(inv.Stderr, "rmmod: ERROR: could not remove module %s: %s\n", name, kernelsim.EPERM.Error())
	inv.needSudo()
	return 1
}
