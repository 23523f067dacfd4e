package kernelsim

// OWNER: memory-core helper. Stub: replace with the real implementation.

// zoneSet holds the zones of the single NUMA node (pg_data_t's node_zones).
type zoneSet struct{}

func (k *Kernel) procBuddyinfo() string    { return "" }
func (k *Kernel) procZoneinfo() string     { return "" }
func (k *Kernel) procPagetypeinfo() string { return "" }
func (k *Kernel) procMeminfo() string      { return "" }
