package kernelsim

import (
	"errors"
	"fmt"
	"strings"
)

// cat FILE and echo TEXT > FILE for the simulated shell. Both run as real
// simulated processes of the shell's user (the student, or root under
// sudo), so their system calls reach the driver exactly as a user
// program's do: open(2) checks the node's mode and owner (a node made by
// `sudo mknod` is root's, 0644: the student may read it but not write it
// until `sudo chmod 666`), cat's read() is the driver's read with cat's
// 128 KiB buffer, echo's write() is the driver's write from bash's memory,
// and a driver bug shows up with Comm: cat or Comm: bash in the report.

// Limits of the simulated cat.
const (
	// CatBufSize is coreutils cat's buffer (IO_BUFSIZE, 128 KiB): the count
	// each read() asks for.
	CatBufSize = 128 << 10
	// CatMaxReads and CatMaxBytes bound a cat of a device that never
	// reports end of file. A real cat would run until interrupted; kscript
	// stops it and says why.
	CatMaxReads = 256
	CatMaxBytes = 1 << 20
	// echoMaxWrites bounds bash's retries of a write() that makes no
	// progress (a driver returning 0).
	echoMaxWrites = 256
)

// CmdCat runs cat PATH... as a process of uid: open, read into its 128 KiB
// buffer until read() returns 0, write what it read to stdout, close. A
// device whose read never returns 0 is stopped after CatMaxReads reads or
// CatMaxBytes bytes, with a Note. Errors print as cat prints them ("cat:
// /dev/x: No such device or address", status 1). When a kernel Oops kills
// cat, Signal is SIGSEGV and Status 139. The error is non-nil only for a
// driver failure kernelsim cannot interpret (a script error).
func (k *Kernel) CmdCat(paths []string, uid int) (CmdResult, error) {
	var out strings.Builder
	p, err := k.NewProcess("cat", uid, append([]string{"cat"}, paths...), &out, nil)
	if err != nil {
		return CmdResult{}, err
	}
	var r CmdResult
	buf := p.Malloc(CatBufSize)
	for _, path := range paths {
		if err := k.catOne(p, path, buf, &r); err != nil {
			return k.endCmd(p, &out, r, err)
		}
	}
	r.Stdout = out.String()
	return r, p.Exit(r.Status)
}

// catOne is cat's simple_cat for one file.
func (k *Kernel) catOne(p *Process, path string, buf Addr, r *CmdResult) error {
	fd, err := p.Open(path, O_RDONLY, 0)
	if err != nil {
		return err
	}
	if fd < 0 {
		r.Stderr += fmt.Sprintf("cat: %s: %s\n", path, Errno(-fd).Error())
		r.Status = 1
		return nil
	}
	var reads, total int64
	for {
		n, err := p.Read(fd, buf, CatBufSize)
		if err != nil {
			return err
		}
		if n < 0 {
			r.Stderr += fmt.Sprintf("cat: %s: %s\n", path, Errno(-n).Error())
			r.Status = 1
			break
		}
		if n == 0 {
			break
		}
		if err := fullWrite(p, 1, buf, n); err != nil {
			return err
		}
		reads, total = reads+1, total+n
		if reads >= CatMaxReads || total >= CatMaxBytes {
			r.NoteID = "cat-no-eof"
			r.Note = fmt.Sprintf("kscript: cat stopped after %d reads (%d bytes): read() on %s never returned 0 (end of file). "+
				"A real cat would print forever: the driver's read must return 0 once there is nothing more to read — "+
				"honour count and *offset, advance *offset, and return 0 when *offset reaches the end.", reads, total, path)
			break
		}
	}
	_, err = p.Close(fd)
	return err
}

// fullWrite mirrors gnulib's full_write: write() until all n bytes are out
// (a terminal may take them in pieces) or an error.
func fullWrite(p *Process, fd int64, buf Addr, n int64) error {
	for n > 0 {
		w, err := p.Write(fd, buf, uint64(n))
		if err != nil || w <= 0 {
			return err
		}
		buf, n = buf+Addr(w), n-w
	}
	return nil
}

// endCmd finishes a command whose process hit err: a killed process becomes
// its status, anything else is passed up after the process is ended.
func (k *Kernel) endCmd(p *Process, out *strings.Builder, r CmdResult, err error) (CmdResult, error) {
	r.Stdout = out.String()
	var killed *ProcessKilled
	if errors.As(err, &killed) {
		r.Signal, r.Status = killed.Signal, 128+killed.Signal
		return r, nil
	}
	if !p.exited {
		_ = p.Kill(SIGKILL)
	}
	return r, err
}

// shellProcess is uid's bash, which runs the shell's builtins and
// redirections: created on first use, and again after a kernel Oops killed
// it. root's (sudo's) and the student's are two processes.
func (k *Kernel) shellProcess(uid int) (*Process, error) {
	slot := &k.procs.userShell
	if uid == RootUID {
		slot = &k.procs.shell
	}
	if sh := *slot; sh != nil && !sh.exited && sh.Task.UID == uid {
		return sh, nil
	}
	sh, err := k.NewProcess("bash", uid, []string{"-bash"}, nil, nil)
	*slot = sh
	return sh, err
}

// CmdEcho runs echo's output redirection in uid's bash process:
// open path for writing (O_CREAT, and O_TRUNC or O_APPEND), write data
// (the echoed text with its newline) from bash's memory in as many write()
// calls as the driver needs, close. Errors print as bash prints them
// ("bash: /dev/x: Permission denied", "bash: echo: write error: Bad
// address"; status 1). An Oops in the driver kills bash (Signal SIGSEGV):
// unlike Linux, the simulated shell carries on with a new bash.
func (k *Kernel) CmdEcho(path string, data string, appendMode bool, uid int) (CmdResult, error) {
	sh, err := k.shellProcess(uid)
	if err != nil {
		return CmdResult{}, err
	}
	var out strings.Builder
	flags := O_WRONLY | O_CREAT | O_TRUNC
	if appendMode {
		flags = O_WRONLY | O_CREAT | O_APPEND
	}
	fd, err := sh.Open(path, flags, 0o666)
	if err != nil {
		return k.endCmd(sh, &out, CmdResult{}, err)
	}
	if fd < 0 {
		return CmdResult{Stderr: fmt.Sprintf("bash: %s: %s\n", path, Errno(-fd).Error()), Status: 1}, nil
	}
	r, err := k.echoWrite(sh, fd, data)
	if err == nil {
		_, err = sh.Close(fd)
	}
	if err != nil {
		return k.endCmd(sh, &out, r, err)
	}
	return r, nil
}

// echoWrite is stdio's flush of echo's line: write() until all is written.
func (k *Kernel) echoWrite(sh *Process, fd int64, data string) (CmdResult, error) {
	var r CmdResult
	buf := sh.Malloc(uint64(len(data)) + 1)
	defer func() { _ = sh.Free(buf) }()
	if err := sh.WriteUser(buf, []byte(data)); err != nil {
		return r, err
	}
	for done, tries := 0, 0; done < len(data); tries++ {
		if tries == echoMaxWrites {
			r.NoteID = "echo-no-progress"
			r.Note = fmt.Sprintf("kscript: bash gave up after %d write() calls that wrote nothing: the driver's write returned 0. "+
				"A write handler must return how many bytes it accepted (count when it took them all), or a negative errno.", tries)
			r.Status = 1
			break
		}
		n, err := sh.Write(fd, buf+Addr(done), uint64(len(data)-done))
		if err != nil {
			return r, err
		}
		if n < 0 {
			r.Stderr, r.Status = fmt.Sprintf("bash: echo: write error: %s\n", Errno(-n).Error()), 1
			break
		}
		done += int(min(n, int64(len(data)-done)))
	}
	return r, nil
}
