package kernelsim

import "fmt"

// Device classes and devices: the modern path that makes the /dev node
// for the driver (drivers/base/class.c, drivers/base/core.c, with
// devtmpfs from drivers/base/devtmpfs.c standing in for udev).
//
//	alloc_chrdev_region(&dev, 0, 1, "mydev")    246:0 claimed
//	cdev_init(&c, &fops); cdev_add(&c, dev, 1)   246:0 -> fops
//	cls = class_create(THIS_MODULE, "mycls")     /sys/class/mycls
//	device_create(cls, NULL, dev, NULL, "mydev") /dev/mydev crw------- root root 246, 0
//
// Unlike Linux, there is no sysfs: classes and devices exist only for
// device_create/device_destroy and the duplicate-name errors.

// Class mirrors struct class (include/linux/device/class.h).
type Class struct {
	Name    string
	devices []*Device
	// DevNodeMode, when non-zero, is the mode the class's devnode() callback
	// gives its nodes (misc devices may ask for one); 0600 otherwise.
	DevNodeMode uint32
}

// Device mirrors struct device for a class device: its number and name.
type Device struct {
	Devt     DevT
	Name     string
	Class    *Class
	DrvData  any
	nodePath string // the /dev node devtmpfs made, "" if none
}

// ClassCreate mirrors class_create(owner, name): the class, or -EEXIST
// when one of that name exists (after sysfs's duplicate-name warning).
func (k *Kernel) ClassCreate(name string) (*Class, int) {
	k.tick(3_000)
	for _, c := range k.dev.classes {
		if c.Name == name {
			k.sysfsWarnDup("/class/"+name, name, "class_register+0x1a5/0x1d0", "__class_create+0x48/0x80")
			return nil, -int(EEXIST)
		}
	}
	c := &Class{Name: name}
	k.dev.classes = append(k.dev.classes, c)
	return c, 0
}

// ClassDestroy mirrors class_destroy(cls). Devices still in it stay, as in
// Linux (their nodes too): device_destroy them first.
func (k *Kernel) ClassDestroy(c *Class) {
	if c == nil {
		return
	}
	for i, x := range k.dev.classes {
		if x == c {
			k.dev.classes = append(k.dev.classes[:i], k.dev.classes[i+1:]...)
			return
		}
	}
}

// DeviceCreate mirrors device_create(cls, parent, devt, drvdata, name):
// the device and its /dev/NAME node, root-owned with mode 0600 (devtmpfs's
// default; udev rules may change it), or -EEXIST for a duplicate name in the
// class. When /dev/NAME already exists (a node made by hand), devtmpfs
// leaves it as it is.
func (k *Kernel) DeviceCreate(c *Class, devt DevT, drvdata any, name string) (*Device, int) {
	k.tick(10_000)
	if c == nil {
		return nil, -int(EINVAL)
	}
	for _, d := range c.devices {
		if d.Name == name {
			k.sysfsWarnDup("/devices/virtual/"+c.Name+"/"+name, name,
				"device_add+0x3c7/0x8f0", "device_create_groups_vargs+0xd4/0xf0", "device_create+0x49/0x60")
			return nil, -int(EEXIST)
		}
	}
	d := &Device{Devt: devt, Name: name, Class: c, DrvData: drvdata}
	c.devices = append(c.devices, d)
	if MAJOR(devt) != 0 {
		p := "/dev/" + name
		if _, exists := k.dev.vfs.nodes[p]; !exists {
			mode := uint32(0o600)
			if c.DevNodeMode != 0 {
				mode = c.DevNodeMode
			}
			k.newInode(p, S_IFCHR|mode, 0, 0, devt).devtmpfs = true
			d.nodePath = p
		}
	}
	return d, 0
}

// DeviceDestroy mirrors device_destroy(cls, devt): the class device with
// that number goes, and with it the node devtmpfs made for it.
func (k *Kernel) DeviceDestroy(c *Class, devt DevT) {
	if c == nil {
		return
	}
	for i, d := range c.devices {
		if d.Devt == devt {
			c.devices = append(c.devices[:i], c.devices[i+1:]...)
			k.devtmpfsRemove(d)
			return
		}
	}
}

// devtmpfsRemove mirrors devtmpfs's handle_remove: the node goes only if it
// is still the one devtmpfs made for this device.
func (k *Kernel) devtmpfsRemove(d *Device) {
	if d.nodePath == "" {
		return
	}
	if ino, ok := k.dev.vfs.nodes[d.nodePath]; ok && ino.devtmpfs && ino.Rdev == d.Devt {
		delete(k.dev.vfs.nodes, d.nodePath)
	}
}

// sysfsWarnDup mirrors sysfs_warn_dup() and kobject_add_internal's error:
// what a second class or device of the same name prints.
func (k *Kernel) sysfsWarnDup(sysPath, name string, frames ...string) {
	k.printk(LogWarning, "sysfs: cannot create duplicate filename '%s'\n", sysPath)
	top := append([]string{"sysfs_warn_dup.cold+0x17/0x24", "sysfs_create_dir_ns+0xd0/0xf0",
		"kobject_add_internal+0xb1/0x2d0", "kobject_add+0x7e/0xb0"}, frames...)
	k.dumpStack(LogWarning, top...)
	k.printk(LogErr, "%s\n", fmt.Sprintf("kobject_add_internal failed for %s with -EEXIST, don't try to register things with the same name in the same directory.", name))
}
