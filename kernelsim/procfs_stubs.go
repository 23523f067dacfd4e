package kernelsim

// Stubs: each owner moves its generator beside its subsystem and deletes it here.

func (k *Kernel) procBuddyinfo() string    { return "" }
func (k *Kernel) procZoneinfo() string     { return "" }
func (k *Kernel) procPagetypeinfo() string { return "" }
func (k *Kernel) procMeminfo() string      { return "" }
func (k *Kernel) procSlabinfo() string     { return "" }
func (k *Kernel) procVmallocinfo() string  { return "" }
func (k *Kernel) procModules() string      { return "" }
func (k *Kernel) procDevices() string      { return "" }
