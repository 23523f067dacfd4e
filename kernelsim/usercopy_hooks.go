package kernelsim

import "strconv"

// might_fault() for the user-copy functions, on top of the contexts
// helper's MightFault (might_sleep.go).

// mightFault mirrors might_fault() (mm/memory.c __might_fault) as the copy
// routine fn calls it at file:line: in atomic context it is the "BUG:
// sleeping function called from invalid context at lib/usercopy.c:13"
// report, with fn's frame under __might_fault's. An empty file means the
// caller's own line (get_user, put_user and clear_user are expanded in
// the driver). The report is not fatal: the error is always nil today and
// is kept so that a fatal checker can be plugged in.
func (k *Kernel) mightFault(file string, line int, fn string) error {
	site := ""
	if file != "" {
		site = file + ":" + strconv.Itoa(line)
	}
	frames := []string{"__might_fault+0x2e/0x70"}
	if fn != "" {
		frames = append(frames, fn)
	}
	k.MightFault(site, frames...)
	return nil
}
