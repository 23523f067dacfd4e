package kernelsim

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestCheckCopySizeRefusesOverflow: the workshop's 40-byte write into
// char k_buf[32] is refused by check_copy_size with __copy_overflow's
// warning, nothing is copied and write() fails with EFAULT.
func TestCheckCopySizeRefusesOverflow(t *testing.T) {
	k := devBoot(t)
	d := newSeedDriver(t, k)
	d.mknod(t, true)
	p := userProc(t, k, "long_write", &strings.Builder{})
	fd := sys(t)(p.Open("/dev/uaccess_dev", O_RDWR, 0))
	msg, _ := p.PlaceString("This message is forty bytes long, see?..")
	seq := k.NextSeq()
	if n := sys(t)(p.Write(fd, msg, 40)); n != -int64(EFAULT) || d.lastWriteLeft != 40 {
		t.Fatalf("write of 40 = %d, left %d; want -EFAULT, 40", n, d.lastWriteLeft)
	}
	if got := d.kbufBytes(t); !bytes.HasPrefix(got, []byte("Initial kernel message.\n")) {
		t.Errorf("k_buf changed: %q", got)
	}
	want := []string{
		"------------[ cut here ]------------",
		"Buffer overflow detected (32 < 40)!",
		"WARNING: CPU: 0 PID: " + strconv.Itoa(p.PID()) + " at mm/maccess.c:228 __copy_overflow+0x16/0x30",
		"Modules linked in: uaccess_test(OE)",
		"CPU: 0 PID: " + strconv.Itoa(p.PID()) + " Comm: long_write Tainted: G",
		"RIP: 0010:__copy_overflow+0x16/0x30",
		" vfs_write+0xc8/0x3e0",
		"---[ end trace 0000000000000000 ]---",
		"Failed to copy data from user",
	}
	log := devLog(k, seq)
	logHasInOrder(t, log, want)
	if !k.Tainted(TaintWarn) {
		t.Error("the warning did not taint W")
	}
	rs := k.Reports()
	if r := rs[len(rs)-1]; r.Class != "copy-overflow" || r.Fatal || r.Title != "Buffer overflow detected (32 < 40)!" {
		t.Errorf("report = %+v", r)
	}
	// 32 bytes fit (and leave no NUL: the next bug of the lesson).
	if n := sys(t)(p.Write(fd, msg, 32)); n != 32 {
		t.Errorf("write of 32 = %d", n)
	}
	noErr(t, p.Exit(0))
}

// TestHardenedUsercopyBUG: copies the run-time checks refuse are a BUG
// that kills the process.
func TestHardenedUsercopyBUG(t *testing.T) {
	k := devBoot(t)
	vbuf := k.Vmalloc(PageSize, GFP_KERNEL)
	cases := []struct {
		name   string
		copy   func(user Addr) (uint64, error)
		report string
		frame  string // the frame under usercopy_abort, Debian 6.1's
	}{
		{"past a vmalloc area", func(u Addr) (uint64, error) { return k.CopyFromUser(vbuf, u, 3*PageSize, -1) },
			"usercopy: Kernel memory overwrite attempt detected to vmalloc (offset 0, size 12288)!", "__check_object_size.cold+0xb0/0xcb"},
		{"to NULL", func(u Addr) (uint64, error) { return k.CopyFromUser(0, u, 8, -1) },
			"usercopy: Kernel memory overwrite attempt detected to null address (offset 0, size 8)!", "__check_object_size.cold+0x44/0xcb"},
		{"from ZERO_SIZE_PTR", func(u Addr) (uint64, error) { return k.CopyToUser(u, 16, 4, -1) },
			"usercopy: Kernel memory exposure attempt detected from null address (offset 16, size 4)!", "__check_object_size.cold+0x44/0xcb"},
		{"from kernel text", func(u Addr) (uint64, error) { return k.CopyToUser(u, kernelTextStart+0x100, 16, -1) },
			"usercopy: Kernel memory exposure attempt detected from kernel text (offset 256, size 16)!", "__check_object_size.cold+0x96/0xcb"},
	}
	for i, c := range cases {
		p := userProc(t, k, "app", &strings.Builder{})
		u := p.Malloc(3 * PageSize)
		seq := k.NextSeq()
		_, err := p.syscall(writeEntry, func() (int64, error) {
			left, err := c.copy(u)
			return int64(left), err
		})
		var killed *ProcessKilled
		if !errors.As(err, &killed) || killed.Signal != SIGSEGV || killed.Oops.Report.Class != "usercopy" {
			t.Errorf("%s: %v, want the task killed by usercopy's BUG", c.name, err)
			continue
		}
		log := devLog(k, seq)
		for _, w := range []string{c.report, "kernel BUG at mm/usercopy.c:101!",
			"invalid opcode: 0000 [#" + strconv.Itoa(i+1) + "] PREEMPT SMP KASAN NOPTI", "RIP: 0010:usercopy_abort+0x75/0x77",
			" " + c.frame + "\n", " ksys_write+0x6b/0xf0", "---[ end trace 0000000000000000 ]---"} {
			if !strings.Contains(log, w) {
				t.Errorf("%s: log lacks %q:\n%s", c.name, w, log)
			}
		}
		if p.ExitStatus() != 139 {
			t.Errorf("%s: status %d, want 139", c.name, p.ExitStatus())
		}
	}
	if !k.Tainted(TaintDie) {
		t.Error("BUG did not taint D")
	}
	k.Vfree(vbuf)
}

// TestCheckSlabObject mirrors __check_heap_object's window test with the
// kmalloc caches' whitelist (the whole object) and a cache without one.
func TestCheckSlabObject(t *testing.T) {
	k := devBoot(t)
	p := userProc(t, k, "app", &strings.Builder{})
	obj := PageOffset + 0x100000
	kmalloc32 := SlabObjectInfo{Cache: "kmalloc-32", Start: obj, Size: 32, UserOffset: 0, UserSize: 32}
	private := SlabObjectInfo{Cache: "my_cache", Start: obj, Size: 64}
	cases := []struct {
		name   string
		ptr    Addr
		n      uint64
		info   SlabObjectInfo
		toUser bool
		want   string // "" when the copy is allowed
	}{
		{"whole object", obj, 32, kmalloc32, false, ""},
		{"tail of the object", obj + 24, 8, kmalloc32, true, ""},
		{"the workshop's 40 bytes", obj, 40, kmalloc32, false,
			"usercopy: Kernel memory overwrite attempt detected to SLUB object 'kmalloc-32' (offset 0, size 40)!"},
		{"reading past the end", obj + 8, 32, kmalloc32, true,
			"usercopy: Kernel memory exposure attempt detected from SLUB object 'kmalloc-32' (offset 8, size 32)!"},
		{"a cache with no usercopy whitelist", obj, 1, private, true,
			"usercopy: Kernel memory exposure attempt detected from SLUB object 'my_cache' (offset 0, size 1)!"},
	}
	for _, c := range cases {
		seq := k.NextSeq()
		var err error
		inProcess(t, p, func() error { err = k.checkSlabObject(c.ptr, c.n, c.info, c.toUser); return nil })
		log := devLog(k, seq)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(log, c.want+"\n") ||
			!strings.Contains(log, " __check_heap_object+0xa9/0xc0\n") || !strings.Contains(log, " __check_object_size+0x1df/0x220\n")):
			t.Errorf("%s: err %v, log:\n%s", c.name, err, log)
		}
	}
	noErr(t, p.Exit(0))
}

// TestHardenedUsercopyRealSlab uses real kmalloc objects: the workshop's
// 40 bytes into a kmalloc-32 object, a large kmalloc overrun, and a private
// cache without a usercopy whitelist.
func TestHardenedUsercopyRealSlab(t *testing.T) {
	k := devBoot(t)
	small := k.Kmalloc(32, GFP_KERNEL)
	large := k.Kmalloc(10000, GFP_KERNEL)
	cache, err := k.KmemCacheCreate("my_cache", 64, 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj, _ := k.KmemCacheAlloc(cache, GFP_KERNEL)
	cases := []struct {
		name   string
		copy   func(u Addr) (uint64, error)
		report string // "" when allowed
	}{
		{"32 bytes into kmalloc-32", func(u Addr) (uint64, error) { return k.CopyFromUser(small, u, 32, -1) }, ""},
		{"the workshop's 40", func(u Addr) (uint64, error) { return k.CopyFromUser(small, u, 40, -1) },
			"usercopy: Kernel memory overwrite attempt detected to SLUB object 'kmalloc-32' (offset 0, size 40)!"},
		{"reading 16 from the middle", func(u Addr) (uint64, error) { return k.CopyToUser(u, small+24, 16, -1) },
			"usercopy: Kernel memory exposure attempt detected from SLUB object 'kmalloc-32' (offset 24, size 16)!"},
		{"inside a large kmalloc", func(u Addr) (uint64, error) { return k.CopyToUser(u, large, 10000, -1) }, ""},
		{"past a large kmalloc's pages", func(u Addr) (uint64, error) { return k.CopyFromUser(large+100, u, 20000, -1) },
			"usercopy: Kernel memory overwrite attempt detected to page alloc (offset 100, size 20000)!"},
		{"a cache without a whitelist", func(u Addr) (uint64, error) { return k.CopyToUser(u, obj, 8, -1) },
			"usercopy: Kernel memory exposure attempt detected from SLUB object 'my_cache' (offset 0, size 8)!"},
	}
	for _, c := range cases {
		p := userProc(t, k, "app", &strings.Builder{})
		u := p.Malloc(6 * PageSize)
		seq := k.NextSeq()
		left, err := p.syscall(writeEntry, func() (int64, error) {
			left, err := c.copy(u)
			return int64(left), err
		})
		log := devLog(k, seq)
		if c.report == "" {
			if err != nil || left != 0 {
				t.Errorf("%s: left %d, %v:\n%s", c.name, left, err, log)
			}
			noErr(t, p.Exit(0))
			continue
		}
		var killed *ProcessKilled
		if !errors.As(err, &killed) || !strings.Contains(log, c.report+"\n") || !strings.Contains(log, "kernel BUG at mm/usercopy.c:101!") {
			t.Errorf("%s: %v:\n%s", c.name, err, log)
		}
	}
	k.Kfree(small)
	k.Kfree(large)
	k.KmemCacheFree(cache, obj)
	k.KmemCacheDestroy(cache)
}

// TestCopyFromUserInAtomicContext: copy_from_user may fault and sleep; under
// a spinlock (preempt_disable) it gets might_fault's report, and the copy
// still happens.
func TestCopyFromUserInAtomicContext(t *testing.T) {
	k := devBoot(t)
	kbuf := k.GetFreePages(GFP_KERNEL, 0)
	p := userProc(t, k, "app", &strings.Builder{})
	src, _ := p.PlaceString("hello")
	seq := k.NextSeq()
	var left uint64
	inProcess(t, p, func() error {
		k.PreemptDisable()
		left, _ = k.CopyFromUser(kbuf, src, 6, -1)
		k.PreemptEnable()
		return nil
	})
	log := devLog(k, seq)
	for _, w := range []string{"BUG: sleeping function called from invalid context at lib/usercopy.c:13",
		"pid: " + strconv.Itoa(p.PID()) + ", name: app", " __might_fault+0x2e/0x70", " _copy_from_user+0x28/0x80", " ksys_write+0x6b/0xf0"} {
		if !strings.Contains(log, w) {
			t.Errorf("log lacks %q:\n%s", w, log)
		}
	}
	if got, _ := k.ReadCString(kbuf, 16); left != 0 || got != "hello" {
		t.Errorf("copy: left %d, %q", left, got)
	}
	noErr(t, p.Exit(0))
	k.FreePagesAddr(kbuf, 0)
}
