// Package shell is kscript's simulated shell of the workshop's user
// ("student"; sudo runs a command as root, privilege.go): the commands a kernel
// workshop types (make, insmod, rmmod, lsmod, modinfo, dmesg, cat /proc/…,
// free, and pipes to tail, head and grep) run against one simulated machine.
//
// A command line goes through three phases, one file each:
//
//	syntax.go   parse: words, quotes, $VAR, |, &&, ||, ;, newlines, redirections
//	exec.go     expand words with the shell's variables and run pipelines
//	cmd_*.go    the commands, each a func in the table of commands.go
//
// The shell mirrors bash and the Debian 12 tools closely enough that what a
// student learns here holds on a real machine: a missing command prints
// "bash: foo: command not found" and exits 127, grep exits 1 when nothing
// matches, insmod prints kmod's own error messages. Where kscript differs it
// says so ("Unlike bash, …").
//
// Commands that belong to other parts of the simulator (char devices, the
// VFS: mknod, chmod, rm, ls, cat /dev/x) plug in with Shell.Register and
// Shell.Mount; the kernel's own lesson steps (pressure, fragment, tick, irq)
// reach kernelsim through the optional interfaces of steps.go.
package shell
