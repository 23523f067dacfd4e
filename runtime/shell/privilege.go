package shell

import (
	"fmt"
	"strings"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/i18n"
)

// What the workshop's user may do without sudo, as on Debian 12.
//
// The shell's user is "student", not root. The kernel refuses the rest:
// finit_module and delete_module need CAP_SYS_MODULE (EPERM, so insmod and
// rmmod fail), reading the kernel log needs CAP_SYSLOG because Debian sets
// kernel.dmesg_restrict=1, debugfs (/sys/kernel/debug) is mode 0700, and
// /proc/slabinfo, /proc/vmallocinfo and /proc/pagetypeinfo are 0400. /dev
// is root's: mknod and rm there are refused (EACCES from may_create and
// may_delete), chmod of root's node too (EPERM). A student who forgets
// sudo gets the tool's own message and kscript's hint, in English or Thai.

// rootOnlyRead reports whether reading path needs root.
func rootOnlyRead(path string) bool {
	switch path {
	case "/proc/slabinfo", "/proc/vmallocinfo", "/proc/pagetypeinfo":
		return true
	}
	return strings.HasPrefix(path, "/sys/kernel/debug/")
}

// rootOnlyWrite reports whether writing path needs root: every file of
// /proc and /sys is root's.
func rootOnlyWrite(path string) bool {
	return strings.HasPrefix(path, "/proc/") || strings.HasPrefix(path, "/sys/")
}

// privilegeMessages are kscript's hints, English then Thai.
var privilegeMessages = i18n.Lazy(privilegeMessagesTable)

func privilegeMessagesTable() i18n.Catalog {
	return i18n.Catalog{
		"need-sudo": {
			"kscript: hint: %s needs root, and this shell is the student's (as on Debian): type `sudo %s`",
			"kscript: คำแนะนำ: %s ต้องใช้สิทธิ์ root แต่เชลล์นี้เป็นของผู้ใช้ student (เหมือนบน Debian) ให้พิมพ์ `sudo %s`",
		},
	}
}

// needSudo prints kscript's hint after a command failed for want of root.
func (inv *Invocation) needSudo() {
	line := strings.TrimSpace(inv.Name + " " + strings.Join(inv.Args, " "))
	fmt.Fprintln(inv.Stderr, privilegeMessages.T("need-sudo", inv.Name, line).In(inv.sh.Lang))
}

// permissionDenied reports whether path may not be opened by the running
// command: for reading (write false) or writing.
func (sh *Shell) permissionDenied(path string, write bool) error {
	if sh.root {
		return nil
	}
	if write && rootOnlyWrite(path) || !write && rootOnlyRead(path) {
		return kernelsim.EACCES
	}
	return nil
}
