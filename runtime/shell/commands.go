package shell

import (
	"fmt"
	"strconv"
	"strings"
)

// builtinCommands is the shell's table of commands. The char-device helper
// adds mknod, chmod, rm and ls with Shell.Register.
func builtinCommands() map[string]Command {
	return map[string]Command{
		// Building and loading modules (cmd_modules.go).
		"make":    cmdMake,
		"insmod":  cmdInsmod,
		"rmmod":   cmdRmmod,
		"lsmod":   cmdLsmod,
		"modinfo": cmdModinfo,
		"gcc":     cmdGcc,
		// The kernel log (cmd_dmesg.go).
		"dmesg": cmdDmesg,
		// Text filters (cmd_text.go).
		"head": cmdHead,
		"tail": cmdTail,
		"grep": cmdGrep,
		"wc":   cmdWc,
		// Files and memory (cmd_files.go).
		"cat":  cmdCat,
		"tee":  cmdTee,
		"free": cmdFree,
		// The working directory (workdir.go).
		"cd":  cmdCd,
		"pwd": cmdPwd,
		"ls":  cmdLs,
		"rm":  cmdRm,
		// Small shell commands (this file).
		"echo":    cmdEcho,
		"uname":   cmdUname,
		"true":    func(*Shell, *Invocation) int { return 0 },
		"false":   func(*Shell, *Invocation) int { return 1 },
		"exit":    cmdExit,
		"help":    cmdHelp,
		"history": cmdHistory,
		"clear":   cmdClear,
		// kscript's own lesson steps (steps.go).
		"pressure": cmdPressure,
		"fragment": cmdFragment,
		"tick":     cmdTick,
		"sleep":    cmdSleep,
		"irq":      cmdIRQ,
		// kscript's pictures of memory (cmd_pictures.go).
		"memmap": cmdMemmap,
		"buddy":  cmdBuddy,
		"slab":   cmdSlab,
	}
}

// cmdEcho mirrors bash's builtin echo: -n (no newline) and -e (escapes).
func cmdEcho(sh *Shell, inv *Invocation) int {
	args, newline, escapes := inv.Args, true, false
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' && strings.Trim(args[0][1:], "neE") == "" {
		for _, c := range args[0][1:] {
			switch c {
			case 'n':
				newline = false
			case 'e':
				escapes = true
			case 'E':
				escapes = false
			}
		}
		args = args[1:]
	}
	s := strings.Join(args, " ")
	if escapes {
		s = expandEscapes(s)
	}
	if newline {
		s += "\n"
	}
	fmt.Fprint(inv.Stdout, s)
	return 0
}

// expandEscapes interprets echo -e's backslash escapes.
func expandEscapes(s string) string {
	r := strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\\`, `\`, `\0`, "\x00", `\a`, "\a", `\r`, "\r")
	return r.Replace(s)
}

// The simulated machine's uname(2) answers (Debian 12's 6.1 kernel).
const (
	unameSysname  = "Linux"
	unameNodename = "kscript"
	unameRelease  = "6.1.0-28-amd64"
	unameVersion  = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)"
	unameMachine  = "x86_64"
	unameOS       = "GNU/Linux"
)

// cmdUname mirrors coreutils uname: -s -n -r -v -m -o and -a.
func cmdUname(sh *Shell, inv *Invocation) int {
	fields := map[byte]string{'s': unameSysname, 'n': unameNodename, 'r': unameRelease,
		'v': unameVersion, 'm': unameMachine, 'p': "unknown", 'i': "unknown", 'o': unameOS}
	want := map[byte]bool{}
	long := map[string]byte{"--kernel-name": 's', "--nodename": 'n', "--kernel-release": 'r',
		"--kernel-version": 'v', "--machine": 'm', "--operating-system": 'o'}
	for _, a := range inv.Args {
		switch {
		case a == "-a" || a == "--all":
			for _, c := range "snrvmo" {
				want[byte(c)] = true
			}
		case long[a] != 0:
			want[long[a]] = true
		case len(a) > 1 && a[0] == '-' && a[1] != '-':
			for i := 1; i < len(a); i++ {
				if _, ok := fields[a[i]]; !ok {
					return usageError(inv, "invalid option -- '%c'", a[i])
				}
				want[a[i]] = true
			}
		case strings.HasPrefix(a, "--"):
			return usageError(inv, "unrecognized option '%s'", a)
		default:
			return usageError(inv, "extra operand '%s'", a)
		}
	}
	if len(want) == 0 {
		want['s'] = true
	}
	var out []string
	for _, c := range "snrvmpio" {
		if want[byte(c)] {
			out = append(out, fields[byte(c)])
		}
	}
	fmt.Fprintln(inv.Stdout, strings.Join(out, " "))
	return 0
}

// usageError prints a coreutils-style option error and its hint.
func usageError(inv *Invocation, format string, args ...any) int {
	inv.Errorf(format, args...)
	fmt.Fprintf(inv.Stderr, "Try '%s --help' for more information.\n", inv.Name)
	return 1
}

// cmdExit mirrors bash's exit [N]: the shell stops after this command.
func cmdExit(sh *Shell, inv *Invocation) int {
	status := sh.status
	if len(inv.Args) > 0 {
		n, err := strconv.Atoi(inv.Args[0])
		if err != nil {
			fmt.Fprintf(inv.Stderr, "bash: exit: %s: numeric argument required\n", inv.Args[0])
			n = 2
		}
		status = n & 0xff
	}
	sh.exited, sh.exit = true, status
	return status
}
