package shell

import (
	"errors"
	"fmt"
	"io"

	kruntime "kscript.dev/kscript/runtime"
)

// After "Kernel panic - not syncing" the simulated machine is stopped, as a
// real one is (Debian's panic_timeout is 0: no reboot): the terminal shows
// nothing more. kscript says so once, as its own line, where the panic
// happened, and then for every later command, which does not run.

// panicked returns the kernel's panic message, "" while it runs.
func (sh *Shell) panicked() string { return sh.m.Kernel().Panicked() }

// notePanic writes kscript's note about the panic that just happened.
func (sh *Shell) notePanic(w io.Writer) {
	msg := sh.panicked()
	if sh.Lang == "th" {
		fmt.Fprintf(w, "kscript: Kernel panic (Kernel panic - not syncing: %s) เครื่องหยุดทำงานแล้ว จะไม่มีอะไรทำงานอีกจนกว่าจะรีบูต\n", msg)
		return
	}
	fmt.Fprintf(w, "kscript: the kernel panicked (Kernel panic - not syncing: %s): the machine is down; nothing runs until it is rebooted\n", msg)
}

// noteDown writes kscript's note for a command typed after the panic.
func (sh *Shell) noteDown(w io.Writer) {
	if sh.Lang == "th" {
		fmt.Fprintln(w, "kscript: เครื่องหยุดทำงานหลัง kernel panic คำสั่งนี้จึงไม่ได้ทำงาน")
		return
	}
	fmt.Fprintln(w, "kscript: the machine is down after a kernel panic: this command did not run")
}

// panicStop turns the error of a command during which the kernel panicked
// into the note: the task that ran the command was not killed (the panic
// happened in interrupt context), the machine stopped under it. Other
// errors pass through.
func (sh *Shell) panicStop(err error, w io.Writer) error {
	var ke *kruntime.KilledError
	if sh.panicked() == "" || err != nil && !errors.As(err, &ke) {
		return err
	}
	sh.NotePanic(w)
	return nil
}

// NotePanic writes kscript's note about the kernel panic, once: where it
// happened (a command, or the pause before one: the scenario runner's).
func (sh *Shell) NotePanic(w io.Writer) {
	if sh.panicked() != "" && !sh.downNoted {
		sh.downNoted = true
		sh.notePanic(w)
	}
}

// noteHung writes kscript's note for a command whose task blocked for good
// (the hung-task detector's report, title, is in the kernel log): on Linux
// the command never returns, and the terminal with it.
func (sh *Shell) noteHung(w io.Writer, cmd, title string) {
	if sh.Lang == "th" {
		fmt.Fprintf(w, "kscript: %s ไม่มีวันทำงานจบ: task ของคำสั่งนี้ sleep อยู่ในสถานะ D (uninterruptible) และไม่มีอะไรมาปลุก hung-task detector ของ Kernel จึงรายงานไว้เมื่อผ่านไป 120 วินาที (%s ใน dmesg) บน Linux terminal นี้จะค้างอยู่ตรงนี้ ทั้ง Ctrl-C และ kill -9 ก็หยุดคำสั่งนี้ไม่ได้ kscript จึงทำคำสั่งถัดไปต่อ เหมือนพิมพ์ใน terminal อื่น\n", cmd, title)
		return
	}
	fmt.Fprintf(w, "kscript: %s never returns: its task sleeps in state D (uninterruptible) and nothing will wake it; the kernel's hung-task detector reported it after 120 seconds (%s in dmesg). On Linux this terminal hangs here, and neither Ctrl-C nor kill -9 stops it; kscript goes on with the next command as if typed in another terminal.\n", cmd, title)
}
