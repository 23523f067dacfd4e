package kernelsim

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestRequestIRQ checks request_irq's answers on the simulated PC.
func TestRequestIRQ(t *testing.T) {
	handler := IRQHandler{Func: "my_handler", Module: "mod", Fn: func() (IRQReturn, error) { return IRQHandled, nil }}
	for _, tc := range []struct {
		name  string
		irq   int
		h     IRQHandler
		flags uint64
		dev   uint64
		want  int
		log   string
	}{
		{"free line", 5, handler, 0, 0, 0, ""},
		{"keyboard shared", 1, handler, IRQFShared, 0xffff888004000000, 0, ""},
		{"keyboard not shared", 1, handler, 0, 0, -int(EBUSY), "genirq: Flags mismatch irq 1. 00000000 (mydev) vs. 00000080 (i8042)"},
		{"timer", 0, handler, IRQFShared, 1, -int(EBUSY), "genirq: Flags mismatch irq 0. 00000080 (mydev) vs. 00015a00 (timer)"},
		{"shared without dev_id", 7, handler, IRQFShared, 0, -int(EINVAL), ""},
		{"no such line", 99, handler, 0, 0, -int(EINVAL), ""},
		{"no handler", 5, IRQHandler{}, 0, 0, -int(EINVAL), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			var got int
			h.must(h.insmod(func() error { got = h.k.RequestIRQ(tc.irq, tc.h, tc.flags, "mydev", tc.dev); return nil }))
			if got != tc.want {
				t.Errorf("request_irq = %d, want %d", got, tc.want)
			}
			if tc.log != "" {
				h.wantInOrder(tc.log)
			} else {
				h.wantNoLine("genirq")
			}
		})
	}
}

// TestRaiseIRQ checks the handler's context, shared dispatch and the
// softirq run at irq_exit.
func TestRaiseIRQ(t *testing.T) {
	h := newHarness(t)
	k := h.k
	var trace []string
	tl := DeclareTasklet(h.cb("bottom_half", 2, func() error {
		trace = append(trace, "tasklet "+k.ContextName()+" "+k.Current().Comm+" "+uitoa(uint64(k.PreemptCount())))
		return nil
	}), false)
	handler := IRQHandler{Func: "kbd_handler", Module: "mod", Fn: func() (IRQReturn, error) {
		trace = append(trace, "handler "+k.ContextName()+" "+uitoa(uint64(k.PreemptCount())))
		if !k.IrqsDisabled() {
			t.Error("interrupts enabled in a hardirq handler")
		}
		k.TaskletSchedule(tl)
		return IRQHandled, nil
	}}
	h.must(h.insmod(func() error {
		if r := k.RequestIRQ(1, handler, IRQFShared, "kbd_logger", 0xffff888004000000); r != 0 {
			t.Fatalf("request_irq = %d", r)
		}
		return nil
	}))
	before := k.IRQCount(1)
	h.must(k.RaiseIRQ(1))
	want := []string{"handler hardirq " + uitoa(uint64(HardirqOffset+1)), "tasklet softirq swapper/0 " + uitoa(uint64(SoftirqOffset+1))}
	if !reflect.DeepEqual(trace, want) {
		t.Errorf("trace %v, want %v", trace, want)
	}
	if k.IRQCount(1) != before+1 || k.Current().Comm != "swapper/0" || k.PreemptCount() != 1 || k.IrqsDisabled() {
		t.Errorf("after irq: count %d, context %s %#x irqsOff %v", k.IRQCount(1), k.Current().Comm, k.PreemptCount(), k.IrqsDisabled())
	}
	// A masked line (no handler) does nothing; a missing line is an error.
	h.must(k.RaiseIRQ(7))
	if err := k.RaiseIRQ(30); err == nil || !strings.HasPrefix(err.Error(), "irq 30: ") {
		t.Errorf("RaiseIRQ(30) = %v", err)
	}
	wantP := []Pending{{Kind: "irq", Func: "kbd_handler", Module: "mod", Detail: "irq 1 (kbd_logger)"}}
	if got := withoutSites(k.PendingFor("mod")); !reflect.DeepEqual(got, wantP) {
		t.Errorf("PendingFor = %v", got)
	}
	// free_irq, then freeing again WARNs.
	rmmod := k.NewTask("rmmod", 0)
	h.must(h.k.RunTask(rmmod, nil, func() error {
		if name, ok := k.FreeIRQ(1, 0xffff888004000000); !ok || name != "kbd_logger" {
			t.Errorf("free_irq = %q %v", name, ok)
		}
		if _, ok := k.FreeIRQ(1, 0xffff888004000000); ok {
			t.Error("second free_irq succeeded")
		}
		return nil
	}))
	h.wantInOrder("------------[ cut here ]------------", "Trying to free already-free IRQ 1",
		fmt.Sprintf("WARNING: CPU: 0 PID: %d at kernel/irq/manage.c:1887 free_irq+0x1d3/0x340", rmmod.PID), "Modules linked in:*",
		fmt.Sprintf("CPU: 0 PID: %d Comm: rmmod Not tainted 6.1.0-28-amd64 #1  Debian 6.1.119-1", rmmod.PID), "RIP: 0010:free_irq+0x1d3/0x340",
		"Call Trace:", " <TASK>", " </TASK>", "---[ end trace 0000000000000000 ]---")
	if len(k.PendingFor("mod")) != 0 || !k.Tainted(TaintWarn) {
		t.Errorf("after free: pending %v, tainted W %v", k.PendingFor("mod"), k.Tainted(TaintWarn))
	}
}

func TestProcInterrupts(t *testing.T) {
	h := newHarness(t)
	k := h.k
	handler := IRQHandler{Func: "f", Module: "mod", Fn: func() (IRQReturn, error) { return IRQHandled, nil }}
	k.RequestIRQ(1, handler, IRQFShared, "kbd_logger", 1)
	h.must(k.RaiseIRQ(1))
	got, err := k.ReadProc("/proc/interrupts")
	h.must(err)
	lines := strings.Split(got, "\n")
	for _, want := range []string{
		"           CPU0       CPU1       ",
		"  0:         36          0   IO-APIC   2-edge      timer",
		"  1:         10          0   IO-APIC   1-edge      i8042, kbd_logger",
		"  9:          0          0   IO-APIC   9-fasteoi   acpi",
		"NMI:          0          0   Non-maskable interrupts",
		"ERR:          0",
	} {
		found := false
		for _, l := range lines {
			if l == want {
				found = true
			}
		}
		if !found {
			t.Errorf("/proc/interrupts lacks %q:\n%s", want, got)
		}
	}
	sirq, err := k.ReadProc("/proc/softirqs")
	h.must(err)
	if !strings.HasPrefix(sirq, "                    CPU0       CPU1       \n          HI:          0          1\n") {
		t.Errorf("/proc/softirqs:\n%s", sirq)
	}
}
