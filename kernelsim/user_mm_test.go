package kernelsim

import (
	"errors"
	"strings"
	"testing"
)

func TestProcessLayout(t *testing.T) {
	k := devBoot(t)
	p := userProc(t, k, "user_app", &strings.Builder{})
	mm := p.MM
	if mm.StartCode < 0x555555555000 || mm.StartCode >= 0x565555555000 || mm.StartCode%PageSize != 0 {
		t.Errorf("start_code %#x: not a PIE base", uint64(mm.StartCode))
	}
	if mm.StartStack > TaskSizeMax || mm.StartStack < TaskSizeMax-(stackRndMask+1)<<PageShift {
		t.Errorf("stack top %#x", uint64(mm.StartStack))
	}
	args, _ := p.ReadString(mm.ArgStart, 64)
	if args != "./user_app" {
		t.Errorf("argv[0] = %q", args)
	}
	names := []string{}
	for _, v := range mm.VMAs() {
		names = append(names, v.Name)
	}
	if got := strings.Join(names, " "); got != "/home/student/user_app /home/student/user_app /home/student/user_app /home/student/user_app [stack]" {
		t.Errorf("VMAs %s", got)
	}
	// Same seed, same layout.
	k2 := devBoot(t)
	p2 := userProc(t, k2, "user_app", &strings.Builder{})
	if p2.MM.StartCode != mm.StartCode || p2.MM.StartStack != mm.StartStack || p2.PID() != p.PID() {
		t.Error("layout differs between two kernels with the same seed")
	}
	noErr(t, p.Exit(0))
	noErr(t, p2.Exit(0))
}

func TestMallocFree(t *testing.T) {
	k := devBoot(t)
	before := memFree(t, k)
	var out strings.Builder
	p := userProc(t, k, "app", &out)
	a := p.Malloc(32)
	if a != p.MM.StartBrk+0x2a0 {
		t.Errorf("first malloc = %#x, want heap start + 0x2a0 (%#x)", uint64(a), uint64(p.MM.StartBrk+0x2a0))
	}
	b := p.Malloc(32)
	if b != a+48 {
		t.Errorf("second malloc = %#x, want %#x", uint64(b), uint64(a+48))
	}
	if err := p.Free(a); err != nil {
		t.Fatal(err)
	}
	if c := p.Malloc(40); c != a {
		t.Errorf("malloc after free = %#x, want the freed %#x", uint64(c), uint64(a))
	}
	big := p.Malloc(1 << 20)
	if big < p.MM.MmapBase-(2<<20) || big > p.MM.MmapBase || big%PageSize != 16 {
		t.Errorf("malloc(1 MiB) = %#x: want an mmap below %#x", uint64(big), uint64(p.MM.MmapBase))
	}
	if err := p.WriteUser(big+(1<<20)-1, []byte{1}); err != nil {
		t.Fatal(err)
	}
	if err := p.Free(big); err != nil {
		t.Fatal(err)
	}
	// grow the heap past its first 132 KiB
	for i := 0; i < 10; i++ {
		if p.Malloc(100<<10-64) == 0 {
			t.Fatal("malloc failed")
		}
	}
	if p.MM.Brk-p.MM.StartBrk < 1<<20 {
		t.Errorf("heap is %#x bytes", uint64(p.MM.Brk-p.MM.StartBrk))
	}
	noErr(t, p.Exit(0))
	if after := memFree(t, k); after != before {
		t.Errorf("exit did not free the process's memory: %s, was %s", after, before)
	}
}

func TestMallocAborts(t *testing.T) {
	cases := []struct {
		name string
		do   func(p *Process) error
		msg  string
	}{
		{"double free", func(p *Process) error { a := p.Malloc(8); p.Free(a); return p.Free(a) }, "free(): double free detected in tcache 2\n"},
		{"invalid pointer", func(p *Process) error { a := p.Malloc(8); return p.Free(a + 8) }, "free(): invalid pointer\n"},
	}
	for _, c := range cases {
		k := devBoot(t)
		var out strings.Builder
		p := userProc(t, k, "app", &out)
		err := c.do(p)
		var killed *ProcessKilled
		if !errors.As(err, &killed) || killed.Signal != SIGABRT || p.ExitStatus() != 134 || out.String() != c.msg {
			t.Errorf("%s: %v, status %d, stderr %q", c.name, err, p.ExitStatus(), out.String())
		}
		if SignalName(SIGABRT) != "Aborted" {
			t.Error(SignalName(SIGABRT))
		}
	}
}

func TestUserModeFaults(t *testing.T) {
	cases := []struct {
		name string
		do   func(p *Process) error
		line string
	}{
		{"read NULL", func(p *Process) error { return p.ReadUser(0, make([]byte, 1)) }, "segfault at 0 ip "},
		{"write unmapped", func(p *Process) error { return p.WriteUser(0x1234, []byte{1}) }, "segfault at 1234 ip "},
		{"write a literal", func(p *Process) error {
			a, _ := p.PlaceString("const")
			return p.WriteUser(a, []byte{'C'})
		}, " error 7 in app["},
		{"kernel address", func(p *Process) error { return p.ReadUser(PageOffset, make([]byte, 8)) }, "segfault at ffff888000000000"},
	}
	for _, c := range cases {
		k := devBoot(t)
		p := userProc(t, k, "app", &strings.Builder{})
		seq := k.NextSeq()
		err := c.do(p)
		var killed *ProcessKilled
		if !errors.As(err, &killed) || killed.Signal != SIGSEGV || p.ExitStatus() != 139 {
			t.Errorf("%s: %v, status %d", c.name, err, p.ExitStatus())
		}
		if log := devLog(k, seq); !strings.Contains(log, c.line) || !strings.Contains(log, "likely on CPU 0 (core 0, socket 0)") {
			t.Errorf("%s: log %q lacks %q", c.name, log, c.line)
		}
	}
}

func TestStackAllocAndStdout(t *testing.T) {
	k := devBoot(t)
	var out strings.Builder
	p, err := k.NewProcess("app", UserUID, nil, &out, []byte("input"))
	if err != nil {
		t.Fatal(err)
	}
	buf, err := p.StackAlloc(32)
	if err != nil || buf%16 != 0 || buf > p.MM.StartStack || buf < p.MM.StartStack-stackInit {
		t.Fatalf("StackAlloc = %#x, %v", uint64(buf), err)
	}
	if n := sys(t)(p.Read(0, buf, 32)); n != 5 {
		t.Errorf("read(0) = %d", n)
	}
	if n := sys(t)(p.Write(1, buf, 5)); n != 5 || out.String() != "input" {
		t.Errorf("write(1) = %d, stdout %q", n, out.String())
	}
	if n := sys(t)(p.Read(0, buf, 32)); n != 0 {
		t.Errorf("read(0) at EOF = %d", n)
	}
	noErr(t, p.Exit(0))
}
