package shell

import (
	"fmt"
	"strings"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/lazy"
)

// The file commands that touch the simulated VFS — mknod, chmod, rm, ls and
// cat or echo on a device node — are run by kernelsim itself (its
// shell_cmds.go and shell_io.go), as processes with real system calls, so a
// driver's open/read/write/release handlers run exactly as they would under
// coreutils. This file adapts their results to the shell.

// installDevCommands registers the VFS commands and mounts /dev.
func installDevCommands(sh *Shell) {
	k := func() *kernelsim.Kernel { return sh.m.Kernel() }
	for name, run := range map[string]func([]string) kernelsim.CmdResult{
		"mknod": func(a []string) kernelsim.CmdResult { return k().CmdMknod(a) },
		"chmod": func(a []string) kernelsim.CmdResult { return k().CmdChmod(a) },
	} {
		sh.Register(name, func(sh *Shell, inv *Invocation) int {
			if st, refused := devAsUser(sh, inv); refused {
				return st
			}
			return emitResult(inv, run(inv.Args), nil)
		})
	}
	plainCat, _ := sh.Command("cat")
	sh.Register("cat", func(sh *Shell, inv *Invocation) int { return cmdCatDev(sh, inv, plainCat) })
	sh.Mount("/dev/", devFS{sh})
}

// cmdCatDev runs cat on device nodes through kernelsim (a real process that
// reads until end of file) and leaves every other file to the plain cat.
func cmdCatDev(sh *Shell, inv *Invocation, plain Command) int {
	devs := 0
	for _, a := range inv.Args {
		if _, ok := sh.fsFor(sh.abs(a)).(devFS); ok {
			devs++
		}
	}
	if devs == 0 || devs != len(inv.Args) {
		return plain(sh, inv)
	}
	paths := make([]string, len(inv.Args))
	for i, a := range inv.Args {
		paths[i] = sh.abs(a)
	}
	r, err := sh.m.Kernel().CmdCat(paths, sh.uid())
	return emitResult(inv, r, err)
}

// emitResult prints a kernelsim command's output, kscript's note when it had
// to step in, and bash's message when the process died of a signal.
func emitResult(inv *Invocation, r kernelsim.CmdResult, err error) int {
	if err != nil {
		return inv.Fatal(err)
	}
	status := inv.Emit(r.Stdout, r.Stderr, r.Status)
	if r.Note != "" {
		fmt.Fprintf(inv.Stderr, "kscript: %s\n", noteText(r, inv.sh.Lang))
	}
	if r.Signal != 0 {
		fmt.Fprintln(inv.Stderr, kernelsim.SignalName(r.Signal))
	}
	return status
}

// noteTH holds the Thai text of kernelsim's notes, by NoteID.
var noteTH = lazy.NewMap(noteTHTable)

func noteTHTable() map[string]string {
	return map[string]string{
		"cat-no-eof":       "kscript หยุด cat ให้แล้ว: read() ของ driver ไม่เคยคืนค่า 0 (จุดจบไฟล์) cat จึงจะอ่านไปเรื่อยๆ ไม่มีวันจบ ฟังก์ชัน read ต้องเคารพ *offset และคืนค่า 0 เมื่อข้อมูลหมด",
		"echo-no-progress": "kscript หยุด echo ให้แล้ว: write() ของ driver คืนค่า 0 ตลอด echo จึงจะพยายามเขียนซ้ำไม่มีวันจบ ฟังก์ชัน write ต้องคืนค่าจำนวนไบต์ที่รับไป",
	}
}

// noteText is the note's text in lang, led by "note: " ("หมายเหตุ: " in
// Thai), without kernelsim's own "kscript: " (the shell prints "kscript: "
// before it).
func noteText(r kernelsim.CmdResult, lang string) string {
	if lang == "th" {
		if t, ok := noteTH.Get()[r.NoteID]; ok {
			return "หมายเหตุ: " + t
		}
	}
	return "note: " + strings.TrimPrefix(r.Note, "kscript: ")
}

// devFS serves redirections to and reads of device nodes: `echo hi >
// /dev/x` runs a write(2) through the driver, as bash's echo does.
type devFS struct{ sh *Shell }

func (d devFS) ReadFile(path string) ([]byte, error) {
	r, err := d.sh.m.Kernel().CmdCat([]string{path}, d.sh.uid())
	if err != nil {
		return nil, err
	}
	if r.Status != 0 {
		return nil, devError{r, d.sh.Lang}
	}
	return []byte(r.Stdout), nil
}

func (d devFS) WriteFile(path string, data []byte, appendMode bool) error {
	r, err := d.sh.m.Kernel().CmdEcho(path, string(data), appendMode, d.sh.uid())
	if err != nil {
		return err
	}
	if r.Status != 0 || r.Stderr != "" {
		return devError{r, d.sh.Lang}
	}
	return nil
}

// uid is who the running command (or, for a redirection, the shell) is:
// root under sudo or in a root shell, else the student. open(2) on a node
// checks its mode and owner against it.
func (sh *Shell) uid() int {
	if sh.root {
		return kernelsim.RootUID
	}
	return kernelsim.UserUID
}

// devError carries a kernelsim command's own message, and kscript's note
// when it had to step in, to the shell.
type devError struct {
	r    kernelsim.CmdResult
	lang string
}

func (e devError) Error() string { return strings.TrimSpace(e.r.Stderr) }

// ShellMessage is bash's whole message for the failed redirection.
func (e devError) ShellMessage() string {
	msg := e.r.Stderr
	if e.r.Note != "" {
		msg += "kscript: " + noteText(e.r, e.lang) + "\n"
	}
	if e.r.Signal != 0 {
		msg += kernelsim.SignalName(e.r.Signal) + "\n"
	}
	return msg
}

// devAsUser is mknod or chmod on root's /dev without root: mknod fails in
// may_create (EACCES: /dev is root's, mode 0755), chmod of root's node in
// setattr_prepare (EPERM).
// Usage errors are left to the command itself (refused false).
func devAsUser(sh *Shell, inv *Invocation) (status int, refused bool) {
	if sh.root {
		return 0, false
	}
	var files []string
	for _, a := range inv.Args {
		if !strings.HasPrefix(a, "-") {
			files = append(files, a)
		}
	}
	switch {
	case inv.Name == "mknod" && len(files) > 0:
		fmt.Fprintf(inv.Stderr, "mknod: %s: %s\n", files[0], kernelsim.EACCES.Error())
	case inv.Name == "chmod" && len(files) > 1:
		for _, f := range files[1:] {
			fmt.Fprintf(inv.Stderr, "chmod: changing permissions of '%s': %s\n", f, kernelsim.EPERM.Error())
		}
	default:
		return 0, false
	}
	inv.needSudo()
	return 1, true
}
