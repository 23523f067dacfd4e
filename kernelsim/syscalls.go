package kernelsim

import (
	"errors"
	"path"
)

// The system calls user programs make (open, close, read, write, lseek,
// ioctl, exit_group), each entered as on x86-64: the syscall instruction
// lands in entry_SYSCALL_64, do_syscall_64 dispatches to the handler, and
// the handler's kernel path (ksys_write → vfs_write → the driver's write)
// is what a call trace inside the driver shows below the script frames.
//
// Every call returns what the kernel returns to user space — a
// non-negative result or a negative errno, which the runtime turns into -1
// and errno as libc does — and a Go error that is non-nil only when the
// process did not survive (a *ProcessKilled: a kernel Oops in the call
// kills the task with SIGSEGV, as oops_end does) or a handler failed in a
// way kernelsim cannot interpret (a script error from the bridge, returned
// unchanged). After each call the runtime runs pending softirqs, as the
// return to user space would.

// Kernel call paths of the system calls, outermost last (Debian 6.1.0-28
// offsets). The driver's handler is called from the first frame. Each ends
// with the system call entry (syscallEntry), written out in full so that
// the paths are static data, not slices appended at every start-up.
var (
	syscallEntry = []string{"do_syscall_64+0x55/0xb0", "entry_SYSCALL_64_after_hwframe+0x6e/0xd8"}
	openEntry    = []string{"chrdev_open+0xc5/0x250", "do_dentry_open+0x1e2/0x410", "path_openat+0xb7d/0x1290",
		"do_filp_open+0xb3/0x160", "do_sys_openat2+0x9a/0x160", "__x64_sys_openat+0x54/0xa0", "do_syscall_64+0x55/0xb0", "entry_SYSCALL_64_after_hwframe+0x6e/0xd8"}
	readEntry  = []string{"vfs_read+0xb0/0x300", "ksys_read+0x6b/0xf0", "do_syscall_64+0x55/0xb0", "entry_SYSCALL_64_after_hwframe+0x6e/0xd8"}
	writeEntry = []string{"vfs_write+0xc8/0x3e0", "ksys_write+0x6b/0xf0", "do_syscall_64+0x55/0xb0", "entry_SYSCALL_64_after_hwframe+0x6e/0xd8"}
	lseekEntry = []string{"ksys_lseek+0x8e/0xd0", "do_syscall_64+0x55/0xb0", "entry_SYSCALL_64_after_hwframe+0x6e/0xd8"}
	ioctlEntry = []string{"__x64_sys_ioctl+0x94/0xd0", "do_syscall_64+0x55/0xb0", "entry_SYSCALL_64_after_hwframe+0x6e/0xd8"}
	// closeEntry: close(2) only drops the descriptor; the last fput queues
	// __fput as task work, which runs on the way back to user space.
	closeEntry = []string{"__fput+0xf8/0x2a0", "task_work_run+0x5a/0x90", "exit_to_user_mode_prepare+0x1e4/0x1f0",
		"syscall_exit_to_user_mode+0x1b/0x40", "do_syscall_64+0x55/0xb0", "entry_SYSCALL_64_after_hwframe+0x6e/0xd8"}
	exitEntry = []string{"__fput+0xf8/0x2a0", "task_work_run+0x5a/0x90", "do_exit+0x35b/0xb10",
		"do_group_exit+0x31/0x80", "__x64_sys_exit_group+0x14/0x20", "do_syscall_64+0x55/0xb0", "entry_SYSCALL_64_after_hwframe+0x6e/0xd8"}
)

// syscall runs fn as p's task entered through entry. A fatal Oops kills p.
func (p *Process) syscall(entry []string, fn func() (int64, error)) (int64, error) {
	if p.exited {
		return -int64(ESRCH), &ProcessKilled{PID: p.Task.PID, Signal: p.signal}
	}
	p.k.tick(1_000) // the syscall entry and exit
	var ret int64
	err := p.k.RunTask(p.Task, entry, func() error {
		var err error
		ret, err = fn()
		return err
	})
	var oops *Oops
	if errors.As(err, &oops) && !p.exited {
		return ret, p.killWith(SIGSEGV, oops)
	}
	return ret, err
}

// file returns the open file of fd (fdget), nil for a bad descriptor.
func (p *Process) file(fd int64) *File {
	if fd < 0 || fd >= int64(len(p.files)) {
		return nil
	}
	return p.files[fd]
}

// maxFDs mirrors RLIMIT_NOFILE's soft limit on Debian (1024).
const maxFDs = 1024

// userCwd is the working directory of user programs: relative paths are
// resolved against it.
const userCwd = "/home/" + UserName

// Open mirrors open(path, flags, mode): the lowest free descriptor, or
// -ENOENT, -EACCES (permissions, e.g. /dev/x without chmod 666 for a user
// program), -ENXIO (no driver has the node's major), -EMFILE, or the
// driver's open's error.
func (p *Process) Open(pathname string, flags int, mode uint32) (int64, error) {
	if !path.IsAbs(pathname) {
		pathname = path.Join(userCwd, pathname)
	}
	return p.syscall(openEntry, func() (int64, error) {
		fd := p.freeFD()
		if fd < 0 {
			return -int64(EMFILE), nil
		}
		f, ret, err := p.k.openFile(pathname, flags, mode, p.Task.UID)
		if err != nil || ret < 0 {
			return int64(ret), err
		}
		p.installFD(fd, f)
		return int64(fd), nil
	})
}

// OpenAt is Open with the path in user memory (the runtime's uptr cases):
// getname's strncpy_from_user of at most PATH_MAX bytes first, so a bad
// pointer is -EFAULT, an empty path -ENOENT, an unterminated one
// -ENAMETOOLONG.
func (p *Process) OpenAt(pathAddr Addr, flags int, mode uint32) (int64, error) {
	var name []byte
	var b [1]byte
	for {
		if len(name) == 4096 {
			return -int64(ENAMETOOLONG), nil
		}
		if !IsUserAddr(pathAddr+Addr(len(name))) || p.kernelReadUser(pathAddr+Addr(len(name)), b[:]) < 1 {
			return -int64(EFAULT), nil
		}
		if b[0] == 0 {
			break
		}
		name = append(name, b[0])
	}
	if len(name) == 0 {
		return -int64(ENOENT), nil
	}
	return p.Open(string(name), flags, mode)
}

// kernelReadUser reads user memory as the kernel does (faults are short
// reads, not signals): the bytes read.
func (p *Process) kernelReadUser(a Addr, buf []byte) int {
	n, _, _ := p.k.userAccess(p.MM, a, buf, false)
	return n
}

func (p *Process) freeFD() int {
	for fd, f := range p.files {
		if f == nil {
			return fd
		}
	}
	if len(p.files) >= maxFDs {
		return -1
	}
	return len(p.files)
}

func (p *Process) installFD(fd int, f *File) {
	if fd == len(p.files) {
		p.files = append(p.files, f)
		return
	}
	p.files[fd] = f
}

// Close mirrors close(fd): -EBADF for a bad descriptor, else 0; when this
// was the last reference the driver's release runs (its result is ignored,
// as Linux ignores it).
func (p *Process) Close(fd int64) (int64, error) {
	return p.syscall(closeEntry, func() (int64, error) {
		f := p.file(fd)
		if f == nil {
			return -int64(EBADF), nil
		}
		p.files[fd] = nil
		return 0, p.k.fput(f)
	})
}

// Read mirrors read(fd, buf, count): bytes read, 0 at end of file, or
// -EBADF, -EFAULT (buf fails access_ok, or the driver says so), -EINVAL
// (no read handler), or the driver's errno.
func (p *Process) Read(fd int64, buf Addr, count uint64) (int64, error) {
	return p.syscall(readEntry, func() (int64, error) {
		f := p.file(fd)
		if f == nil {
			return -int64(EBADF), nil
		}
		return p.k.ksysRead(f, buf, count)
	})
}

// Write mirrors write(fd, buf, count): bytes written or a negative errno as
// Read. A kernel address as buf is -EFAULT before the driver is called.
func (p *Process) Write(fd int64, buf Addr, count uint64) (int64, error) {
	return p.syscall(writeEntry, func() (int64, error) {
		f := p.file(fd)
		if f == nil {
			return -int64(EBADF), nil
		}
		return p.k.ksysWrite(f, buf, count)
	})
}

// Lseek mirrors lseek(fd, offset, whence): the new position, or -EBADF,
// -EINVAL, -ESPIPE (a driver without llseek), or the driver's errno.
func (p *Process) Lseek(fd int64, offset int64, whence int) (int64, error) {
	return p.syscall(lseekEntry, func() (int64, error) {
		f := p.file(fd)
		if f == nil {
			return -int64(EBADF), nil
		}
		return p.k.vfsLlseek(f, offset, whence)
	})
}

// Ioctl mirrors ioctl(fd, cmd, arg): the driver's result, -EBADF, or
// -ENOTTY when the driver has no unlocked_ioctl.
func (p *Process) Ioctl(fd int64, cmd uint32, arg uint64) (int64, error) {
	return p.syscall(ioctlEntry, func() (int64, error) {
		f := p.file(fd)
		if f == nil {
			return -int64(EBADF), nil
		}
		return p.k.doVfsIoctl(p, int(fd), f, cmd, arg)
	})
}

// OpenFiles lists the descriptors in use, ascending.
func (p *Process) OpenFiles() []int {
	var fds []int
	for fd, f := range p.files {
		if f != nil {
			fds = append(fds, fd)
		}
	}
	return fds
}

// FileOf returns the open file behind fd, nil if none (for tests and the
// runtime's diagnostics).
func (p *Process) FileOf(fd int) *File { return p.file(int64(fd)) }
