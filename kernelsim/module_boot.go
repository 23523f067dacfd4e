package kernelsim

// The modules a Debian 12 QEMU guest (i440FX, virtio disk and network,
// ext4 root) has loaded by the time its shell prompt appears: the initramfs
// loads the disk and filesystem drivers, udev the platform drivers, systemd
// a few more. They are in-tree and signed, so they taint nothing.

// bootModule is one module loaded during boot, oldest first.
type bootModule struct {
	name      string
	core      uint64   // core layout size, bytes
	initPages int      // init layout, freed after init
	refs      int      // references not held by other modules (mounts, open devices)
	uses      []string // modules it depends on
}

var bootModuleList = []bootModule{
	// initramfs
	{"scsi_common", 16384, 1, 0, nil},
	{"scsi_mod", 286720, 3, 0, []string{"scsi_common"}},
	{"libata", 409600, 3, 0, []string{"scsi_mod", "scsi_common"}},
	{"ata_piix", 45056, 1, 0, []string{"libata"}},
	{"ata_generic", 12288, 1, 0, []string{"libata"}},
	{"failover", 12288, 1, 0, nil},
	{"net_failover", 20480, 1, 0, []string{"failover"}},
	{"virtio", 16384, 1, 0, nil},
	{"virtio_ring", 45056, 1, 0, nil},
	{"virtio_pci_legacy_dev", 12288, 1, 0, nil},
	{"virtio_pci_modern_dev", 16384, 1, 0, nil},
	{"virtio_pci", 24576, 1, 0, []string{"virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_ring", "virtio"}},
	{"virtio_net", 73728, 1, 0, []string{"net_failover", "virtio_ring", "virtio"}},
	{"virtio_blk", 24576, 1, 2, []string{"virtio_ring", "virtio"}},
	{"crc16", 12288, 1, 0, nil},
	{"mbcache", 16384, 1, 0, nil},
	{"jbd2", 200704, 2, 0, nil},
	{"crc32c_generic", 12288, 1, 0, nil},
	{"crc32c_intel", 24576, 1, 2, nil},
	{"ext4", 1036288, 6, 1, []string{"crc16", "mbcache", "jbd2"}},
	// udev
	{"button", 24576, 1, 0, nil},
	{"evdev", 28672, 1, 2, nil},
	{"serio_raw", 16384, 1, 0, nil},
	{"qemu_fw_cfg", 20480, 1, 0, nil},
	{"i2c_piix4", 28672, 1, 0, nil},
	{"psmouse", 212992, 2, 0, nil},
	{"cdrom", 81920, 1, 0, nil},
	{"sr_mod", 28672, 1, 0, []string{"cdrom", "scsi_mod", "scsi_common"}},
	{"floppy", 126976, 2, 0, nil},
	// systemd
	{"configfs", 57344, 1, 1, nil},
	{"fuse", 192512, 2, 1, nil},
	{"loop", 32768, 1, 0, nil},
	{"dm_mod", 192512, 2, 0, nil},
	{"autofs4", 53248, 1, 2, nil},
	{"binfmt_misc", 28672, 1, 1, nil},
}

// bootModules loads the boot modules: their core and init areas in the
// module space (the init areas freed again, leaving the holes Linux
// leaves), their dependencies and reference counts. Unlike a script's,
// their memory is part of what boot reserved, not frames of the simulated
// buddy allocator.
func (k *Kernel) bootModules() error {
	for _, b := range bootModuleList {
		m := &Module{Name: b.name, State: ModuleLive, boot: true,
			Info:     ModuleSpec{Name: b.name, License: "GPL", InTree: true, Signed: true, HasInit: true, HasExit: true},
			coreSize: b.core, initSize: uint64(b.initPages) * PageSize, refcnt: b.refs}
		core, err := k.bootVMArea(bootVMArea{pages: int(b.core / PageSize), flags: VMAlloc | VMFlushResetPerms,
			caller: "load_module+0x7b2/0x2ab0"}, ModulesVaddr, ModulesEnd)
		if err != nil {
			return err
		}
		m.core = core
		if _, err := k.bootVMArea(bootVMArea{pages: b.initPages, flags: VMAlloc | VMFlushResetPerms,
			caller: "load_module+0x7e9/0x2ab0", freed: true}, ModulesVaddr, ModulesEnd); err != nil {
			return err
		}
		for _, dep := range b.uses {
			if t := k.FindModule(dep); t != nil {
				k.useModule(m, t)
			}
		}
		k.mods.list = append([]*Module{m}, k.mods.list...)
	}
	k.purgeVmapAreaLazy()
	return nil
}

// useModule mirrors ref_module(): a uses b, which holds a reference for it.
func (k *Kernel) useModule(a, b *Module) {
	b.users = append([]*Module{a}, b.users...)
	b.refcnt++
	a.uses = append(a.uses, b)
}
