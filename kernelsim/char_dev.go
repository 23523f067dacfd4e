package kernelsim

import (
	"fmt"
	"strings"
)

// Char device numbers and regions mirror fs/char_dev.c (Linux 6.1).
//
// A character device is named by a dev_t: a major number, which picks the
// driver, and a minor number, which the driver interprets (which port, which
// unit). A driver first claims a range of numbers ("a region") with
// register_chrdev_region() or alloc_chrdev_region(), then makes the numbers
// live by adding a struct cdev (cdev_add) that carries its file_operations.
// register_chrdev() is the old one-call form: it claims minors 0-255 of one
// major and adds a cdev for them. Opening /dev/x looks up the cdev for the
// node's dev_t (chrdev_open) and switches the file to the driver's
// file_operations.
//
//	register_chrdev(0, "uaccess_dev", &fops)
//	  __register_chrdev_region(0, 0, 256)   chrdevs[]: 246 uaccess_dev 0..255
//	  cdev_alloc + cdev_add(MKDEV(246,0),256) cdev_map:  246:0..255 -> cdev{fops}
//	open("/dev/uaccess_dev")                  inode i_rdev 246:0 -> cdev -> fops->open

// DevT mirrors dev_t (include/linux/kdev_t.h): 12 bits of major, 20 bits of
// minor.
type DevT uint32

// Device number limits (include/linux/kdev_t.h, include/linux/fs.h).
const (
	MinorBits = 20
	MinorMask = 1<<MinorBits - 1

	// chrdevMajorMax mirrors CHRDEV_MAJOR_MAX: majors are 0..511.
	chrdevMajorMax = 512
	// chrdevMajorHashSize mirrors CHRDEV_MAJOR_HASH_SIZE: chrdevs[] has 255
	// buckets, indexed by major % 255.
	chrdevMajorHashSize = 255
	// chrdevMajorDynEnd mirrors CHRDEV_MAJOR_DYN_END: dynamic majors are
	// first searched from 254 down to 234 ...
	chrdevMajorDynEnd = 234
	// ... then from 511 down to 384 (CHRDEV_MAJOR_DYN_EXT_START/END).
	chrdevMajorDynExtStart = 511
	chrdevMajorDynExtEnd   = 384
)

// MKDEV mirrors MKDEV(major, minor).
func MKDEV(major, minor uint32) DevT { return DevT(major<<MinorBits | minor&MinorMask) }

// MAJOR mirrors MAJOR(dev).
func MAJOR(d DevT) uint32 { return uint32(d) >> MinorBits }

// MINOR mirrors MINOR(dev).
func MINOR(d DevT) uint32 { return uint32(d) & MinorMask }

// String formats d as ls and udev do: "246:0".
func (d DevT) String() string { return fmt.Sprintf("%d:%d", MAJOR(d), MINOR(d)) }

// charDeviceStruct mirrors struct char_device_struct: one registered region
// of minors under one major, as /proc/devices lists it.
type charDeviceStruct struct {
	major     uint32
	baseminor uint32
	minorct   uint32
	name      string
	cdev      *Cdev // the cdev register_chrdev() added, nil for bare regions
	// site is the script line that registered the region, and its module:
	// kscript's own record (Linux keeps none), so that a region left at
	// rmmod is found even when its fops have no .owner.
	site Frame
}

// devState holds the char device regions (chrdevs), the cdev map, the block
// majors shown in /proc/devices, device classes, misc devices and the small
// VFS (/dev).
type devState struct {
	// chrdevs mirrors the chrdevs[] hash: bucket major%255, each bucket sorted
	// by (major, baseminor) as __register_chrdev_region keeps it.
	chrdevs [chrdevMajorHashSize][]*charDeviceStruct
	// cdevMap mirrors cdev_map (the kobj_map of drivers/base/map.c).
	cdevMap []cdevMapping
	blkdevs []blkdevMajor
	classes []*Class
	misc    miscState
	vfs     vfsState
}

// bootDevices registers the char and block majors, the misc devices and the
// /dev nodes a Debian 12 VM has by the time a user logs in.
func (k *Kernel) bootDevices() error {
	for _, b := range bootChrdevs {
		if cd, err := k.registerChrdevRegion(b.major, b.baseminor, b.count, b.name); err != 0 {
			return fmt.Errorf("boot: register char major %d %s: %v", b.major, b.name, err)
		} else if b.open != nil {
			c := k.CdevAlloc()
			c.Ops = &FileOperations{builtinOpen: b.open}
			cd.cdev = c
			k.CdevAdd(c, MKDEV(cd.major, cd.baseminor), cd.minorct)
		}
	}
	k.dev.blkdevs = bootBlkdevs()
	k.bootVFS()
	return k.bootMisc()
}

// findDynamicMajor mirrors find_dynamic_major(): the first empty hash bucket
// from 254 down to 234 (a bucket is empty when no major with that remainder
// mod 255 is registered), then the first free major from 511 down to 384.
func (k *Kernel) findDynamicMajor() (uint32, Errno) {
	for i := chrdevMajorHashSize - 1; i >= chrdevMajorDynEnd; i-- {
		if len(k.dev.chrdevs[i]) == 0 {
			return uint32(i), 0
		}
	}
	for i := uint32(chrdevMajorDynExtStart); i >= chrdevMajorDynExtEnd; i-- {
		if !k.majorInUse(i) {
			return i, 0
		}
	}
	return 0, EBUSY
}

func (k *Kernel) majorInUse(major uint32) bool {
	for _, cd := range k.dev.chrdevs[major%chrdevMajorHashSize] {
		if cd.major == major {
			return true
		}
	}
	return false
}

// registerChrdevRegion mirrors __register_chrdev_region(): claim minors
// baseminor..baseminor+minorct-1 of major (a dynamic major when major is 0).
// It fails with EBUSY when the range overlaps a registered one.
//
// Unlike Linux, the char_device_struct is not allocated from the simulated
// kmalloc-96 cache: the bookkeeping of the simulated kernel stays out of the
// memory statistics the lessons look at.
func (k *Kernel) registerChrdevRegion(major, baseminor, minorct uint32, name string) (*charDeviceStruct, Errno) {
	if major >= chrdevMajorMax {
		k.printk(LogErr, "CHRDEV \"%s\" major requested (%d) is greater than the maximum (%d)\n", name, major, chrdevMajorMax-1)
		return nil, EINVAL
	}
	if uint64(minorct) > uint64(MinorMask)+1-uint64(baseminor) {
		k.printk(LogErr, "CHRDEV \"%s\" minor range requested (%d-%d) is out of range of maximum range (%d-%d) for a single major\n",
			name, baseminor, int64(baseminor)+int64(minorct)-1, 0, MinorMask)
		return nil, EINVAL
	}
	if major == 0 {
		m, err := k.findDynamicMajor()
		if err != 0 {
			k.printk(LogErr, "CHRDEV \"%s\" dynamic allocation region is full\n", name)
			return nil, err
		}
		major = m
	}
	bucket := &k.dev.chrdevs[major%chrdevMajorHashSize]
	at := len(*bucket)
	for i, cur := range *bucket {
		if cur.major < major || (cur.major == major && cur.baseminor+cur.minorct <= baseminor) {
			continue
		}
		if cur.major > major || cur.baseminor >= baseminor+minorct {
			at = i
			break
		}
		return nil, EBUSY // overlapping range
	}
	if len(name) > 63 { // strscpy into char name[64]
		name = name[:63]
	}
	cd := &charDeviceStruct{major: major, baseminor: baseminor, minorct: minorct, name: name, site: k.callSite()}
	*bucket = append((*bucket)[:at], append([]*charDeviceStruct{cd}, (*bucket)[at:]...)...)
	return cd, 0
}

// unregisterChrdevRegion mirrors __unregister_chrdev_region(): it removes the
// region with exactly this major, baseminor and count, and returns it (nil
// when there is none). The name plays no part, as in Linux.
func (k *Kernel) unregisterChrdevRegion(major, baseminor, minorct uint32) *charDeviceStruct {
	bucket := &k.dev.chrdevs[major%chrdevMajorHashSize]
	for i, cd := range *bucket {
		if cd.major == major && cd.baseminor == baseminor && cd.minorct == minorct {
			*bucket = append((*bucket)[:i], (*bucket)[i+1:]...)
			return cd
		}
	}
	return nil
}

// RegisterChrdev mirrors register_chrdev(major, name, fops): it claims minors
// 0-255 of major (a dynamic major when major is 0) and adds a cdev with fops
// for them. It returns the major allocated when major was 0, 0 on success
// with a fixed major, or a negative errno (-EBUSY: the major is taken or no
// dynamic major is left; -EINVAL: major above 511).
func (k *Kernel) RegisterChrdev(major uint32, name string, fops *FileOperations) int {
	k.tick(2_000)
	cd, err := k.registerChrdevRegion(major, 0, 256, name)
	if err != 0 {
		return -int(err)
	}
	c := k.CdevAlloc()
	if fops != nil {
		c.Owner = fops.Owner
	}
	c.Ops, c.name = fops, name
	c.site, c.fopsAddr = cd.site, k.fopsAddrOf(cd.site.Module)
	k.CdevAdd(c, MKDEV(cd.major, 0), 256)
	cd.cdev = c
	if major != 0 {
		return 0
	}
	return int(cd.major)
}

// UnregisterChrdev mirrors unregister_chrdev(major, name): it releases the
// minors 0-255 of major and deletes the cdev register_chrdev added. Nothing
// happens when no such region exists (Linux ignores the name, too).
func (k *Kernel) UnregisterChrdev(major uint32, name string) {
	k.tick(1_000)
	if cd := k.unregisterChrdevRegion(major, 0, 256); cd != nil && cd.cdev != nil {
		k.CdevDel(cd.cdev)
	}
}

// RegisterChrdevRegion mirrors register_chrdev_region(from, count, name):
// claim count numbers from a known first dev_t, possibly spanning majors.
// 0 or a negative errno. As in Linux, a major of 0 in from asks for a
// dynamic major, which the caller cannot learn: use AllocChrdevRegion.
func (k *Kernel) RegisterChrdevRegion(from DevT, count uint32, name string) int {
	to := uint64(from) + uint64(count)
	for n := uint64(from); n < to; {
		next := min(uint64(MKDEV(MAJOR(DevT(n))+1, 0)), to)
		if _, err := k.registerChrdevRegion(MAJOR(DevT(n)), MINOR(DevT(n)), uint32(next-n), name); err != 0 {
			k.unregisterRange(from, n)
			return -int(err)
		}
		n = next
	}
	return 0
}

// UnregisterChrdevRegion mirrors unregister_chrdev_region(from, count).
func (k *Kernel) UnregisterChrdevRegion(from DevT, count uint32) {
	k.unregisterRange(from, uint64(from)+uint64(count))
}

func (k *Kernel) unregisterRange(from DevT, to uint64) {
	for n := uint64(from); n < to; {
		next := min(uint64(MKDEV(MAJOR(DevT(n))+1, 0)), to)
		k.unregisterChrdevRegion(MAJOR(DevT(n)), MINOR(DevT(n)), uint32(next-n))
		n = next
	}
}

// AllocChrdevRegion mirrors alloc_chrdev_region(&dev, baseminor, count,
// name): a dynamic major with minors baseminor..baseminor+count-1. It returns
// the first dev_t and 0, or 0 and a negative errno.
func (k *Kernel) AllocChrdevRegion(baseminor, count uint32, name string) (DevT, int) {
	k.tick(2_000)
	cd, err := k.registerChrdevRegion(0, baseminor, count, name)
	if err != 0 {
		return 0, -int(err)
	}
	return MKDEV(cd.major, cd.baseminor), 0
}

// procDevices mirrors /proc/devices (fs/proc/devices.c devinfo_show with
// chrdev_show and blkdev_show): "Character devices:", one "%3d %s" line per
// region in major order (regions of one major by first minor), a blank line,
// then "Block devices:".
func (k *Kernel) procDevices() string {
	var b strings.Builder
	b.WriteString("Character devices:\n")
	for major := uint32(0); major < chrdevMajorMax; major++ {
		for _, cd := range k.dev.chrdevs[major%chrdevMajorHashSize] {
			if cd.major == major {
				fmt.Fprintf(&b, "%3d %s\n", cd.major, cd.name)
			}
		}
	}
	b.WriteString("\nBlock devices:\n")
	for _, bd := range k.dev.blkdevs {
		fmt.Fprintf(&b, "%3d %s\n", bd.major, bd.name)
	}
	return b.String()
}

// ChrdevRegion describes one registered region, for reports and tests.
// Owner is the module of the cdev register_chrdev added for it (its fops'
// owner), nil for a bare region or a built-in driver.
type ChrdevRegion struct {
	Major, BaseMinor, Count uint32
	Name                    string
	Owner                   *Module
}

// ChrdevRegions lists the registered char regions in /proc/devices order.
// kmemleak-style checks at rmmod use it to find a chrdev left registered.
func (k *Kernel) ChrdevRegions() []ChrdevRegion {
	var out []ChrdevRegion
	for major := uint32(0); major < chrdevMajorMax; major++ {
		for _, cd := range k.dev.chrdevs[major%chrdevMajorHashSize] {
			if cd.major == major {
				r := ChrdevRegion{Major: cd.major, BaseMinor: cd.baseminor, Count: cd.minorct, Name: cd.name}
				if cd.cdev != nil {
					r.Owner = cd.cdev.Owner
				}
				out = append(out, r)
			}
		}
	}
	return out
}
