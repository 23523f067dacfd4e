package kernelsim

import (
	"path"
	"sort"
	"strings"

	"kscript.dev/kscript/runtime/lazy"
)

// The small VFS: a handful of directories (/, /dev, /tmp, /root, the
// user's home) holding device
// nodes and small regular files, enough for the workshop's mknod, chmod, rm,
// ls -l, echo > /dev/x and cat /dev/x. It mirrors the parts of fs/namei.c
// (lookup, permission, mknod, unlink), fs/attr.c (chmod) and fs/stat.c that
// those commands exercise.
//
// Unlike Linux, there is one flat namespace of absolute paths rather than a
// dentry tree, no mounts, and /dev is a plain directory that device_create()
// also writes to (devtmpfs in Linux).

// File type and permission bits of i_mode (include/uapi/linux/stat.h).
const (
	S_IFMT    = 0o170000
	S_IFREG   = 0o100000
	S_IFDIR   = 0o040000
	S_IFCHR   = 0o020000
	S_IFBLK   = 0o060000
	S_ISUID   = 0o4000
	S_ISGID   = 0o2000
	S_ISVTX   = 0o1000
	S_IRWXUGO = 0o777
	S_IALLUGO = 0o7777
)

// Permission masks (include/linux/fs.h MAY_*).
const (
	MAY_EXEC  = 1
	MAY_WRITE = 2
	MAY_READ  = 4
)

// The simulated users and groups: root, and the ordinary user that user
// programs run as.
const (
	RootUID  = 0
	UserUID  = 1000
	UserName = "student"
)

var userNames = lazy.NewMap(userNamesTable)

func userNamesTable() map[int]string {
	return map[int]string{0: "root", UserUID: UserName}
}

var groupNames = lazy.NewMap(groupNamesTable)

func groupNamesTable() map[int]string {
	return map[int]string{0: "root", 5: "tty", 15: "kmem", UserUID: UserName}
}

// Inode mirrors the parts of struct inode (include/linux/fs.h) the VFS
// needs: type and permissions, owner, device number, size and time.
type Inode struct {
	Ino   uint64
	Mode  uint32 // file type and permission bits (i_mode)
	UID   int
	GID   int
	Rdev  DevT   // the device number of a device node (i_rdev)
	Size  int64  // i_size: 0 for devices
	Mtime uint64 // simulated ns since boot
	Nlink int

	data     []byte          // a regular file's contents
	fop      *FileOperations // i_fop: operations for a non-device inode
	devtmpfs bool            // made by device_create(), removed by device_destroy()
}

// IsChr reports whether the inode is a char device node (S_ISCHR).
func (i *Inode) IsChr() bool { return i.Mode&S_IFMT == S_IFCHR }

// IsDir reports whether the inode is a directory (S_ISDIR).
func (i *Inode) IsDir() bool { return i.Mode&S_IFMT == S_IFDIR }

// Imajor mirrors imajor(inode).
func (i *Inode) Imajor() uint32 { return MAJOR(i.Rdev) }

// Iminor mirrors iminor(inode).
func (i *Inode) Iminor() uint32 { return MINOR(i.Rdev) }

// vfsState holds the namespace: absolute path -> inode.
type vfsState struct {
	nodes   map[string]*Inode
	nextIno uint64
}

// bootVFS creates the directories and the memory devices' nodes
// (drivers/char/mem.c's devlist, as udev leaves them).
func (k *Kernel) bootVFS() {
	k.dev.vfs = vfsState{nodes: map[string]*Inode{}, nextIno: 2}
	k.newInode("/", S_IFDIR|0o755, 0, 0, 0)
	k.newInode("/dev", S_IFDIR|0o755, 0, 0, 0)
	k.newInode("/tmp", S_IFDIR|S_ISVTX|0o777, 0, 0, 0)
	k.newInode("/root", S_IFDIR|0o700, 0, 0, 0)
	k.newInode("/home", S_IFDIR|0o755, 0, 0, 0)
	k.newInode(userCwd, S_IFDIR|0o755, UserUID, UserUID, 0)
	for _, m := range memDevices {
		k.newInode("/dev/"+m.name, S_IFCHR|m.mode, 0, 0, MKDEV(memMajor, m.minor))
	}
}

func (k *Kernel) newInode(p string, mode uint32, uid, gid int, rdev DevT) *Inode {
	v := &k.dev.vfs
	ino := &Inode{Ino: v.nextIno, Mode: mode, UID: uid, GID: gid, Rdev: rdev, Mtime: k.now, Nlink: 1}
	if ino.IsDir() {
		ino.Nlink = 2
	}
	v.nextIno++
	v.nodes[p] = ino
	return ino
}

// cleanPath checks that p is absolute and cleans it.
func cleanPath(p string) (string, Errno) {
	if !strings.HasPrefix(p, "/") {
		return "", ENOENT
	}
	if len(p) > 4095 {
		return "", ENAMETOOLONG
	}
	return path.Clean(p), 0
}

// lookup mirrors path lookup (fs/namei.c): the inode at p, ENOENT when
// there is none or a directory on the way is missing, ENOTDIR when a
// component on the way is not a directory.
func (k *Kernel) lookup(p string) (*Inode, Errno) {
	p, err := cleanPath(p)
	if err != 0 {
		return nil, err
	}
	if p != "/" {
		if dir, err := k.lookup(path.Dir(p)); err != 0 {
			return nil, err
		} else if !dir.IsDir() {
			return nil, ENOTDIR
		}
	}
	ino, ok := k.dev.vfs.nodes[p]
	if !ok {
		return nil, ENOENT
	}
	return ino, 0
}

// lookupParent finds the directory a new name p would go in, as
// filename_create() does: ENOENT without it, EEXIST when p exists.
func (k *Kernel) lookupParent(p string) (string, *Inode, Errno) {
	p, err := cleanPath(p)
	if err != 0 {
		return "", nil, err
	}
	if p == "/" {
		return "", nil, EEXIST
	}
	dir, err := k.lookup(path.Dir(p))
	if err != 0 {
		return "", nil, err
	}
	if !dir.IsDir() {
		return "", nil, ENOTDIR
	}
	if _, ok := k.dev.vfs.nodes[p]; ok {
		return "", nil, EEXIST
	}
	return p, dir, 0
}

// inGroup mirrors in_group_p() for the simulated users: root is in group
// 0, the user in its own group.
func inGroup(uid, gid int) bool { return uid == gid }

// generic_permission mirrors generic_permission() (fs/namei.c): the owner
// bits for the owner, the group bits for a member of the group, the other
// bits for the rest; root (CAP_DAC_OVERRIDE) may read and write anything and
// execute what has any x bit. 0 or EACCES.
func generic_permission(ino *Inode, uid int, mask int) Errno {
	mode := int(ino.Mode)
	switch {
	case uid == ino.UID:
		mode >>= 6
	case inGroup(uid, ino.GID):
		mode >>= 3
	}
	if mask&^mode&(MAY_READ|MAY_WRITE|MAY_EXEC) == 0 {
		return 0
	}
	if uid == RootUID && (mask&MAY_EXEC == 0 || ino.Mode&0o111 != 0 || ino.IsDir()) {
		return 0
	}
	return EACCES
}

// mayCreate mirrors may_create(): write and search permission on dir.
func mayCreate(dir *Inode, uid int) Errno {
	return generic_permission(dir, uid, MAY_WRITE|MAY_EXEC)
}

// Mknod mirrors mknod(2) (fs/namei.c do_mknodat + vfs_mknod) for uid: a
// device node or regular file at p with mode (type | permissions, before the
// umask 022 is applied) and device number dev. Errors: ENOENT (no such
// directory), EEXIST, EACCES (no write permission on the directory), EPERM
// (a device node made by someone other than root: CAP_MKNOD), EINVAL (a type
// mknod cannot make).
func (k *Kernel) Mknod(p string, mode uint32, dev DevT, uid int) Errno {
	k.tick(5_000)
	switch mode & S_IFMT {
	case S_IFCHR, S_IFBLK, S_IFREG:
	case 0:
		mode |= S_IFREG
	default:
		return EINVAL
	}
	p, dir, err := k.lookupParent(p)
	if err != 0 {
		return err
	}
	if err := mayCreate(dir, uid); err != 0 {
		return err
	}
	if mode&S_IFMT != S_IFREG && uid != RootUID {
		return EPERM
	}
	if mode&S_IFMT == S_IFREG {
		dev = 0
	}
	k.newInode(p, mode&^0o022, uid, uid, dev)
	return 0
}

// Chmod mirrors chmod(2) (fs/open.c chmod_common, fs/attr.c
// setattr_prepare): only the owner or root may change the permission bits.
// ENOENT or EPERM.
func (k *Kernel) Chmod(p string, mode uint32, uid int) Errno {
	k.tick(3_000)
	ino, err := k.lookup(p)
	if err != 0 {
		return err
	}
	if uid != RootUID && uid != ino.UID {
		return EPERM
	}
	ino.Mode = ino.Mode&S_IFMT | mode&S_IALLUGO
	return 0
}

// Unlink mirrors unlink(2) (fs/namei.c do_unlinkat + may_delete): remove the
// name p. Files open on it stay usable. Errors: ENOENT, EISDIR, EACCES (no
// write permission on the directory), EPERM (sticky directory, not the
// owner).
func (k *Kernel) Unlink(p string, uid int) Errno {
	k.tick(4_000)
	ino, err := k.lookup(p)
	if err != 0 {
		return err
	}
	if ino.IsDir() {
		return EISDIR
	}
	p, _ = cleanPath(p)
	dir, _ := k.lookup(path.Dir(p))
	if err := mayCreate(dir, uid); err != 0 {
		return err
	}
	if dir.Mode&S_ISVTX != 0 && uid != RootUID && uid != ino.UID && uid != dir.UID {
		return EPERM
	}
	delete(k.dev.vfs.nodes, p)
	ino.Nlink--
	return 0
}

// Stat mirrors stat(2): the inode at p (a copy) or ENOENT.
func (k *Kernel) Stat(p string) (Inode, Errno) {
	ino, err := k.lookup(p)
	if err != 0 {
		return Inode{}, err
	}
	return *ino, 0
}

// Mkdir creates directory p for root, as mkdir(1) would: the shell uses it
// for its working directory. EEXIST, ENOENT.
func (k *Kernel) Mkdir(p string, mode uint32) Errno {
	p, _, err := k.lookupParent(p)
	if err != 0 {
		return err
	}
	k.newInode(p, S_IFDIR|mode&S_IALLUGO&^0o022, 0, 0, 0)
	return 0
}

// readDir lists the names directly inside directory dir, sorted bytewise
// (ls in the C locale).
func (k *Kernel) readDir(dir string) []string {
	var names []string
	for p := range k.dev.vfs.nodes {
		if p != "/" && path.Dir(p) == dir {
			names = append(names, p)
		}
	}
	sort.Strings(names)
	return names
}
