package kernelsim

import "math"

// read(2), write(2), lseek(2) and ioctl(2) below the fd table: fs/read_write.c
// and fs/ioctl.c (Linux 6.1).

// MAX_RW_COUNT mirrors MAX_RW_COUNT (include/linux/fs.h): INT_MAX rounded
// down to a page; longer reads and writes are clamped to it.
const MAX_RW_COUNT = math.MaxInt32 &^ (PageSize - 1)

// lseek whence values (include/uapi/linux/fs.h).
const (
	SEEK_SET  = 0
	SEEK_CUR  = 1
	SEEK_END  = 2
	SEEK_DATA = 3
	SEEK_HOLE = 4
	SEEK_MAX  = SEEK_HOLE
)

// maxLFSFileSize mirrors MAX_LFS_FILESIZE on 64-bit.
const maxLFSFileSize = math.MaxInt64

// rwVerifyArea mirrors rw_verify_area(): a negative count or position is
// EINVAL (char devices have no unsigned offsets).
func rwVerifyArea(pos *int64, count uint64) Errno {
	if int64(count) < 0 {
		return EINVAL
	}
	if pos != nil && (*pos < 0 || *pos+int64(count) < 0) {
		return EINVAL
	}
	return 0
}

// vfsRead mirrors vfs_read(): the file must be open for reading (EBADF) and
// have a read (EINVAL); the user buffer must pass access_ok (EFAULT) — all
// before the driver sees anything; the count is clamped to MAX_RW_COUNT.
func (k *Kernel) vfsRead(f *File, buf Addr, count uint64, pos *int64) (int64, error) {
	switch {
	case f.Mode&FMODE_READ == 0:
		return -int64(EBADF), nil
	case f.Mode&FMODE_CAN_READ == 0:
		return -int64(EINVAL), nil
	case !AccessOK(buf, count):
		return -int64(EFAULT), nil
	}
	if err := rwVerifyArea(pos, count); err != 0 {
		return -int64(err), nil
	}
	return f.Op.Read(f, buf, min(count, MAX_RW_COUNT), pos)
}

// vfsWrite mirrors vfs_write(): as vfsRead, for writing. A kernel address
// passed as the buffer fails access_ok and never reaches the driver.
func (k *Kernel) vfsWrite(f *File, buf Addr, count uint64, pos *int64) (int64, error) {
	switch {
	case f.Mode&FMODE_WRITE == 0:
		return -int64(EBADF), nil
	case f.Mode&FMODE_CAN_WRITE == 0:
		return -int64(EINVAL), nil
	case !AccessOK(buf, count):
		return -int64(EFAULT), nil
	}
	if err := rwVerifyArea(pos, count); err != 0 {
		return -int64(err), nil
	}
	return f.Op.Write(f, buf, min(count, MAX_RW_COUNT), pos)
}

// ksysRead mirrors ksys_read(): the driver gets a copy of f_pos, which is
// written back when the read succeeds.
func (k *Kernel) ksysRead(f *File, buf Addr, count uint64) (int64, error) {
	pos := f.Pos
	ret, err := k.vfsRead(f, buf, count, &pos)
	if err == nil && ret >= 0 {
		f.Pos = pos
	}
	return ret, err
}

// ksysWrite mirrors ksys_write().
func (k *Kernel) ksysWrite(f *File, buf Addr, count uint64) (int64, error) {
	pos := f.Pos
	ret, err := k.vfsWrite(f, buf, count, &pos)
	if err == nil && ret >= 0 {
		f.Pos = pos
	}
	return ret, err
}

// vfsLlseek mirrors vfs_llseek() and ksys_lseek(): whence beyond SEEK_MAX
// is EINVAL; a driver without llseek gives no_llseek's ESPIPE.
func (k *Kernel) vfsLlseek(f *File, offset int64, whence int) (int64, error) {
	if whence < 0 || whence > SEEK_MAX {
		return -int64(EINVAL), nil
	}
	if f.Mode&FMODE_LSEEK == 0 || f.Op == nil || f.Op.Llseek == nil {
		return NoLlseek(f, offset, whence)
	}
	return f.Op.Llseek(f, offset, whence)
}

// ioctl commands the VFS handles itself (include/uapi/asm-generic/ioctls.h).
const (
	FIONCLEX = 0x5450
	FIOCLEX  = 0x5451
	FIONBIO  = 0x5421
	FIOASYNC = 0x5452

	enoioctlcmd = 515 // ENOIOCTLCMD: "not mine", turned into ENOTTY
)

// doVfsIoctl mirrors do_vfs_ioctl() then vfs_ioctl(): the generic commands,
// else the driver's unlocked_ioctl (none: ENOTTY).
func (k *Kernel) doVfsIoctl(p *Process, fd int, f *File, cmd uint32, arg uint64) (int64, error) {
	switch cmd {
	case FIOCLEX, FIONCLEX:
		return 0, nil // close-on-exec: no exec in the simulation
	case FIONBIO, FIOASYNC:
		v, ret, err := k.GetUser(Addr(arg), 4)
		if err != nil || ret != 0 {
			return int64(ret), err
		}
		if cmd == FIONBIO {
			f.Flags &^= O_NONBLOCK
			if v != 0 {
				f.Flags |= O_NONBLOCK
			}
		}
		return 0, nil
	}
	if f.Op == nil || f.Op.UnlockedIoctl == nil {
		return -int64(ENOTTY), nil
	}
	ret, err := f.Op.UnlockedIoctl(f, cmd, arg)
	if ret == -enoioctlcmd {
		ret = -int64(ENOTTY)
	}
	return ret, err
}

// DefaultLlseek mirrors default_llseek() (fs/read_write.c): SEEK_SET, CUR
// and END (from i_size, 0 for a device) to any non-negative position.
func DefaultLlseek(f *File, offset int64, whence int) (int64, error) {
	size := f.Inode.Size
	switch whence {
	case SEEK_END:
		offset += size
	case SEEK_CUR:
		if offset == 0 {
			return f.Pos, nil
		}
		offset += f.Pos
	case SEEK_DATA:
		if offset >= size {
			return -int64(ENXIO), nil
		}
	case SEEK_HOLE:
		if offset >= size {
			return -int64(ENXIO), nil
		}
		offset = size
	}
	if offset < 0 {
		return -int64(EINVAL), nil
	}
	f.Pos = offset
	return offset, nil
}

// NoopLlseek mirrors noop_llseek(): the position does not move; lseek
// reports the current one.
func NoopLlseek(f *File, offset int64, whence int) (int64, error) { return f.Pos, nil }

// NoLlseek mirrors no_llseek(): the device cannot seek (ESPIPE).
func NoLlseek(f *File, offset int64, whence int) (int64, error) { return -int64(ESPIPE), nil }

// FixedSizeLlseek mirrors fixed_size_llseek(file, offset, whence, size): a
// device that looks like a file of size bytes.
func FixedSizeLlseek(f *File, offset int64, whence int, size int64) (int64, error) {
	if whence > SEEK_END {
		return -int64(EINVAL), nil
	}
	return genericFileLlseekSize(f, offset, whence, size, size)
}

// genericFileLlseekSize mirrors generic_file_llseek_size().
func genericFileLlseekSize(f *File, offset int64, whence int, maxsize, eof int64) (int64, error) {
	switch whence {
	case SEEK_END:
		offset += eof
	case SEEK_CUR:
		if offset == 0 {
			return f.Pos, nil
		}
		offset += f.Pos
	case SEEK_DATA:
		if offset >= eof {
			return -int64(ENXIO), nil
		}
	case SEEK_HOLE:
		if offset >= eof {
			return -int64(ENXIO), nil
		}
		offset = eof
	}
	// vfs_setpos
	if offset < 0 || offset > maxsize {
		return -int64(EINVAL), nil
	}
	f.Pos = offset
	return offset, nil
}

// regularFileOps are a regular file's operations (the page cache of
// mm/filemap.c reduced to a byte slice in the inode).
func (k *Kernel) regularFileOps() *FileOperations {
	return &FileOperations{
		Read:  k.regularRead,
		Write: k.regularWrite,
		Llseek: func(f *File, offset int64, whence int) (int64, error) {
			return genericFileLlseekSize(f, offset, whence, maxLFSFileSize, f.Inode.Size)
		},
	}
}

func (k *Kernel) regularRead(f *File, buf Addr, count uint64, pos *int64) (int64, error) {
	ino := f.Inode
	if ino.IsDir() {
		return -int64(EISDIR), nil
	}
	if *pos >= ino.Size {
		return 0, nil
	}
	data := ino.data[*pos:min(int64(len(ino.data)), *pos+int64(min(count, math.MaxInt32)))]
	left, err := k.bytesToUser(buf, data)
	done := int64(len(data)) - int64(left)
	if done == 0 && len(data) > 0 {
		return -int64(EFAULT), err
	}
	*pos += done
	return done, err
}

func (k *Kernel) regularWrite(f *File, buf Addr, count uint64, pos *int64) (int64, error) {
	ino := f.Inode
	if f.Flags&O_APPEND != 0 {
		*pos = ino.Size
	}
	if count > 16<<20 {
		count = 16 << 20 // a small simulated file system
	}
	data, _, err := k.bytesFromUser(buf, count)
	if err != nil || (len(data) == 0 && count > 0) {
		return -int64(EFAULT), err
	}
	if end := *pos + int64(len(data)); end > int64(len(ino.data)) {
		ino.data = append(ino.data, make([]byte, end-int64(len(ino.data)))...)
	}
	copy(ino.data[*pos:], data)
	ino.Size, ino.Mtime = int64(len(ino.data)), k.now
	*pos += int64(len(data))
	return int64(len(data)), nil
}
