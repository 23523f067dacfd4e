package kernelsim

import (
	"strings"
	"testing"
)

// TestCatNeverEndingRead: the workshop's read returns BUF_LEN forever; a
// real cat would never stop, kscript's stops and says why.
func TestCatNeverEndingRead(t *testing.T) {
	k := devBoot(t)
	d := newSeedDriver(t, k)
	d.mknod(t, false) // root's cat needs no chmod
	r, err := k.CmdCat([]string{"/dev/uaccess_dev"}, RootUID)
	if err != nil {
		t.Fatal(err)
	}
	if d.reads != CatMaxReads || len(r.Stdout) != CatMaxReads*seedBufLen || r.Status != 0 {
		t.Errorf("reads %d, %d bytes, status %d", d.reads, len(r.Stdout), r.Status)
	}
	if !strings.HasPrefix(r.Stdout, "Initial kernel message.\n\x00") {
		t.Errorf("output starts %q", r.Stdout[:40])
	}
	if r.NoteID != "cat-no-eof" || !strings.Contains(r.Note, "cat stopped after 256 reads (8192 bytes): read() on /dev/uaccess_dev never returned 0") {
		t.Errorf("note %q (%s)", r.Note, r.NoteID)
	}
	if d.opens != 1 || d.releases != 1 || d.mod.Refcount() != 0 {
		t.Errorf("opens %d releases %d refcount %d", d.opens, d.releases, d.mod.Refcount())
	}
}

func TestCatAndEcho(t *testing.T) {
	k := devBoot(t)
	// A driver that honours count and *offset: cat ends.
	msg := "Data from kernel\n"
	var written string
	fops := &FileOperations{
		Read: func(_ *File, buf Addr, n uint64, pos *int64) (int64, error) {
			if *pos >= int64(len(msg)) {
				return 0, nil
			}
			chunk := []byte(msg[*pos:min(int64(len(msg)), *pos+int64(n))])
			if left, _ := k.bytesToUser(buf, chunk); left != 0 {
				return -int64(EFAULT), nil
			}
			*pos += int64(len(chunk))
			return int64(len(chunk)), nil
		},
		Write: func(_ *File, buf Addr, n uint64, _ *int64) (int64, error) {
			data, _, _ := k.bytesFromUser(buf, min(n, 5)) // takes 5 bytes at a time
			written += string(data)
			return int64(len(data)), nil
		},
	}
	k.RegisterChrdev(300, "good", fops)
	k.CmdMknod([]string{"/dev/good", "c", "300", "0"})
	k.CmdMknod([]string{"/dev/nodrv", "c", "301", "0"})
	cases := []struct {
		name   string
		run    func() (CmdResult, error)
		stdout string
		stderr string
		status int
	}{
		{"cat ends at 0", func() (CmdResult, error) { return k.CmdCat([]string{"/dev/good"}, RootUID) }, msg, "", 0},
		{"cat no driver", func() (CmdResult, error) { return k.CmdCat([]string{"/dev/nodrv"}, RootUID) },
			"", "cat: /dev/nodrv: No such device or address\n", 1},
		{"cat missing", func() (CmdResult, error) { return k.CmdCat([]string{"/dev/nope", "/dev/good"}, RootUID) },
			msg, "cat: /dev/nope: No such file or directory\n", 1},
		{"cat /dev/null", func() (CmdResult, error) { return k.CmdCat([]string{"/dev/null"}, RootUID) }, "", "", 0},
		{"echo in pieces", func() (CmdResult, error) { return k.CmdEcho("/dev/good", "hello world\n", false, RootUID) }, "", "", 0},
		{"echo no driver", func() (CmdResult, error) { return k.CmdEcho("/dev/nodrv", "x\n", false, RootUID) },
			"", "bash: /dev/nodrv: No such device or address\n", 1},
		{"echo /dev/full", func() (CmdResult, error) { return k.CmdEcho("/dev/full", "x\n", false, RootUID) },
			"", "bash: echo: write error: No space left on device\n", 1},
		{"echo creates a regular file", func() (CmdResult, error) { return k.CmdEcho("/dev/typo", "oops\n", false, RootUID) }, "", "", 0},
		{"echo >> appends", func() (CmdResult, error) { return k.CmdEcho("/dev/typo", "again\n", true, RootUID) }, "", "", 0},
		{"cat the regular file", func() (CmdResult, error) { return k.CmdCat([]string{"/dev/typo"}, RootUID) }, "oops\nagain\n", "", 0},
	}
	for _, c := range cases {
		r, err := c.run()
		if err != nil || r.Stdout != c.stdout || r.Stderr != c.stderr || r.Status != c.status {
			t.Errorf("%s: got (%q, %q, %d, %v), want (%q, %q, %d)", c.name, r.Stdout, r.Stderr, r.Status, err, c.stdout, c.stderr, c.status)
		}
	}
	if written != "hello world\n" {
		t.Errorf("driver got %q", written)
	}
	if ls := k.CmdLs([]string{"-l", "/dev/typo"}).Stdout; ls != "-rw-r--r-- 1 root root 11 Nov 26 10:00 /dev/typo\n" {
		t.Errorf("ls -l = %q", ls)
	}
	// The forgotten mknod: the regular file is in the way.
	if r := k.CmdMknod([]string{"/dev/typo", "c", "300", "0"}); r.Stderr != "mknod: /dev/typo: File exists\n" {
		t.Errorf("mknod over the file: %q", r.Stderr)
	}
}

func TestCatZeroStopsAtByteLimit(t *testing.T) {
	k := devBoot(t)
	r, err := k.CmdCat([]string{"/dev/zero"}, RootUID)
	if err != nil || len(r.Stdout) != CatMaxBytes || r.NoteID != "cat-no-eof" {
		t.Errorf("cat /dev/zero: %d bytes, note %q, %v", len(r.Stdout), r.NoteID, err)
	}
}

// TestEchoOopsKillsBash: an Oops in the driver's write kills the shell's
// bash (Comm: bash); the next echo gets a new one.
func TestEchoOopsKillsBash(t *testing.T) {
	k := devBoot(t)
	d := newSeedDriver(t, k)
	d.mknod(t, false)
	d.fops.Write = func(*File, Addr, uint64, *int64) (int64, error) { return 0, k.WriteMem(8, []byte{1}) }
	seq := k.NextSeq()
	r, err := k.CmdEcho("/dev/uaccess_dev", "hi\n", false, RootUID)
	if err != nil || r.Signal != SIGSEGV || r.Status != 139 {
		t.Fatalf("echo: %+v, %v", r, err)
	}
	if log := devLog(k, seq); !strings.Contains(log, "Comm: bash") || !strings.Contains(log, "Device successfully closed") {
		t.Errorf("log:\n%s", log)
	}
	old := k.procs.shell.PID()
	d.fops.Write = writeNull
	if r, err := k.CmdEcho("/dev/uaccess_dev", "hi\n", false, RootUID); err != nil || r.Status != 0 || k.procs.shell.PID() == old {
		t.Errorf("second echo: %+v, %v (bash pid %d, was %d)", r, err, k.procs.shell.PID(), old)
	}
}

// TestShellNodePermissions: a node made by root's mknod is root's, 0644, as
// mknod(1) with Debian's umask 022 makes it. The student's cat may read it;
// the student's echo > node fails in open(2) with EACCES, as bash says, and
// reaches no driver, until root's chmod 666. Root writes it all along.
func TestShellNodePermissions(t *testing.T) {
	k := devBoot(t)
	var writes []string
	fops := &FileOperations{
		Read: func(*File, Addr, uint64, *int64) (int64, error) { return 0, nil },
		Write: func(_ *File, buf Addr, n uint64, _ *int64) (int64, error) {
			data, _, _ := k.bytesFromUser(buf, n)
			writes = append(writes, string(data))
			return int64(len(data)), nil
		},
	}
	k.RegisterChrdev(300, "perm", fops)
	if r := k.CmdMknod([]string{"/dev/perm", "c", "300", "0"}); r.Status != 0 {
		t.Fatalf("mknod: %+v", r)
	}
	if ls := k.CmdLs([]string{"-l", "/dev/perm"}).Stdout; !strings.HasPrefix(ls, "crw-r--r-- 1 root root 300, 0 ") {
		t.Errorf("ls -l = %q", ls)
	}
	cases := []struct {
		name   string
		run    func() (CmdResult, error)
		stderr string
		status int
	}{
		{"student reads 0644", func() (CmdResult, error) { return k.CmdCat([]string{"/dev/perm"}, UserUID) }, "", 0},
		{"student writes 0644", func() (CmdResult, error) { return k.CmdEcho("/dev/perm", "a\n", false, UserUID) },
			"bash: /dev/perm: Permission denied\n", 1},
		{"root writes 0644", func() (CmdResult, error) { return k.CmdEcho("/dev/perm", "b\n", false, RootUID) }, "", 0},
		{"chmod 666", func() (CmdResult, error) { return k.CmdChmod([]string{"666", "/dev/perm"}), nil }, "", 0},
		{"student writes 0666", func() (CmdResult, error) { return k.CmdEcho("/dev/perm", "c\n", false, UserUID) }, "", 0},
		{"chmod 600", func() (CmdResult, error) { return k.CmdChmod([]string{"600", "/dev/perm"}), nil }, "", 0},
		{"student reads 0600", func() (CmdResult, error) { return k.CmdCat([]string{"/dev/perm"}, UserUID) },
			"cat: /dev/perm: Permission denied\n", 1},
	}
	for _, c := range cases {
		r, err := c.run()
		if err != nil || r.Stderr != c.stderr || r.Status != c.status {
			t.Errorf("%s: got (%q, %d, %v), want (%q, %d)", c.name, r.Stderr, r.Status, err, c.stderr, c.status)
		}
	}
	if strings.Join(writes, "") != "b\nc\n" {
		t.Errorf("driver got %q, want only root's and the write after chmod 666", writes)
	}
	if k.procs.userShell == nil || k.procs.userShell.Task.UID != UserUID || k.procs.shell.Task.UID != RootUID {
		t.Errorf("the student's and root's bash are not kept apart")
	}
}
