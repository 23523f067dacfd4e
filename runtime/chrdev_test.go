package runtime

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// mknodChmod makes /dev/NAME c MAJOR 0 and chmods it 666, as the seed does.
func mknodChmod(t *testing.T, m *Machine, name string, major int) {
	t.Helper()
	path := "/dev/" + name
	if r := m.k.CmdMknod([]string{path, "c", fmt.Sprint(major), "0"}); r.Status != 0 {
		t.Fatalf("mknod: %+v", r)
	}
	if r := m.k.CmdChmod([]string{"666", path}); r.Status != 0 {
		t.Fatalf("chmod: %+v", r)
	}
}

// TestSeedUaccess runs lessons 8 and 9's driver and user_app through the
// seed's steps.
func TestSeedUaccess(t *testing.T) {
	m := newTestMachine(t)
	loadFile(t, m, "uaccess_test")
	if got := m.Programs(); strings.Join(got, ",") != "bad_app,long_app,user_app" {
		t.Errorf("Programs() = %v", got)
	}
	seq := m.k.NextSeq()
	if err := m.Insmod("uaccess_test.ko", nil); err != nil {
		t.Fatal(err)
	}
	matchLines(t, logText(m, seq), `Registered correctly with major number 246`,
		`Create the device file with: 'sudo mknod /dev/uaccess_dev c 246 0'`)
	mknodChmod(t, m, "uaccess_dev", 246)

	seq = m.k.NextSeq()
	var out bytes.Buffer
	status, err := m.Exec("./user_app", nil, &out)
	if err != nil || status != 0 {
		t.Fatalf("./user_app: status %d, %v\n%s\n%s", status, err, out.String(), dmesgTail(m, 30))
	}
	want := "Starting userspace application...\n" +
		"Writing message to the kernel: [Hello kernel, from userspace!]\n" +
		"Write successful. Now reading from kernel...\n" +
		"Received from kernel: [Hello kernel, from userspace!]\n" +
		"Device closed. Exiting.\n"
	if out.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), want)
	}
	matchLines(t, logText(m, seq), `Device has been opened`, `Received from user: Hello kernel, from userspace!`, `Device successfully closed`)

	// Lesson 8: 40 bytes into char k_buf[32] is refused before copying.
	seq = m.k.NextSeq()
	out.Reset()
	status, err = m.Exec("long_app", nil, &out)
	if err != nil || status != 1 {
		t.Errorf("./long_app: status %d, %v", status, err)
	}
	if out.String() != "Failed to write the message to the device: Bad address\n" {
		t.Errorf("./long_app stdout: %q", out.String())
	}
	matchLines(t, logText(m, seq), `Buffer overflow detected \(32 < 40\)!`, ` dev_write \(uaccess_test\.star:24\) \[uaccess_test\]`,
		` vfs_write\+0x[0-9a-f]+/0x[0-9a-f]+`, `Failed to copy data from user`)
	if log := strings.Join(logText(m, seq), "\n"); strings.Contains(log, "long_app_main") {
		t.Errorf("a user program's frame in a kernel call trace:\n%s", log)
	}

	// Bad pointers: a short copy, and a kernel address refused by access_ok.
	out.Reset()
	seq = m.k.NextSeq()
	if _, err := m.Exec("bad_app", nil, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != "write: Bad address\nkernel address: Bad address\n" {
		t.Errorf("./bad_app stdout: %q", out.String())
	}
	if n := strings.Count(strings.Join(logText(m, seq), "\n"), "Failed to copy data from user"); n != 1 {
		t.Errorf("the driver saw %d bad writes, want 1 (the kernel address never reaches it)", n)
	}

	if _, err := m.Exec("nope", nil, &out); errText(err) != "bash: ./nope: No such file or directory" {
		t.Errorf("exec of a missing program: %v", err)
	}
	seq = m.k.NextSeq()
	if err := m.Rmmod("uaccess_test"); err != nil {
		t.Fatal(err)
	}
	matchLines(t, logText(m, seq), `Unregistered the device\. Goodbye!`)
}

// TestSMAP: a driver dereferencing its __user buffer directly Oopses (SMAP),
// which kills the writing process.
func TestSMAP(t *testing.T) {
	m := newTestMachine(t)
	err := insmodSrc(t, m, `
MODULE_LICENSE("GPL")
g = static(major = 0)
def bad_write(filp, buf, count, offset):
    pr_info("first byte %d\n", buf[0])
    return count
fops = file_operations(owner = THIS_MODULE, write = bad_write)
def i():
    g.major = register_chrdev(0, "smap", fops)
    return 0
def e():
    unregister_chrdev(g.major, "smap")
module_init(i)
module_exit(e)
def app():
    fd = open("/dev/smap", O_WRONLY)
    write(fd, "hello", 5)
    printf("not reached\n")
    return 0
user_program("app", app)
`)
	if err != nil {
		t.Fatal(err)
	}
	mknodChmod(t, m, "smap", 246)
	seq := m.k.NextSeq()
	var out bytes.Buffer
	status, err := m.Exec("app", nil, &out)
	if err != nil || status != 128+11 {
		t.Fatalf("./app: status %d, %v (stdout %q)", status, err, out.String())
	}
	if strings.Contains(out.String(), "not reached") {
		t.Error("the program went on after the Oops")
	}
	matchLines(t, logText(m, seq), `BUG: unable to handle page fault for address: .*`, `.*bad_write \(x\.star:5\) \[x\]`)
}
