package kernelsim

import (
	"strings"
	"testing"
)

// BenchmarkSyscallWriteRead is one round of the workshop's user_app: write
// the 29-byte message to the driver, read 32 bytes back.
func BenchmarkSyscallWriteRead(b *testing.B) {
	k, err := New(Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	d := newSeedDriver(b, k)
	d.mknod(b, true)
	p, _ := k.NewProcess("user_app", UserUID, nil, &strings.Builder{}, nil)
	fd, _ := p.Open("/dev/uaccess_dev", O_RDWR, 0)
	msg, _ := p.PlaceString("Hello kernel, from userspace!")
	buf := p.Malloc(32)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n, err := p.Write(fd, msg, 29); n != 29 || err != nil {
			b.Fatal(n, err)
		}
		if n, err := p.Read(fd, buf, 32); n != 32 || err != nil {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkCopyFromUser64K copies 64 KiB from a process's heap into a
// vmalloc buffer.
func BenchmarkCopyFromUser64K(b *testing.B) {
	k, err := New(Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	dst := k.Vmalloc(64<<10, GFP_KERNEL)
	p, _ := k.NewProcess("app", UserUID, nil, &strings.Builder{}, nil)
	src := p.Malloc(64 << 10)
	p.WriteUser(src, make([]byte, 64<<10))
	b.SetBytes(64 << 10)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k.RunTask(p.Task, writeEntry, func() error {
			if left, err := k.CopyFromUser(dst, src, 64<<10, -1); left != 0 || err != nil {
				b.Fatal(left, err)
			}
			return nil
		})
	}
}

// FuzzShellFileCommands feeds arbitrary arguments to mknod, chmod, rm and
// ls: whatever a student types, the result is a message and a status,
// never a panic.
func FuzzShellFileCommands(f *testing.F) {
	for _, s := range []string{"/dev/x c 246 0", "-m 666 /dev/y c 1 3", "666 /dev/null", "-f /dev/x", "-l /dev", "/dev/x b 0x10 077", "/dev/x p", "u+s,go= /dev/zero"} {
		f.Add(s)
	}
	k, err := New(Config{Seed: 1})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		for _, r := range []CmdResult{k.CmdMknod(args), k.CmdChmod(args), k.CmdLs(args), k.CmdRm(args)} {
			if r.Status != 0 && r.Stderr == "" {
				t.Errorf("%q: status %d without a message", line, r.Status)
			}
		}
	})
}
