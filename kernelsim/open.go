package kernelsim

// FileOperations mirrors struct file_operations (include/linux/fs.h): the
// driver's handlers, which the Starlark bridge builds as Go closures around
// the script's functions. A nil handler is an absent one, with Linux's
// default behaviour: no open or release is fine, no read makes read(2) fail
// with EINVAL, no llseek makes lseek(2) fail with ESPIPE, no unlocked_ioctl
// makes ioctl(2) fail with ENOTTY.
//
// Each handler returns what its C counterpart returns (0 or a negative
// errno; a byte count; a new position) and a Go error that is non-nil only
// when the handler could not complete: a *Oops (the kernel killed the task)
// or a script failure from the bridge. kernelsim propagates such errors
// unchanged.
type FileOperations struct {
	// Owner mirrors .owner = THIS_MODULE: every open file pins the module
	// (try_module_get) until release, so rmmod fails with EBUSY meanwhile.
	// nil pins nothing, as for a driver that forgets .owner.
	Owner *Module

	Open    func(inode *Inode, filp *File) (int, error)
	Release func(inode *Inode, filp *File) (int, error)
	// Read and Write get a __user buffer, a byte count and the file position
	// (loff_t *): the handler advances *pos itself.
	Read  func(filp *File, buf Addr, count uint64, pos *int64) (int64, error)
	Write func(filp *File, buf Addr, count uint64, pos *int64) (int64, error)
	// Llseek returns the new position or a negative errno. DefaultLlseek,
	// NoopLlseek, NoLlseek and FixedSizeLlseek are the kernel's stock ones.
	Llseek        func(filp *File, offset int64, whence int) (int64, error)
	UnlockedIoctl func(filp *File, cmd uint32, arg uint64) (int64, error)

	// builtinOpen is the open of a driver built into kernelsim (mem, misc):
	// a plain function given the kernel it runs in, used instead of Open.
	// Unlike a closure over the kernel, it stays right when the booted
	// kernel is copied (runtime/grade/kclone): the copy's open acts on the
	// copy, not on the kernel it was copied from.
	builtinOpen func(k *Kernel, inode *Inode, filp *File) (int, error)
}

// FMode mirrors fmode_t: what an open file may do.
type FMode uint32

// fmode_t bits (include/linux/fs.h).
const (
	FMODE_READ      FMode = 0x1
	FMODE_WRITE     FMode = 0x2
	FMODE_LSEEK     FMode = 0x4
	FMODE_PREAD     FMode = 0x8
	FMODE_PWRITE    FMode = 0x10
	FMODE_CAN_READ  FMode = 0x20000
	FMODE_CAN_WRITE FMode = 0x40000
)

// open(2) flags (include/uapi/asm-generic/fcntl.h, octal as in C).
const (
	O_RDONLY   = 0o0
	O_WRONLY   = 0o1
	O_RDWR     = 0o2
	O_ACCMODE  = 0o3
	O_CREAT    = 0o100
	O_EXCL     = 0o200
	O_NOCTTY   = 0o400
	O_TRUNC    = 0o1000
	O_APPEND   = 0o2000
	O_NONBLOCK = 0o4000
)

// File mirrors struct file (include/linux/fs.h): one open of an inode, with
// its own position, flags and the driver's private_data.
type File struct {
	Pos   int64 // f_pos
	Flags int   // f_flags: the O_* flags of open(2)
	Mode  FMode // f_mode
	// PrivateData mirrors private_data: the driver stores what it likes
	// (the bridge keeps a Starlark value here; misc_open sets the
	// *MiscDevice).
	PrivateData any
	Op          *FileOperations // f_op
	Inode       *Inode          // f_inode
	Path        string          // the name it was opened by, for messages

	count  int   // f_count: descriptors referring to this file
	cdev   *Cdev // the cdev chrdev_open pinned
	opHeld bool  // Op's owner is pinned (fops_get)
}

// openFMode mirrors OPEN_FMODE(flags) plus do_dentry_open's FMODE_LSEEK,
// FMODE_PREAD and FMODE_PWRITE.
func openFMode(flags int) FMode {
	m := FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE
	switch flags & O_ACCMODE {
	case O_RDONLY:
		m |= FMODE_READ
	case O_WRONLY:
		m |= FMODE_WRITE
	case O_RDWR:
		m |= FMODE_READ | FMODE_WRITE
	}
	return m
}

// accMask is the permission open(2) needs for flags (ACC_MODE): O_ACCMODE 3
// (no read, no write: ioctl only) needs both.
func accMask(flags int) int {
	return [4]int{MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE, MAY_READ | MAY_WRITE}[flags&O_ACCMODE]
}

// openFile mirrors do_sys_openat2 → path_openat → do_open → vfs_open →
// do_dentry_open for uid: look p up (creating a regular file for O_CREAT),
// check permission (may_open), then call the inode's open — chrdev_open for
// a char device, which reaches the driver's open. It returns the file, or a
// negative errno, or a fatal error from the driver.
func (k *Kernel) openFile(p string, flags int, mode uint32, uid int) (*File, int, error) {
	ino, errno := k.openLookup(p, flags, mode, uid)
	if errno != 0 {
		return nil, -int(errno), nil
	}
	if errno := mayOpen(ino, flags, uid); errno != 0 {
		return nil, -int(errno), nil
	}
	f := &File{Flags: flags &^ (O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC), Mode: openFMode(flags), Inode: ino, Path: p, count: 1}
	ret, err := k.doDentryOpen(ino, f)
	if err != nil || ret < 0 {
		return nil, ret, err
	}
	if flags&O_TRUNC != 0 && ino.Mode&S_IFMT == S_IFREG && f.Mode&FMODE_WRITE != 0 {
		ino.data, ino.Size, ino.Mtime = nil, 0, k.now
	}
	return f, 0, nil
}

// openLookup finds p, or creates it as a regular file when O_CREAT asks
// (EEXIST with O_EXCL when it exists).
func (k *Kernel) openLookup(p string, flags int, mode uint32, uid int) (*Inode, Errno) {
	ino, errno := k.lookup(p)
	switch {
	case errno == ENOENT && flags&O_CREAT != 0:
		if errno := k.Mknod(p, S_IFREG|mode&S_IALLUGO, 0, uid); errno != 0 {
			return nil, errno
		}
		return k.lookup(p)
	case errno == 0 && flags&O_CREAT != 0 && flags&O_EXCL != 0:
		return nil, EEXIST
	}
	return ino, errno
}

// mayOpen mirrors may_open() (fs/namei.c): directories cannot be opened for
// writing; the access mode needs the inode's permission.
func mayOpen(ino *Inode, flags int, uid int) Errno {
	if ino.IsDir() && flags&O_ACCMODE != O_RDONLY {
		return EISDIR
	}
	return generic_permission(ino, uid, accMask(flags))
}

// doDentryOpen mirrors do_dentry_open(): the file gets the inode's
// operations (def_chr_fops for a char device), whose open runs; then
// FMODE_CAN_READ/WRITE record whether read and write exist.
func (k *Kernel) doDentryOpen(ino *Inode, f *File) (int, error) {
	var ret int
	var err error
	switch ino.Mode & S_IFMT {
	case S_IFCHR:
		ret, err = k.chrdevOpen(ino, f)
	case S_IFBLK:
		ret = -int(ENXIO) // no block drivers in the simulation
	default:
		f.Op = ino.fop
		if f.Op == nil {
			f.Op = k.regularFileOps()
		}
	}
	if err != nil || ret < 0 {
		return ret, err
	}
	if f.Op != nil && f.Op.Read != nil {
		f.Mode |= FMODE_CAN_READ
	}
	if f.Op != nil && f.Op.Write != nil {
		f.Mode |= FMODE_CAN_WRITE
	}
	return 0, nil
}

// fput mirrors fput() → __fput() (fs/file_table.c): when the last reference
// goes, the driver's release runs (its return value is ignored, as in
// Linux) and the module references taken at open are dropped.
func (k *Kernel) fput(f *File) error {
	f.count--
	if f.count > 0 {
		return nil
	}
	var err error
	if f.Op != nil && f.Op.Release != nil {
		_, err = f.Op.Release(f.Inode, f)
	}
	k.fopsPut(f)
	k.cdevPut(f)
	return err
}
