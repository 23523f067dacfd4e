package grade

import (
	"errors"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
)

// probeScript is a module whose init fails with -ENOMEM exactly when its
// first kmalloc fails.
const probeScript = `def kscript_fault_probe_init():
    p = kmalloc(8, GFP_KERNEL)
    if not p:
        return -ENOMEM
    kfree(p)
    return 0

module_init(kscript_fault_probe_init)
`

// faultInjection reports whether the machines honour Options.Fail (DESIGN
// §7): checks with fail: specs cannot be judged on a runtime without fault
// injection, and are then skipped with that reason rather than failed.
func (g *Grader) faultInjection() bool {
	g.probeOnce.Do(func() { g.canFail = probeFaultInjection(g.cfg) })
	return g.canFail
}

// probeFaultInjection boots a machine whose first kmalloc must fail and
// loads a module that reports whether it did.
func probeFaultInjection(cfg Config) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	opts := cfg.Options
	opts.Fail = []string{"kmalloc:nth=1"}
	m, err := cfg.NewMachine(opts)
	if err != nil {
		return false
	}
	if m.LoadScript("kscript_fault_probe.star", []byte(probeScript), "kscript_fault_probe") != nil {
		return false
	}
	var ie *kruntime.InsmodError
	return errors.As(m.Insmod("kscript_fault_probe.ko", nil), &ie) && ie.Errno == kernelsim.ENOMEM
}
