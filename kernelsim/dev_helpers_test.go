package kernelsim

import (
	"strings"
	"testing"
)

// devBoot boots a kernel for a char device / user process test and checks
// the allocator's invariants when the test ends.
func devBoot(t *testing.T) *Kernel {
	t.Helper()
	k, err := New(Config{Seed: 7, NoPCP: true}) // exact MemFree comparisons
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := k.CheckInvariants(); err != nil {
			t.Errorf("CheckInvariants: %v", err)
		}
	})
	return k
}

// devLog returns the log text since seq, one record per line.
func devLog(k *Kernel, seq uint64) string {
	var b strings.Builder
	for _, r := range k.LogSince(seq) {
		b.WriteString(r.Text + "\n")
	}
	return b.String()
}

// memFree returns MemFree from /proc/meminfo, for "memory restored" checks.
func memFree(t *testing.T, k *Kernel) string {
	t.Helper()
	mi, err := k.ReadProc("/proc/meminfo")
	if err != nil {
		t.Fatalf("ReadProc: %v", err)
	}
	for _, l := range strings.Split(mi, "\n") {
		if strings.HasPrefix(l, "MemFree:") {
			return l
		}
	}
	t.Fatalf("no MemFree in %q", mi)
	return ""
}

// testModule loads a LIVE module called name, as insmod with an init that
// returned 0 would leave it.
func testModule(t testing.TB, k *Kernel, name string) *Module {
	t.Helper()
	m, err := k.LoadModule(ModuleSpec{Name: name, License: "GPL", HasInit: true, HasExit: true}, nil)
	if err != nil {
		t.Fatalf("LoadModule(%s): %v", name, err)
	}
	if err := k.ModuleInitReturned(m, 0); err != nil {
		t.Fatalf("ModuleInitReturned: %v", err)
	}
	return m
}

// seedDriver is the workshop's uaccess_test.c as Go closures: k_buf is
// a 32-byte static buffer in the module's data, write copies len bytes into
// it unbounded (the workshop's bug), read always returns BUF_LEN (never 0:
// cat never ends).
type seedDriver struct {
	k                       *Kernel
	mod                     *Module
	kbuf                    Addr
	fops                    *FileOperations
	major                   int
	opens, releases, writes int
	reads                   int
	lastWriteLeft           uint64
}

const seedBufLen = 32

func newSeedDriver(t testing.TB, k *Kernel) *seedDriver {
	t.Helper()
	d := &seedDriver{k: k, mod: testModule(t, k, "uaccess_test")}
	d.kbuf = d.mod.DataAddr(0)
	if err := k.WriteMem(d.kbuf, []byte("Initial kernel message.\n")); err != nil {
		t.Fatalf("WriteMem: %v", err)
	}
	d.fops = &FileOperations{
		Owner: d.mod,
		Open: func(*Inode, *File) (int, error) {
			d.opens++
			k.Printk(KernSOH + "6Device has been opened\n")
			return 0, nil
		},
		Release: func(*Inode, *File) (int, error) {
			d.releases++
			k.Printk(KernSOH + "6Device successfully closed\n")
			return 0, nil
		},
		Write: func(_ *File, buf Addr, n uint64, _ *int64) (int64, error) {
			d.writes++
			left, err := k.CopyFromUser(d.kbuf, buf, n, seedBufLen)
			d.lastWriteLeft = left
			if err != nil {
				return 0, err
			}
			if left != 0 {
				k.Printk(KernSOH + "3Failed to copy data from user\n")
				return -int64(EFAULT), nil
			}
			return int64(n), nil
		},
		Read: func(_ *File, buf Addr, n uint64, _ *int64) (int64, error) {
			d.reads++
			left, err := k.CopyToUser(buf, d.kbuf, seedBufLen, seedBufLen)
			if err != nil {
				return 0, err
			}
			if left != 0 {
				return -int64(EFAULT), nil
			}
			return seedBufLen, nil
		},
	}
	d.major = k.RegisterChrdev(0, "uaccess_dev", d.fops)
	if d.major != 246 {
		t.Fatalf("RegisterChrdev = %d, want 246", d.major)
	}
	return d
}

// mknodSeed makes /dev/uaccess_dev for d's major, chmod 666 when open.
func (d *seedDriver) mknod(t testing.TB, open bool) {
	t.Helper()
	if e := d.k.Mknod("/dev/uaccess_dev", S_IFCHR|0o666, MKDEV(uint32(d.major), 0), RootUID); e != 0 {
		t.Fatalf("Mknod: %v", e)
	}
	if open {
		if e := d.k.Chmod("/dev/uaccess_dev", 0o666, RootUID); e != 0 {
			t.Fatalf("Chmod: %v", e)
		}
	}
}

// kbufBytes reads k_buf.
func (d *seedDriver) kbufBytes(t *testing.T) []byte {
	t.Helper()
	b := make([]byte, seedBufLen)
	if err := d.k.ReadMem(d.kbuf, b); err != nil {
		t.Fatalf("ReadMem: %v", err)
	}
	return b
}

// userProc starts a user program process (uid 1000) writing to out.
func userProc(t *testing.T, k *Kernel, name string, out *strings.Builder) *Process {
	t.Helper()
	p, err := k.NewProcess(name, UserUID, nil, out, nil)
	if err != nil {
		t.Fatalf("NewProcess: %v", err)
	}
	return p
}

// sys returns a checker for a system call's results: it fails the test
// when the call returned a Go error, else it passes the return value on:
// sys(t)(p.Open(...)).
func sys(t *testing.T) func(int64, error) int64 {
	return func(ret int64, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return ret
	}
}

// noErr fails the test on err.
func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error %v", err)
	}
}

// inProcess runs fn as p's task, as a system call's kernel code would.
func inProcess(t *testing.T, p *Process, fn func() error) error {
	t.Helper()
	return p.k.RunTask(p.Task, writeEntry, fn)
}
