package kernelsim

// Misc devices mirror drivers/char/misc.c (Linux 6.1): small drivers that
// share major 10 and get a minor each — a fixed one, or with
// MISC_DYNAMIC_MINOR one handed out from 127 downwards — and a /dev node
// made for them by misc_register.

// MISC_MAJOR and MISC_DYNAMIC_MINOR mirror include/linux/miscdevice.h.
const (
	MISC_MAJOR         = 10
	MISC_DYNAMIC_MINOR = 255
	dynamicMinors      = 128 // DYNAMIC_MINORS: dynamic minors are 0..127
)

// MiscDevice mirrors struct miscdevice.
type MiscDevice struct {
	Minor uint32 // MISC_DYNAMIC_MINOR asks for a dynamic one
	Name  string
	Fops  *FileOperations
	// Mode, when non-zero, is the /dev node's mode (.mode); 0600 otherwise.
	Mode uint32

	dev *Device
}

// miscState is misc_list, misc_minors and misc_class.
type miscState struct {
	list   []*MiscDevice // newest first, as list_add keeps misc_list
	minors [dynamicMinors]bool
	class  *Class
}

// bootMisc creates misc_class and the misc devices a Debian VM has from
// boot: vga_arbiter, userfaultfd and cpu_dma_latency take the dynamic
// minors 127, 126 and 125 (in initcall order); hpet and snapshot have
// fixed minors. Their /dev nodes are left out of the simulated /dev.
func (k *Kernel) bootMisc() error {
	k.dev.misc.class = &Class{Name: "misc"}
	for _, m := range []struct {
		minor uint32
		name  string
	}{{MISC_DYNAMIC_MINOR, "vga_arbiter"}, {MISC_DYNAMIC_MINOR, "userfaultfd"}, {228, "hpet"},
		{231, "snapshot"}, {MISC_DYNAMIC_MINOR, "cpu_dma_latency"}} {
		md := &MiscDevice{Minor: m.minor, Name: m.name}
		if _, err := k.miscClaimMinor(md); err != 0 {
			return err
		}
		k.dev.misc.list = append([]*MiscDevice{md}, k.dev.misc.list...)
	}
	return nil
}

// miscClaimMinor gives md a dynamic minor or checks its fixed one is free.
func (k *Kernel) miscClaimMinor(md *MiscDevice) (dynamic bool, err Errno) {
	ms := &k.dev.misc
	if md.Minor == MISC_DYNAMIC_MINOR {
		for i := 0; i < dynamicMinors; i++ { // find_first_zero_bit
			if !ms.minors[i] {
				ms.minors[i] = true
				md.Minor = uint32(dynamicMinors - i - 1)
				return true, 0
			}
		}
		return false, EBUSY
	}
	for _, c := range ms.list {
		if c.Minor == md.Minor {
			return false, EBUSY
		}
	}
	return false, 0
}

// MiscRegister mirrors misc_register(misc): a minor for it (dynamic from
// 127 down when Minor is MISC_DYNAMIC_MINOR; -EBUSY when its fixed minor
// is taken) and the /dev/NAME node. 0 or a negative errno.
func (k *Kernel) MiscRegister(md *MiscDevice) int {
	k.tick(10_000)
	dynamic, err := k.miscClaimMinor(md)
	if err != 0 {
		return -int(err)
	}
	cls := k.dev.misc.class
	cls.DevNodeMode = md.Mode
	d, ret := k.DeviceCreate(cls, MKDEV(MISC_MAJOR, md.Minor), md, md.Name)
	cls.DevNodeMode = 0
	if ret != 0 {
		if dynamic {
			k.dev.misc.minors[dynamicMinors-md.Minor-1] = false
			md.Minor = MISC_DYNAMIC_MINOR
		}
		return ret
	}
	md.dev = d
	k.dev.misc.list = append([]*MiscDevice{md}, k.dev.misc.list...)
	return 0
}

// MiscDeregister mirrors misc_deregister(misc): the node goes, a dynamic
// minor is freed for reuse.
func (k *Kernel) MiscDeregister(md *MiscDevice) {
	ms := &k.dev.misc
	for i, c := range ms.list {
		if c == md {
			ms.list = append(ms.list[:i], ms.list[i+1:]...)
			break
		}
	}
	k.DeviceDestroy(ms.class, MKDEV(MISC_MAJOR, md.Minor))
	if md.Minor < dynamicMinors {
		ms.minors[dynamicMinors-md.Minor-1] = false
	}
	md.dev = nil
}

// miscOpen mirrors misc_open(), the open of misc_fops (major 10): it finds
// the misc device by minor, sets file->private_data to it, switches to its
// fops (pinning its module) and calls its open.
func (k *Kernel) miscOpen(inode *Inode, filp *File) (int, error) {
	var md *MiscDevice
	for _, c := range k.dev.misc.list {
		if c.Minor == inode.Iminor() {
			md = c
			break
		}
	}
	if md == nil || md.Fops == nil || !k.replaceFops(filp, md.Fops) {
		return -int(ENODEV), nil
	}
	filp.PrivateData = md
	if md.Fops.Open != nil {
		return md.Fops.Open(inode, filp)
	}
	return 0, nil
}
