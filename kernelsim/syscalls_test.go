package kernelsim

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestSeedUserApp runs the workshop's user_app.c against uaccess_test.c:
// open, write the message, read it back, close — first without chmod 666.
func TestSeedUserApp(t *testing.T) {
	k := devBoot(t)
	before := memFree(t, k)
	d := newSeedDriver(t, k)
	d.mknod(t, false)

	var out strings.Builder
	p := userProc(t, k, "user_app", &out)
	if fd := sys(t)(p.Open("/dev/uaccess_dev", O_RDWR, 0)); fd != -int64(EACCES) {
		t.Fatalf("open without chmod 666 = %d, want -EACCES", fd)
	}
	if d.opens != 0 {
		t.Errorf("the driver's open ran %d times for a refused open", d.opens)
	}
	k.Chmod("/dev/uaccess_dev", 0o666, RootUID)

	seq := k.NextSeq()
	fd := sys(t)(p.Open("/dev/uaccess_dev", O_RDWR, 0))
	if fd != 3 {
		t.Fatalf("open = %d, want 3", fd)
	}
	// register_chrdev's cdev and its fops both pin the module.
	if got := d.mod.Refcount(); got != 2 {
		t.Errorf("refcount while open = %d, want 2", got)
	}
	var unload *UnloadError
	if err := k.ModuleUnload(d.mod); !errors.As(err, &unload) || !unload.InUse || unload.Errno != EBUSY {
		t.Errorf("rmmod while open: %v, want in use (EBUSY)", err)
	}

	msg, err := p.PlaceString("Hello kernel, from userspace!")
	if err != nil {
		t.Fatal(err)
	}
	if n := sys(t)(p.Write(fd, msg, 29)); n != 29 {
		t.Fatalf("write = %d, want 29", n)
	}
	if got := d.kbufBytes(t); string(got) != "Hello kernel, from userspace!\x00\x00\x00" {
		t.Errorf("k_buf = %q", got)
	}
	buf := p.Malloc(32)
	if n := sys(t)(p.Read(fd, buf, 32)); n != 32 {
		t.Fatalf("read = %d, want 32", n)
	}
	s, err := p.ReadString(buf, 32)
	if err != nil || s != "Hello kernel, from userspace!" {
		t.Errorf("received %q, %v", s, err)
	}
	if r := sys(t)(p.Close(fd)); r != 0 || d.releases != 1 {
		t.Errorf("close = %d, releases %d", r, d.releases)
	}
	if got := d.mod.Refcount(); got != 0 {
		t.Errorf("refcount after close = %d, want 0", got)
	}
	log := devLog(k, seq)
	if !strings.Contains(log, "Device has been opened\nDevice successfully closed\n") {
		t.Errorf("log:\n%s", log)
	}
	if err := p.Exit(0); err != nil || p.ExitStatus() != 0 {
		t.Fatalf("exit: %v, status %d", err, p.ExitStatus())
	}
	if rs := k.ChrdevRegions(); !containsRegion(rs, ChrdevRegion{Major: 246, Count: 256, Name: "uaccess_dev", Owner: d.mod}) {
		t.Errorf("regions %+v lack uaccess_dev owned by the module", rs)
	}
	k.UnregisterChrdev(246, "uaccess_dev")
	k.Unlink("/dev/uaccess_dev", RootUID)
	if err := k.ModuleUnload(d.mod); err != nil {
		t.Fatalf("rmmod after close: %v", err)
	}
	k.ModuleFree(d.mod)
	if after := memFree(t, k); after != before {
		t.Errorf("memory not restored: %s, was %s", after, before)
	}
}

func containsRegion(rs []ChrdevRegion, r ChrdevRegion) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// TestSyscallErrors covers the errno paths of every system call.
func TestSyscallErrors(t *testing.T) {
	k := devBoot(t)
	d := newSeedDriver(t, k)
	d.mknod(t, true)
	k.Mknod("/dev/nodriver", S_IFCHR|0o666, MKDEV(300, 0), RootUID)
	k.Chmod("/dev/nodriver", 0o666, RootUID)
	noRead := &FileOperations{Write: writeNull}
	if r := k.RegisterChrdev(301, "noread", noRead); r != 0 {
		t.Fatal(r)
	}
	k.Mknod("/dev/noread", S_IFCHR, MKDEV(301, 0), RootUID)
	k.Chmod("/dev/noread", 0o666, RootUID)

	p := userProc(t, k, "app", &strings.Builder{})
	rw := sys(t)(p.Open("/dev/uaccess_dev", O_RDWR, 0))
	wo := sys(t)(p.Open("/dev/uaccess_dev", O_WRONLY, 0))
	nr := sys(t)(p.Open("/dev/noread", O_RDWR, 0))
	buf := p.Malloc(64)
	cases := []struct {
		name string
		call func() (int64, error)
		want int64
	}{
		{"read bad fd", func() (int64, error) { return p.Read(99, buf, 1) }, -int64(EBADF)},
		{"write negative fd", func() (int64, error) { return p.Write(-1, buf, 1) }, -int64(EBADF)},
		{"close bad fd", func() (int64, error) { return p.Close(42) }, -int64(EBADF)},
		{"lseek bad fd", func() (int64, error) { return p.Lseek(7, 0, SEEK_SET) }, -int64(EBADF)},
		{"ioctl bad fd", func() (int64, error) { return p.Ioctl(1000, 0, 0) }, -int64(EBADF)},
		{"read a write-only fd", func() (int64, error) { return p.Read(wo, buf, 1) }, -int64(EBADF)},
		{"no read handler", func() (int64, error) { return p.Read(nr, buf, 1) }, -int64(EINVAL)},
		{"no llseek: no_llseek", func() (int64, error) { return p.Lseek(rw, 0, SEEK_SET) }, -int64(ESPIPE)},
		{"whence beyond SEEK_MAX", func() (int64, error) { return p.Lseek(rw, 0, 9) }, -int64(EINVAL)},
		{"no unlocked_ioctl", func() (int64, error) { return p.Ioctl(rw, 0x1234, 0) }, -int64(ENOTTY)},
		{"FIONBIO from a bad pointer", func() (int64, error) { return p.Ioctl(rw, FIONBIO, 8) }, -int64(EFAULT)},
		{"no such file", func() (int64, error) { return p.Open("/dev/nope", O_RDONLY, 0) }, -int64(ENOENT)},
		{"no driver for the major", func() (int64, error) { return p.Open("/dev/nodriver", O_RDWR, 0) }, -int64(ENXIO)},
		{"user creating in /dev", func() (int64, error) { return p.Open("/dev/new", O_WRONLY|O_CREAT, 0o666) }, -int64(EACCES)},
		{"O_EXCL on an existing file", func() (int64, error) { return p.Open("/dev/null", O_WRONLY|O_CREAT|O_EXCL, 0) }, -int64(EEXIST)},
		{"a directory for writing", func() (int64, error) { return p.Open("/dev", O_WRONLY, 0) }, -int64(EISDIR)},
		{"relative path from the home directory", func() (int64, error) { return p.Open("user_app", O_RDONLY, 0) }, -int64(ENOENT)},
		{"path from a bad pointer", func() (int64, error) { return p.OpenAt(0x10, O_RDONLY, 0) }, -int64(EFAULT)},
	}
	for _, c := range cases {
		got, err := c.call()
		if err != nil || got != c.want {
			t.Errorf("%s: got %d, %v; want %d", c.name, got, err, c.want)
		}
	}
	if d.reads != 0 || d.writes != 0 {
		t.Errorf("the driver saw %d reads, %d writes from failing calls", d.reads, d.writes)
	}
	if err := p.Exit(3); err != nil || p.ExitStatus() != 3 || d.releases != 2 {
		t.Errorf("exit: %v, status %d, releases %d (want 3, 2)", err, p.ExitStatus(), d.releases)
	}
}

// TestWriteBadPointers: a kernel address never reaches the driver; an
// unmapped user address reaches it, copy_from_user copies nothing and
// zero-fills k_buf; a buffer running off its page copies exactly the
// mapped part and zero-fills the rest.
func TestWriteBadPointers(t *testing.T) {
	k := devBoot(t)
	d := newSeedDriver(t, k)
	d.mknod(t, true)
	p := userProc(t, k, "app", &strings.Builder{})
	fd := sys(t)(p.Open("/dev/uaccess_dev", O_RDWR, 0))

	if n := sys(t)(p.Write(fd, d.kbuf, 8)); n != -int64(EFAULT) || d.writes != 0 {
		t.Errorf("write from a kernel address = %d, driver writes %d; want -EFAULT, 0", n, d.writes)
	}
	if n := sys(t)(p.Write(fd, PageOffset+0x1000, 8)); n != -int64(EFAULT) || d.writes != 0 {
		t.Errorf("write from the direct map = %d, driver writes %d", n, d.writes)
	}

	if n := sys(t)(p.Write(fd, 0x1000, 20)); n != -int64(EFAULT) || d.writes != 1 || d.lastWriteLeft != 20 {
		t.Errorf("write from unmapped 0x1000 = %d (driver writes %d, left %d)", n, d.writes, d.lastWriteLeft)
	}
	if got := d.kbufBytes(t); !bytes.Equal(got[:20], make([]byte, 20)) || string(got[20:24]) != "ge.\n" {
		t.Errorf("k_buf after a failed copy = %q: want 20 zero bytes then the old tail", got)
	}

	// The last 10 bytes of the heap, then the unmapped page after it.
	p.Malloc(16)
	edge := p.MM.Brk - 10
	if err := p.WriteUser(edge, []byte("0123456789")); err != nil {
		t.Fatal(err)
	}
	if n := sys(t)(p.Write(fd, edge, 16)); n != -int64(EFAULT) || d.lastWriteLeft != 6 {
		t.Errorf("write across the heap end = %d, left %d; want -EFAULT, 6", n, d.lastWriteLeft)
	}
	if got := d.kbufBytes(t); string(got[:16]) != "0123456789\x00\x00\x00\x00\x00\x00" {
		t.Errorf("k_buf = %q: want the 10 mapped bytes, then 6 zeros", got[:16])
	}
	noErr(t, p.Exit(0))
}

// TestCopyExactCounts calls the uaccess functions directly at page and
// protection boundaries.
func TestCopyExactCounts(t *testing.T) {
	k := devBoot(t)
	kbuf := k.GetFreePages(GFP_KERNEL, 0)
	p := userProc(t, k, "app", &strings.Builder{})
	lit, _ := p.PlaceString("read-only literal")
	heap := p.Malloc(100)
	end := p.MM.Brk
	err := inProcess(t, p, func() error {
		k.Memset(kbuf, 'K', 64)
		cases := []struct {
			name string
			call func() (uint64, error)
			want uint64
		}{
			{"to_user into a literal (read-only)", func() (uint64, error) { return k.CopyToUser(lit, kbuf, 8, -1) }, 8},
			{"to_user across the heap end", func() (uint64, error) { return k.CopyToUser(end-5, kbuf, 12, -1) }, 7},
			{"to_user fine", func() (uint64, error) { return k.CopyToUser(heap, kbuf, 64, -1) }, 0},
			{"from_user a literal", func() (uint64, error) { return k.CopyFromUser(kbuf, lit, 8, -1) }, 0},
			{"from_user past TASK_SIZE_MAX", func() (uint64, error) { return k.CopyFromUser(kbuf, TaskSizeMax-4, 8, -1) }, 8},
			{"from_user zero bytes", func() (uint64, error) { return k.CopyFromUser(kbuf, 0, 0, -1) }, 0},
			{"clear_user across the heap end", func() (uint64, error) { return k.ClearUser(end-3, 10) }, 7},
		}
		for _, c := range cases {
			if got, err := c.call(); err != nil || got != c.want {
				t.Errorf("%s: got %d, %v; want %d", c.name, got, err, c.want)
			}
		}
		v, ret, err := k.GetUser(heap, 4)
		if err != nil || ret != 0 || v != 0x4b4b4b4b {
			t.Errorf("get_user = %#x, %d, %v", v, ret, err)
		}
		if _, ret, _ := k.GetUser(end-2, 4); ret != -int(EFAULT) {
			t.Errorf("get_user across the end = %d, want -EFAULT", ret)
		}
		if ret, _ := k.PutUser(0x41424344, heap, 4); ret != 0 {
			t.Errorf("put_user = %d", ret)
		}
		if ret, _ := k.PutUser(1, lit, 1); ret != -int(EFAULT) {
			t.Errorf("put_user into a literal = %d", ret)
		}
		if ret, _ := k.PutUser(1, kbuf, 8); ret != -int(EFAULT) {
			t.Errorf("put_user to a kernel address = %d", ret)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 8)
	p.ReadUser(heap, got)
	if string(got) != "DCBAKKKK" {
		t.Errorf("user memory after put_user = %q", got)
	}
	noErr(t, p.Exit(0))
	k.FreePagesAddr(kbuf, 0)
}

func TestStrncpyFromUser(t *testing.T) {
	k := devBoot(t)
	kbuf := k.GetFreePages(GFP_KERNEL, 0)
	p := userProc(t, k, "app", &strings.Builder{})
	s, _ := p.PlaceString("hello")
	long, _ := p.PlaceString("a string longer than sixteen bytes")
	p.Malloc(8)
	end := p.MM.Brk
	p.WriteUser(end-3, []byte("abc"))
	inProcess(t, p, func() error {
		k.Memset(kbuf, 'K', 32)
		cases := []struct {
			name  string
			src   Addr
			count int64
			want  int64
			dst   string
		}{
			{"short string", s, 16, 5, "hello\x00\x00\x00KKKK"}, // the word after the NUL is zeroed to its end
			{"count reached", long, 16, 16, "a string longer KKKK"},
			{"unterminated at a fault", end - 3, 16, -int64(EFAULT), ""},
			{"kernel source", kbuf, 8, -int64(EFAULT), ""},
			{"count 0", s, 0, 0, ""},
		}
		for _, c := range cases {
			k.Memset(kbuf+64, 'K', 32)
			got, err := k.StrncpyFromUser(kbuf+64, c.src, c.count)
			if err != nil || got != c.want {
				t.Errorf("%s: got %d, %v; want %d", c.name, got, err, c.want)
			}
			if c.dst != "" {
				b := make([]byte, len(c.dst))
				k.ReadMem(kbuf+64, b)
				if string(b) != c.dst {
					t.Errorf("%s: dst = %q, want %q", c.name, b, c.dst)
				}
			}
		}
		return nil
	})
	noErr(t, p.Exit(0))
	k.FreePagesAddr(kbuf, 0)
}

// TestOopsInDriverKillsProcess: a NULL dereference in the driver's write
// kills the process with SIGSEGV; its files are released on the way out.
func TestOopsInDriverKillsProcess(t *testing.T) {
	k := devBoot(t)
	d := newSeedDriver(t, k)
	d.fops.Write = func(*File, Addr, uint64, *int64) (int64, error) {
		return 0, k.WriteMem(0, []byte{1})
	}
	d.mknod(t, true)
	p := userProc(t, k, "user_app", &strings.Builder{})
	fd := sys(t)(p.Open("/dev/uaccess_dev", O_RDWR, 0))
	buf := p.Malloc(8)
	seq := k.NextSeq()
	_, err := p.Write(fd, buf, 8)
	var killed *ProcessKilled
	if !errors.As(err, &killed) || killed.Signal != SIGSEGV || killed.Oops == nil {
		t.Fatalf("write: %v, want killed by SIGSEGV after an Oops", err)
	}
	if !p.Exited() || p.ExitStatus() != 139 || d.releases != 1 || d.mod.Refcount() != 0 {
		t.Errorf("exited %v status %d releases %d refcount %d", p.Exited(), p.ExitStatus(), d.releases, d.mod.Refcount())
	}
	log := devLog(k, seq)
	for _, want := range []string{"BUG: kernel NULL pointer dereference, address: 0000000000000000",
		"Comm: user_app", " ksys_write+0x6b/0xf0", " entry_SYSCALL_64_after_hwframe+0x6e/0xd8", "Device successfully closed"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if _, err := p.Read(fd, buf, 1); !errors.As(err, &killed) {
		t.Errorf("a dead process's system call: %v", err)
	}
}

func TestLseek(t *testing.T) {
	k := devBoot(t)
	var seen []int64
	fops := &FileOperations{
		Read: func(f *File, buf Addr, n uint64, pos *int64) (int64, error) {
			seen = append(seen, *pos)
			*pos += 4
			return 4, nil
		},
		Llseek: func(f *File, off int64, whence int) (int64, error) { return FixedSizeLlseek(f, off, whence, 100) },
	}
	k.RegisterChrdev(300, "seek", fops)
	k.Mknod("/dev/seek", S_IFCHR|0o666, MKDEV(300, 0), RootUID)
	k.Chmod("/dev/seek", 0o666, RootUID)
	p := userProc(t, k, "app", &strings.Builder{})
	fd := sys(t)(p.Open("/dev/seek", O_RDONLY, 0))
	buf := p.Malloc(16)
	cases := []struct {
		name string
		call func() (int64, error)
		want int64
	}{
		{"read at 0", func() (int64, error) { return p.Read(fd, buf, 4) }, 4},
		{"SEEK_CUR 0 reports", func() (int64, error) { return p.Lseek(fd, 0, SEEK_CUR) }, 4},
		{"SEEK_SET", func() (int64, error) { return p.Lseek(fd, 50, SEEK_SET) }, 50},
		{"read at 50", func() (int64, error) { return p.Read(fd, buf, 4) }, 4},
		{"SEEK_END", func() (int64, error) { return p.Lseek(fd, -10, SEEK_END) }, 90},
		{"past the size", func() (int64, error) { return p.Lseek(fd, 101, SEEK_SET) }, -int64(EINVAL)},
		{"negative", func() (int64, error) { return p.Lseek(fd, -1, SEEK_SET) }, -int64(EINVAL)},
		{"SEEK_DATA is not for fixed_size_llseek", func() (int64, error) { return p.Lseek(fd, 0, SEEK_DATA) }, -int64(EINVAL)},
	}
	for _, c := range cases {
		if got, err := c.call(); err != nil || got != c.want {
			t.Errorf("%s: got %d, %v; want %d", c.name, got, err, c.want)
		}
	}
	if len(seen) != 2 || seen[0] != 0 || seen[1] != 50 || p.FileOf(int(fd)).Pos != 90 {
		t.Errorf("positions seen %v, f_pos %d", seen, p.FileOf(int(fd)).Pos)
	}
	noErr(t, p.Exit(0))
}

func TestReadCountClampedToMaxRWCount(t *testing.T) {
	k := devBoot(t)
	var got uint64
	k.RegisterChrdev(300, "big", &FileOperations{Read: func(_ *File, _ Addr, n uint64, _ *int64) (int64, error) {
		got = n
		return 0, nil
	}})
	k.Mknod("/dev/big", S_IFCHR|0o666, MKDEV(300, 0), RootUID)
	k.Chmod("/dev/big", 0o666, RootUID)
	p := userProc(t, k, "app", &strings.Builder{})
	fd := sys(t)(p.Open("/dev/big", O_RDONLY, 0))
	sys(t)(p.Read(fd, 0x10000, 1<<40))
	if got != MAX_RW_COUNT {
		t.Errorf("driver saw count %#x, want %#x", got, MAX_RW_COUNT)
	}
	if n := sys(t)(p.Read(fd, 0x10000, 1<<47)); n != -int64(EFAULT) {
		t.Errorf("read beyond TASK_SIZE_MAX = %d, want -EFAULT", n)
	}
	noErr(t, p.Exit(0))
}

func TestOpenHoldsOwnerRefsAndFailsForGoingModule(t *testing.T) {
	k := devBoot(t)
	d := newSeedDriver(t, k)
	d.mknod(t, true)
	p := userProc(t, k, "app", &strings.Builder{})
	d.fops.Open = func(*Inode, *File) (int, error) { return -int(EBUSY), nil }
	if fd := sys(t)(p.Open("/dev/uaccess_dev", O_RDWR, 0)); fd != -int64(EBUSY) || d.mod.Refcount() != 0 {
		t.Errorf("open refused by the driver = %d, refcount %d; want -EBUSY, 0", fd, d.mod.Refcount())
	}
	d.fops.Open = nil
	if err := k.ModuleUnload(d.mod); err != nil { // rmmod with no open file: GOING
		t.Fatal(err)
	}
	if fd := sys(t)(p.Open("/dev/uaccess_dev", O_RDWR, 0)); fd != -int64(ENXIO) {
		t.Errorf("open of a going module's device = %d, want -ENXIO", fd)
	}
	noErr(t, p.Exit(0))
	k.UnregisterChrdev(246, "uaccess_dev")
	k.ModuleFree(d.mod)
}
