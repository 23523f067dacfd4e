package kernelsim

// OWNER: vmalloc/modules helper. Stub: replace with the real implementation.

// moduleState holds the list of loaded modules (the kernel's modules list).
type moduleState struct{}

func (k *Kernel) bootModules() error  { return nil }
func (k *Kernel) procModules() string { return "" }
