package kernelsim

// Cdev mirrors struct cdev (include/linux/cdev.h): the object that makes a
// range of device numbers live. Owner is the module whose code Ops is
// (cdev.owner = THIS_MODULE); opening the device pins it.
type Cdev struct {
	Owner *Module
	Ops   *FileOperations
	Dev   DevT   // first number, set by cdev_add
	Count uint32 // how many numbers, set by cdev_add
	name  string // the kobject name register_chrdev gives it
	added bool
	// site is the script line that added it (kscript's record), fopsAddr
	// where its file_operations lie in that module's .rodata: what
	// chrdev_open reads once the module is gone.
	site     Frame
	fopsAddr Addr
}

// cdevMapping is one probe of cdev_map (drivers/base/map.c struct probe):
// numbers dev..dev+rng-1 lead to c.
type cdevMapping struct {
	dev DevT
	rng uint32
	c   *Cdev
}

// CdevAlloc mirrors cdev_alloc(): a new, empty cdev.
func (k *Kernel) CdevAlloc() *Cdev { return &Cdev{} }

// CdevInit mirrors cdev_init(cdev, fops): it clears c and sets its
// operations. As in Linux the owner is not taken from fops: a driver sets
// c.Owner = THIS_MODULE itself.
func (k *Kernel) CdevInit(c *Cdev, fops *FileOperations) {
	*c = Cdev{Ops: fops}
}

// CdevAdd mirrors cdev_add(c, dev, count): from now on opening a node with
// a number in dev..dev+count-1 reaches c.Ops. It returns 0 (kobj_map cannot
// fail here).
//
// As kobj_map does, a later mapping over the same numbers hides an earlier
// one, and the narrowest range covering a number wins.
func (k *Kernel) CdevAdd(c *Cdev, dev DevT, count uint32) int {
	c.Dev, c.Count, c.added = dev, count, true
	if c.site.File == "" {
		c.site = k.callSite()
		c.fopsAddr = k.fopsAddrOf(c.site.Module)
	}
	m := cdevMapping{dev: dev, rng: count, c: c}
	at := 0
	for at < len(k.dev.cdevMap) && k.dev.cdevMap[at].rng < count {
		at++
	}
	k.dev.cdevMap = append(k.dev.cdevMap[:at], append([]cdevMapping{m}, k.dev.cdevMap[at:]...)...)
	return 0
}

// CdevDel mirrors cdev_del(c): the numbers stop leading to c. Files already
// open keep their operations, as on Linux.
func (k *Kernel) CdevDel(c *Cdev) {
	out := k.dev.cdevMap[:0]
	for _, m := range k.dev.cdevMap {
		if m.c != c {
			out = append(out, m)
		}
	}
	k.dev.cdevMap = out
	c.added = false
}

// kobjLookup mirrors kobj_lookup(cdev_map, dev): the cdev for dev, or nil.
func (k *Kernel) kobjLookup(dev DevT) *Cdev {
	for _, m := range k.dev.cdevMap {
		if dev >= m.dev && uint64(dev) < uint64(m.dev)+uint64(m.rng) {
			return m.c
		}
	}
	return nil
}

// chrdevOpen mirrors chrdev_open() (fs/char_dev.c), the open of
// def_chr_fops that every char device inode starts with: find the cdev for
// the inode's number (none: -ENXIO), pin the cdev's owner (cdev_get), pin
// the driver's module (fops_get; a module on its way out: -ENXIO), switch
// the file to the driver's operations and call the driver's open. Each
// successful open of a register_chrdev device thus holds two references
// on the module until release.
func (k *Kernel) chrdevOpen(inode *Inode, filp *File) (int, error) {
	c := k.kobjLookup(inode.Rdev)
	if c == nil {
		return -int(ENXIO), nil
	}
	if err := k.openUnloadedCdev(c); err != nil {
		return 0, err
	}
	if !k.ModuleGet(c.Owner) { // cdev_get
		return -int(ENXIO), nil
	}
	filp.cdev = c
	fops := c.Ops
	if fops == nil || !k.ModuleGet(fops.Owner) { // fops_get
		k.cdevPut(filp)
		return -int(ENXIO), nil
	}
	filp.Op, filp.opHeld = fops, true
	var ret int
	var err error
	switch {
	case fops.builtinOpen != nil:
		ret, err = fops.builtinOpen(k, inode, filp)
	case fops.Open != nil:
		ret, err = fops.Open(inode, filp)
	default:
		return 0, nil
	}
	if err != nil || ret != 0 {
		// Linux leaves the fops reference to fput of the failed file;
		// both references go here, before the file is dropped.
		k.fopsPut(filp)
		k.cdevPut(filp)
	}
	return ret, err
}

// cdevPut mirrors cdev_put(): drop the reference chrdev_open took.
func (k *Kernel) cdevPut(filp *File) {
	if filp.cdev != nil {
		k.ModulePut(filp.cdev.Owner)
		filp.cdev = nil
	}
}

// fopsPut mirrors fops_put(): drop the module reference of the file's
// operations.
func (k *Kernel) fopsPut(filp *File) {
	if filp.opHeld && filp.Op != nil {
		k.ModulePut(filp.Op.Owner)
	}
	filp.opHeld = false
}

// openUnloadedCdev is chrdev_open() on a cdev its module left behind at
// rmmod: the cdev still maps the numbers, but what it points at is gone.
// With .owner set, cdev_get's try_module_get() reads the freed struct
// module (module->state, its first field); without it, fops_get() reads
// fops->owner from the freed module's .rodata. Either read faults, as on
// Linux: "BUG: unable to handle page fault for address", an Oops that kills
// the task opening the node. nil when c's module is not gone.
func (k *Kernel) openUnloadedCdev(c *Cdev) error {
	switch {
	case c.Owner != nil && k.ModuleGone(c.Owner.Name) && k.FindModule(c.Owner.Name) != c.Owner:
		return k.pageFaultIn(c.Owner.ThisModule(), false, "try_module_get+0x1a/0xe0")
	case c.Owner == nil && c.site.Module != "" && k.ModuleGone(c.site.Module) && c.fopsAddr != 0:
		return k.pageFaultIn(c.fopsAddr+fopsOwnerOffset, false, "chrdev_open+0x4e/0x250")
	}
	return nil
}

// fopsOwnerOffset is offsetof(struct file_operations, owner): the first field.
const fopsOwnerOffset = 0

// fopsAddrOf returns where a module's file_operations lie: the start of its
// .rodata, where a static const struct file_operations goes (0 when the
// module is unknown: a built-in driver).
func (k *Kernel) fopsAddrOf(module string) Addr {
	m := k.FindModule(module)
	if m == nil || m.core == nil {
		return 0
	}
	return m.Base() + Addr(m.roOff) + 0x40
}
