package kernelsim

import (
	"strings"
	"testing"
)

func TestRegisterChrdevDynamicMajors(t *testing.T) {
	k := devBoot(t)
	fops := &FileOperations{}
	steps := []struct {
		name   string
		do     func() int
		want   int
		expect string // a log line the step must print, if any
	}{
		{"first dynamic major is 246", func() int { return k.RegisterChrdev(0, "a", fops) }, 246, ""},
		{"then 245", func() int { return k.RegisterChrdev(0, "b", fops) }, 245, ""},
		{"free 246", func() int { k.UnregisterChrdev(246, "a"); return 0 }, 0, ""},
		{"a freed major is reused at once", func() int { return k.RegisterChrdev(0, "c", fops) }, 246, ""},
		{"a fixed major in use", func() int { return k.RegisterChrdev(245, "d", fops) }, -int(EBUSY), ""},
		{"a free fixed major returns 0", func() int { return k.RegisterChrdev(300, "e", fops) }, 0, ""},
		{"major above 511", func() int { return k.RegisterChrdev(600, "f", fops) }, -int(EINVAL),
			`CHRDEV "f" major requested (600) is greater than the maximum (511)`},
		{"a built-in major", func() int { return k.RegisterChrdev(10, "g", fops) }, -int(EBUSY), ""},
	}
	for _, s := range steps {
		seq := k.NextSeq()
		if got := s.do(); got != s.want {
			t.Errorf("%s: got %d, want %d", s.name, got, s.want)
		}
		if s.expect != "" && !strings.Contains(devLog(k, seq), s.expect) {
			t.Errorf("%s: log %q lacks %q", s.name, devLog(k, seq), s.expect)
		}
	}
}

func TestFindDynamicMajorExtendedRange(t *testing.T) {
	k := devBoot(t)
	var got []int
	for i := 0; i < 16; i++ {
		got = append(got, k.RegisterChrdev(0, "x", &FileOperations{}))
	}
	// 246 down to 234 are the 13 left in the first range, then 511, 510, 509.
	want := []int{246, 245, 244, 243, 242, 241, 240, 239, 238, 237, 236, 235, 234, 511, 510, 509}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("majors = %v, want %v", got, want)
		}
	}
	// The first range stays full, so the search goes on from 511 down.
	if m := k.RegisterChrdev(0, "y", &FileOperations{}); m != 508 {
		t.Errorf("next major = %d, want 508", m)
	}
}

func TestChrdevRegions(t *testing.T) {
	k := devBoot(t)
	dev, ret := k.AllocChrdevRegion(0, 4, "mydev")
	if ret != 0 || dev != MKDEV(246, 0) {
		t.Fatalf("AllocChrdevRegion = %v, %d; want 246:0, 0", dev, ret)
	}
	cases := []struct {
		name  string
		from  DevT
		count uint32
		want  int
	}{
		{"free range", MKDEV(300, 0), 2, 0},
		{"overlap", MKDEV(300, 1), 1, -int(EBUSY)},
		{"after it", MKDEV(300, 2), 1, 0},
		{"beside the dynamic one", MKDEV(246, 4), 1, 0},
		{"inside the dynamic one", MKDEV(246, 3), 1, -int(EBUSY)},
		{"spanning two majors", MKDEV(301, MinorMask), 2, 0},
	}
	for _, c := range cases {
		if got := k.RegisterChrdevRegion(c.from, c.count, c.name); got != c.want {
			t.Errorf("%s: RegisterChrdevRegion(%v, %d) = %d, want %d", c.name, c.from, c.count, got, c.want)
		}
	}
	var lines []string
	for _, r := range k.ChrdevRegions() {
		if r.Major == 246 || (r.Major >= 300 && r.Major < 400) {
			lines = append(lines, r.Name)
		}
	}
	want := "mydev beside the dynamic one free range after it spanning two majors spanning two majors"
	if got := strings.Join(lines, " "); got != want {
		t.Errorf("regions = %q, want %q", got, want)
	}
	k.UnregisterChrdevRegion(MKDEV(301, MinorMask), 2)
	k.UnregisterChrdevRegion(dev, 4)
	k.UnregisterChrdevRegion(MKDEV(246, 4), 1)
	if m := k.RegisterChrdev(0, "again", &FileOperations{}); m != 246 {
		t.Errorf("after unregister, RegisterChrdev = %d, want 246", m)
	}
}

func TestProcDevices(t *testing.T) {
	k := devBoot(t)
	k.RegisterChrdev(0, "uaccess_dev", &FileOperations{})
	got, err := k.ReadProc("/proc/devices")
	if err != nil {
		t.Fatal(err)
	}
	want := `Character devices:
  1 mem
  4 /dev/vc/0
  4 tty
  4 ttyS
  5 /dev/tty
  5 /dev/console
  5 /dev/ptmx
  7 vcs
 10 misc
 13 input
 29 fb
128 ptm
136 pts
153 spi
246 uaccess_dev
247 cxl
248 bsg
249 ptp
250 pps
251 rtc
252 dax
253 tpm
254 gpiochip

Block devices:
  7 loop
  8 sd
  9 md
 11 sr
 65 sd
 66 sd
 67 sd
 68 sd
 69 sd
 70 sd
 71 sd
128 sd
129 sd
130 sd
131 sd
132 sd
133 sd
134 sd
135 sd
252 virtblk
253 device-mapper
254 mdp
259 blkext
`
	if got != want {
		t.Errorf("/proc/devices:\n%s\nwant:\n%s", got, want)
	}
}

func TestDevT(t *testing.T) {
	d := MKDEV(246, 7)
	if MAJOR(d) != 246 || MINOR(d) != 7 || d.String() != "246:7" || uint32(d) != 246<<20|7 {
		t.Errorf("MKDEV(246,7) = %#x (%v)", uint32(d), d)
	}
}

func TestMiscRegister(t *testing.T) {
	k := devBoot(t)
	mod := testModule(t, k, "mymisc")
	fops := &FileOperations{Owner: mod, Open: func(_ *Inode, f *File) (int, error) {
		if _, ok := f.PrivateData.(*MiscDevice); !ok {
			t.Errorf("misc open: private_data = %T, want *MiscDevice", f.PrivateData)
		}
		return 0, nil
	}}
	a := &MiscDevice{Minor: MISC_DYNAMIC_MINOR, Name: "misc_a", Fops: fops}
	b := &MiscDevice{Minor: MISC_DYNAMIC_MINOR, Name: "misc_b", Fops: fops}
	if r := k.MiscRegister(a); r != 0 || a.Minor != 124 {
		t.Fatalf("MiscRegister(a) = %d, minor %d; want 0, 124", r, a.Minor)
	}
	if r := k.MiscRegister(b); r != 0 || b.Minor != 123 {
		t.Fatalf("MiscRegister(b) = %d, minor %d; want 0, 123", r, b.Minor)
	}
	if r := k.MiscRegister(&MiscDevice{Minor: 228, Name: "hpet2", Fops: fops}); r != -int(EBUSY) {
		t.Errorf("fixed minor 228 (hpet) = %d, want -EBUSY", r)
	}
	st, e := k.Stat("/dev/misc_a")
	if e != 0 || st.Rdev != MKDEV(10, 124) || st.Mode != S_IFCHR|0o600 || st.UID != 0 {
		t.Errorf("/dev/misc_a = %+v, %v", st, e)
	}
	// One module reference per open: misc_fops itself has no owner.
	p := userProc(t, k, "app", &strings.Builder{})
	k.Chmod("/dev/misc_a", 0o666, RootUID)
	fd := sys(t)(p.Open("/dev/misc_a", O_RDWR, 0))
	if fd != 3 || mod.Refcount() != 1 {
		t.Errorf("open = %d, refcount %d; want 3, 1", fd, mod.Refcount())
	}
	sys(t)(p.Close(fd))
	if mod.Refcount() != 0 {
		t.Errorf("refcount after close = %d", mod.Refcount())
	}
	k.MiscDeregister(a)
	if _, e := k.Stat("/dev/misc_a"); e != ENOENT {
		t.Errorf("after misc_deregister, /dev/misc_a: %v", e)
	}
	c := &MiscDevice{Minor: MISC_DYNAMIC_MINOR, Name: "misc_c", Fops: fops}
	if r := k.MiscRegister(c); r != 0 || c.Minor != 124 {
		t.Errorf("freed minor not reused: %d, minor %d", r, c.Minor)
	}
	if err := p.Exit(0); err != nil {
		t.Fatal(err)
	}
}

func TestClassDeviceCreate(t *testing.T) {
	k := devBoot(t)
	dev, _ := k.AllocChrdevRegion(0, 1, "mydev")
	cls, r := k.ClassCreate("mycls")
	if r != 0 {
		t.Fatalf("ClassCreate = %d", r)
	}
	if _, r := k.ClassCreate("mycls"); r != -int(EEXIST) {
		t.Errorf("duplicate class = %d, want -EEXIST", r)
	}
	d, r := k.DeviceCreate(cls, dev, nil, "mydev")
	if r != 0 || d == nil {
		t.Fatalf("DeviceCreate = %d", r)
	}
	ls := k.CmdLs([]string{"-l", "/dev/mydev"})
	if want := "crw------- 1 root root 246, 0 Nov 26 10:00 /dev/mydev\n"; ls.Stdout != want {
		t.Errorf("ls -l = %q, want %q", ls.Stdout, want)
	}
	seq := k.NextSeq()
	if _, r := k.DeviceCreate(cls, dev+1, nil, "mydev"); r != -int(EEXIST) {
		t.Errorf("duplicate device = %d, want -EEXIST", r)
	}
	log := devLog(k, seq)
	for _, want := range []string{"sysfs: cannot create duplicate filename '/devices/virtual/mycls/mydev'",
		"Call Trace:", "kobject_add_internal failed for mydev with -EEXIST, don't try to register things with the same name in the same directory."} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	k.DeviceDestroy(cls, dev)
	if _, e := k.Stat("/dev/mydev"); e != ENOENT {
		t.Errorf("after device_destroy: %v", e)
	}
	// A node made by hand is not devtmpfs's: device_destroy leaves it.
	k.Mknod("/dev/mydev", S_IFCHR|0o666, dev, RootUID)
	k.DeviceCreate(cls, dev, nil, "mydev")
	k.DeviceDestroy(cls, dev)
	if st, e := k.Stat("/dev/mydev"); e != 0 || st.Mode != S_IFCHR|0o644 {
		t.Errorf("hand-made node: %+v, %v", st, e)
	}
	k.ClassDestroy(cls)
	k.UnregisterChrdevRegion(dev, 1)
}
