package kernelsim

// The devices a Debian 12 VM (6.1.0-28-amd64, QEMU i440FX, virtio disk)
// has registered by the time a user logs in, so that /proc/devices reads as
// on that machine and dynamic majors come out as there: the built-in
// drivers that ask for a dynamic major (gpiolib, tpm, dax, rtc, pps, ptp,
// bsg, cxl) take 254 down to 247 in their initcall order, so a module's
// first register_chrdev(0, ...) gets 246.

type bootChrdev struct {
	major, baseminor, count uint32
	name                    string
	open                    func(k *Kernel, inode *Inode, filp *File) (int, error) // the driver's open; nil: no driver
}

var bootChrdevs = []bootChrdev{
	{1, 0, 256, "mem", (*Kernel).memoryOpen},
	{4, 0, 1, "/dev/vc/0", nil},
	{4, 1, 63, "tty", nil},
	{4, 64, 32, "ttyS", nil},
	{5, 0, 1, "/dev/tty", nil},
	{5, 1, 1, "/dev/console", nil},
	{5, 2, 1, "/dev/ptmx", nil},
	{7, 0, 256, "vcs", nil},
	{10, 0, 256, "misc", (*Kernel).miscOpen},
	{13, 0, 256, "input", nil},
	{29, 0, 32, "fb", nil},
	{128, 0, 1 << 20, "ptm", nil},
	{136, 0, 1 << 20, "pts", nil},
	{153, 0, 256, "spi", nil},
	// Dynamic majors, in initcall order.
	{0, 0, 256, "gpiochip", nil},
	{0, 0, 2 * 65536, "tpm", nil},
	{0, 0, MinorMask + 1, "dax", nil},
	{0, 0, 16, "rtc", nil},
	{0, 0, 16, "pps", nil},
	{0, 0, MinorMask + 1, "ptp", nil},
	{0, 0, 32768, "bsg", nil},
	{0, 0, 65536, "cxl", nil},
}

// blkdevMajor is one register_blkdev() major (block/genhd.c major_names).
type blkdevMajor struct {
	major uint32
	name  string
}

// bootBlkdevs lists the block majors of the VM: loop, sd (16 majors), md,
// sr, virtio-blk's dynamic major, device-mapper, mdp and blkext.
func bootBlkdevs() []blkdevMajor {
	out := []blkdevMajor{{7, "loop"}, {8, "sd"}, {9, "md"}, {11, "sr"}}
	for m := uint32(65); m <= 71; m++ {
		out = append(out, blkdevMajor{m, "sd"})
	}
	for m := uint32(128); m <= 135; m++ {
		out = append(out, blkdevMajor{m, "sd"})
	}
	return append(out, blkdevMajor{252, "virtblk"}, blkdevMajor{253, "device-mapper"},
		blkdevMajor{254, "mdp"}, blkdevMajor{259, "blkext"})
}

// memMajor is MEM_MAJOR: /dev/null, /dev/zero and friends
// (drivers/char/mem.c).
const memMajor = 1

// memDevice is one entry of mem.c's devlist.
type memDevice struct {
	minor uint32
	name  string
	mode  uint32
}

var memDevices = []memDevice{
	{3, "null", 0o666},
	{5, "zero", 0o666},
	{7, "full", 0o666},
	{8, "random", 0o666},
	{9, "urandom", 0o666},
}

// memoryOpen mirrors memory_open(), the open of memory_fops (major 1): it
// switches the file to the operations of the device the minor names.
func (k *Kernel) memoryOpen(inode *Inode, filp *File) (int, error) {
	var ops *FileOperations
	switch inode.Iminor() {
	case 3:
		ops = &FileOperations{Read: readNull, Write: writeNull, Llseek: nullLseek}
	case 5:
		ops = &FileOperations{Read: k.readZero, Write: writeNull, Llseek: nullLseek}
	case 7:
		ops = &FileOperations{Read: k.readZero, Write: writeFull, Llseek: nullLseek}
	case 8, 9:
		ops = &FileOperations{Read: k.readRandom, Write: writeNull, Llseek: NoopLlseek}
	default:
		return -int(ENXIO), nil
	}
	k.replaceFops(filp, ops)
	return 0, nil
}

// replaceFops mirrors replace_fops(file, fops) after a fops_get(fops): the
// old operations' module is released, the new ones' pinned.
func (k *Kernel) replaceFops(filp *File, fops *FileOperations) bool {
	if !k.ModuleGet(fops.Owner) {
		return false
	}
	k.fopsPut(filp)
	filp.Op, filp.opHeld = fops, true
	return true
}

func readNull(*File, Addr, uint64, *int64) (int64, error) { return 0, nil }

func writeNull(_ *File, _ Addr, count uint64, _ *int64) (int64, error) { return int64(count), nil }

func writeFull(*File, Addr, uint64, *int64) (int64, error) { return -int64(ENOSPC), nil }

func nullLseek(f *File, _ int64, _ int) (int64, error) {
	f.Pos = 0
	return 0, nil
}

// readZero mirrors read_zero(): clear_user a page at a time; a fault after
// some bytes ends the read short, a fault at once is -EFAULT.
func (k *Kernel) readZero(_ *File, buf Addr, count uint64, _ *int64) (int64, error) {
	var cleared uint64
	for count > 0 {
		chunk := min(count, PageSize)
		left, err := k.ClearUser(buf+Addr(cleared), chunk)
		if err != nil {
			return 0, err
		}
		cleared += chunk - left
		if left > 0 {
			if cleared == 0 {
				return -int64(EFAULT), nil
			}
			break
		}
		count -= chunk
	}
	return int64(cleared), nil
}

// readRandom stands in for urandom_read_iter: random bytes, from the
// kernel's seeded source so that runs repeat. Unlike Linux, reads are
// capped at one page, as a short read is allowed to be.
func (k *Kernel) readRandom(_ *File, buf Addr, count uint64, _ *int64) (int64, error) {
	data := make([]byte, min(count, PageSize))
	for i := range data {
		data[i] = byte(k.rng.Uint32())
	}
	left, err := k.bytesToUser(buf, data)
	if done := int64(len(data)) - int64(left); done > 0 || len(data) == 0 {
		return done, err
	}
	return -int64(EFAULT), err
}

// ttyFile is the terminal a process's fds 0, 1 and 2 refer to (/dev/pts/0):
// reads take from the process's stdin, writes go to its stdout writer.
// Unlike Linux, one write moves at most 64 KiB (a short write, which libc
// and the shell retry).
func (k *Kernel) ttyFile(p *Process) *File {
	ino := &Inode{Ino: 3, Mode: S_IFCHR | 0o620, UID: p.Task.UID, GID: 5, Rdev: MKDEV(136, 0), Nlink: 1}
	ops := &FileOperations{
		Read: func(_ *File, buf Addr, count uint64, _ *int64) (int64, error) {
			n := min(uint64(len(p.stdin)), count)
			left, err := k.bytesToUser(buf, p.stdin[:n])
			p.stdin = p.stdin[n-left:]
			if n > 0 && left == n {
				return -int64(EFAULT), err
			}
			return int64(n - left), err
		},
		Write: func(_ *File, buf Addr, count uint64, _ *int64) (int64, error) {
			data, _, err := k.bytesFromUser(buf, min(count, 64<<10))
			if err != nil || (len(data) == 0 && count > 0) {
				return -int64(EFAULT), err
			}
			if p.stdout != nil {
				_, _ = p.stdout.Write(data)
			}
			return int64(len(data)), nil
		},
	}
	return &File{Mode: openFMode(O_RDWR) | FMODE_CAN_READ | FMODE_CAN_WRITE, Flags: O_RDWR, Op: ops, Inode: ino, Path: "/dev/pts/0"}
}
