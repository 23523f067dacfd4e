package kernelsim

import (
	"strings"
	"testing"
)

func TestMknodChmodUnlink(t *testing.T) {
	k := devBoot(t)
	dev := MKDEV(246, 0)
	cases := []struct {
		name string
		do   func() Errno
		want Errno
	}{
		{"root mknod", func() Errno { return k.Mknod("/dev/x", S_IFCHR|0o666, dev, RootUID) }, 0},
		{"exists", func() Errno { return k.Mknod("/dev/x", S_IFCHR|0o666, dev, RootUID) }, EEXIST},
		{"no such directory", func() Errno { return k.Mknod("/nodir/x", S_IFCHR|0o666, dev, RootUID) }, ENOENT},
		{"user in /dev: no write permission", func() Errno { return k.Mknod("/dev/y", S_IFCHR|0o666, dev, UserUID) }, EACCES},
		{"user in /tmp: no CAP_MKNOD", func() Errno { return k.Mknod("/tmp/y", S_IFCHR|0o666, dev, UserUID) }, EPERM},
		{"user regular file in /tmp", func() Errno { return k.Mknod("/tmp/f", S_IFREG|0o666, 0, UserUID) }, 0},
		{"user chmod of root's node", func() Errno { return k.Chmod("/dev/x", 0o666, UserUID) }, EPERM},
		{"root chmod", func() Errno { return k.Chmod("/dev/x", 0o666, RootUID) }, 0},
		{"chmod missing", func() Errno { return k.Chmod("/dev/nope", 0o666, RootUID) }, ENOENT},
		{"user unlink in /dev", func() Errno { return k.Unlink("/dev/x", UserUID) }, EACCES},
		{"unlink a directory", func() Errno { return k.Unlink("/dev", RootUID) }, EISDIR},
		{"root unlink", func() Errno { return k.Unlink("/dev/x", RootUID) }, 0},
		{"unlink missing", func() Errno { return k.Unlink("/dev/x", RootUID) }, ENOENT},
		{"relative path", func() Errno { return k.Mknod("dev/x", S_IFCHR, dev, RootUID) }, ENOENT},
	}
	for _, c := range cases {
		if got := c.do(); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	if st, _ := k.Stat("/tmp/f"); st.Mode != S_IFREG|0o644 || st.UID != UserUID {
		t.Errorf("/tmp/f = %o uid %d, want 100644 uid 1000", st.Mode, st.UID)
	}
}

func TestShellFileCommands(t *testing.T) {
	k := devBoot(t)
	cases := []struct {
		name   string
		run    func() CmdResult
		stdout string
		stderr string
		status int
	}{
		{"mknod", func() CmdResult { return k.CmdMknod([]string{"/dev/uaccess_dev", "c", "246", "0"}) }, "", "", 0},
		{"ls -l after mknod: 0666 less the umask",
			func() CmdResult { return k.CmdLs([]string{"-l", "/dev/uaccess_dev"}) },
			"crw-r--r-- 1 root root 246, 0 Nov 26 10:00 /dev/uaccess_dev\n", "", 0},
		{"mknod again", func() CmdResult { return k.CmdMknod([]string{"/dev/uaccess_dev", "c", "246", "0"}) },
			"", "mknod: /dev/uaccess_dev: File exists\n", 1},
		{"chmod 666", func() CmdResult { return k.CmdChmod([]string{"666", "/dev/uaccess_dev"}) }, "", "", 0},
		{"ls -l after chmod", func() CmdResult { return k.CmdLs([]string{"-l", "/dev/uaccess_dev"}) },
			"crw-rw-rw- 1 root root 246, 0 Nov 26 10:00 /dev/uaccess_dev\n", "", 0},
		{"chmod symbolic", func() CmdResult { return k.CmdChmod([]string{"go-w", "/dev/uaccess_dev"}) }, "", "", 0},
		{"ls -l after go-w", func() CmdResult { return k.CmdLs([]string{"-l", "/dev/uaccess_dev"}) },
			"crw-r--r-- 1 root root 246, 0 Nov 26 10:00 /dev/uaccess_dev\n", "", 0},
		{"chmod bad mode", func() CmdResult { return k.CmdChmod([]string{"66x", "/dev/uaccess_dev"}) },
			"", "chmod: invalid mode: '66x'\nTry 'chmod --help' for more information.\n", 1},
		{"chmod missing file", func() CmdResult { return k.CmdChmod([]string{"666", "/dev/nope"}) },
			"", "chmod: cannot access '/dev/nope': No such file or directory\n", 1},
		{"mknod missing numbers", func() CmdResult { return k.CmdMknod([]string{"/dev/z", "c"}) }, "",
			"mknod: missing operand after 'c'\nSpecial files require major and minor device numbers.\nTry 'mknod --help' for more information.\n", 1},
		{"mknod bad major", func() CmdResult { return k.CmdMknod([]string{"/dev/z", "c", "x", "0"}) }, "",
			"mknod: invalid major device number 'x'\n", 1},
		{"mknod -m", func() CmdResult { return k.CmdMknod([]string{"-m", "666", "/dev/z", "c", "300", "1"}) }, "", "", 0},
		{"ls -l /dev aligns columns", func() CmdResult { return k.CmdLs([]string{"-l", "/dev"}) },
			"total 0\n" +
				"crw-rw-rw- 1 root root   1, 7 Nov 26 10:00 full\n" +
				"crw-rw-rw- 1 root root   1, 3 Nov 26 10:00 null\n" +
				"crw-rw-rw- 1 root root   1, 8 Nov 26 10:00 random\n" +
				"crw-r--r-- 1 root root 246, 0 Nov 26 10:00 uaccess_dev\n" +
				"crw-rw-rw- 1 root root   1, 9 Nov 26 10:00 urandom\n" +
				"crw-rw-rw- 1 root root 300, 1 Nov 26 10:00 z\n" +
				"crw-rw-rw- 1 root root   1, 5 Nov 26 10:00 zero\n", "", 0},
		{"rm", func() CmdResult { return k.CmdRm([]string{"/dev/uaccess_dev"}) }, "", "", 0},
		{"rm missing", func() CmdResult { return k.CmdRm([]string{"/dev/uaccess_dev"}) },
			"", "rm: cannot remove '/dev/uaccess_dev': No such file or directory\n", 1},
		{"rm -f missing", func() CmdResult { return k.CmdRm([]string{"-f", "/dev/uaccess_dev"}) }, "", "", 0},
		{"rm no operand", func() CmdResult { return k.CmdRm(nil) }, "", "rm: missing operand\nTry 'rm --help' for more information.\n", 1},
		{"ls missing", func() CmdResult { return k.CmdLs([]string{"-l", "/dev/uaccess_dev"}) },
			"", "ls: cannot access '/dev/uaccess_dev': No such file or directory\n", 2},
	}
	for _, c := range cases {
		r := c.run()
		if r.Stdout != c.stdout || r.Stderr != c.stderr || r.Status != c.status {
			t.Errorf("%s: got (%q, %q, %d), want (%q, %q, %d)", c.name, r.Stdout, r.Stderr, r.Status, c.stdout, c.stderr, c.status)
		}
	}
}

func TestLsTimeFollowsTheClock(t *testing.T) {
	k := devBoot(t)
	k.Advance(3600e9 + 125e9) // an hour and two minutes
	k.CmdMknod([]string{"/dev/late", "c", "1", "3"})
	if got := k.CmdLs([]string{"-l", "/dev/late"}).Stdout; !strings.Contains(got, " Nov 26 11:02 /dev/late") {
		t.Errorf("ls -l = %q, want the time 11:02", got)
	}
}

func TestParseMode(t *testing.T) {
	cases := []struct {
		spec string
		old  uint32
		want uint32
		ok   bool
	}{
		{"666", 0o644, 0o666, true},
		{"0600", 0o644, 0o600, true},
		{"4755", 0, 0o4755, true},
		{"a+rw", 0o600, 0o666, true},
		{"u=rw,go=r", 0o777, 0o644, true},
		{"go-rwx", 0o666, 0o600, true},
		{"+w", 0o444, 0o644, true}, // the umask keeps group and other
		{"o+x", 0o644, 0o645, true},
		{"u+s", 0o755, 0o4755, true},
		{"8", 0, 0, false},
		{"77777", 0, 0, false},
		{"a", 0, 0, false},
		{"z+r", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, c := range cases {
		got, ok := ParseMode(c.spec, c.old, false)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("ParseMode(%q, %o) = %o, %v; want %o, %v", c.spec, c.old, got, ok, c.want, c.ok)
		}
	}
}

func TestModeString(t *testing.T) {
	cases := map[uint32]string{
		S_IFCHR | 0o666:           "crw-rw-rw-",
		S_IFCHR | 0o600:           "crw-------",
		S_IFREG | 0o644:           "-rw-r--r--",
		S_IFDIR | S_ISVTX | 0o777: "drwxrwxrwt",
		S_IFREG | S_ISUID | 0o644: "-rwSr--r--",
		S_IFBLK | 0o660:           "brw-rw----",
	}
	for m, want := range cases {
		if got := modeString(m); got != want {
			t.Errorf("modeString(%o) = %q, want %q", m, got, want)
		}
	}
}

func FuzzParseMode(f *testing.F) {
	for _, s := range []string{"666", "a+rw", "u=rw,go=r", "+x", "g-s", ","} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m, ok := ParseMode(s, 0o644, false); ok && m > 0o7777 {
			t.Errorf("ParseMode(%q) = %o: beyond 07777", s, m)
		}
	})
}
