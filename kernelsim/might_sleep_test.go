package kernelsim

import (
	"fmt"
	"testing"
)

// TestMightAllocContexts checks __might_resched's report for a GFP_KERNEL
// allocation in every context, and its absence where sleeping is allowed.
func TestMightAllocContexts(t *testing.T) {
	for _, tc := range []struct {
		ctx    string
		report bool
		info   string // the in_atomic line
		count  string // the preempt_count line
		rcu    string
		ctxt   string // ContextName inside
	}{
		{"process", false, "", "", "", "process"},
		{"work", false, "", "", "", "process"},
		{"tasklet", true, "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 14, name: ksoftirqd/0", "preempt_count: 100, expected: 0", "RCU nest depth: 0, expected: 0", "softirq"},
		{"hi-tasklet", true, "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 14, name: ksoftirqd/0", "preempt_count: 100, expected: 0", "RCU nest depth: 0, expected: 0", "softirq"},
		{"timer", true, "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 0, name: swapper/0", "preempt_count: 101, expected: 0", "RCU nest depth: 0, expected: 0", "softirq"},
		{"hardirq", true, "in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: 0, name: swapper/0", "preempt_count: 10001, expected: 0", "RCU nest depth: 0, expected: 0", "hardirq"},
		{"spinlock", true, "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1203, name: insmod", "preempt_count: 1, expected: 0", "RCU nest depth: 0, expected: 0", "atomic"},
		{"irqsave", true, "in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: 1203, name: insmod", "preempt_count: 1, expected: 0", "RCU nest depth: 0, expected: 0", "atomic"},
		{"bh-disabled", true, "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1203, name: insmod", "preempt_count: 200, expected: 0", "RCU nest depth: 0, expected: 0", "atomic"},
		{"rcu", true, "in_atomic(): 0, irqs_disabled(): 0, non_block: 0, pid: 1203, name: insmod", "preempt_count: 0, expected: 0", "RCU nest depth: 1, expected: 0", "process"},
	} {
		t.Run(tc.ctx, func(t *testing.T) {
			h := newHarness(t)
			var ctxName string
			h.must(runnerNamed(t, tc.ctx).run(h, func() error {
				ctxName = h.k.ContextName()
				h.k.MightAlloc(GFP_KERNEL, "__kmem_cache_alloc_node+0x15d/0x2b0", "kmalloc_trace+0x26/0x90")
				return nil
			}))
			if ctxName != tc.ctxt {
				t.Errorf("ContextName() = %q, want %q", ctxName, tc.ctxt)
			}
			const title = "BUG: sleeping function called from invalid context at include/linux/sched/mm.h:274"
			if !tc.report {
				h.wantNoLine("BUG:")
				if len(h.k.Reports()) != 0 {
					t.Errorf("reports = %v, want none", h.classes())
				}
				return
			}
			h.wantInOrder(title, tc.info, tc.count, tc.rcu, "Call Trace:", " dump_stack_lvl+0x44/0x5c",
				" __might_resched.cold+0xcc/0xdb", " __kmem_cache_alloc_node+0x15d/0x2b0", " kmalloc_trace+0x26/0x90", " </TASK>")
			rs := h.k.Reports()
			if len(rs) != 1 || rs[0].Class != "sleeping-in-atomic" || rs[0].Fatal || rs[0].Title != title {
				t.Fatalf("reports = %+v, want one non-fatal sleeping-in-atomic", rs)
			}
			if len(rs[0].Stack) != 1 || rs[0].Stack[0].Line == 0 {
				t.Errorf("report stack = %v, want the script frame", rs[0].Stack)
			}
			if !h.k.Tainted(TaintWarn) {
				t.Error("kernel not tainted W after the report")
			}
		})
	}
}

// TestMightAllocFlags checks which GFP flags may sleep, in a tasklet.
func TestMightAllocFlags(t *testing.T) {
	for _, tc := range []struct {
		name   string
		gfp    GFP
		report bool
	}{
		{"GFP_KERNEL", GFP_KERNEL, true},
		{"GFP_USER", GFP_USER, true},
		{"GFP_NOIO", GFP_NOIO, true},
		{"GFP_NOFS", GFP_NOFS, true},
		{"GFP_HIGHUSER", GFP_HIGHUSER, true},
		{"GFP_KERNEL|__GFP_ZERO", GFP_KERNEL | GFPZero, true},
		{"GFP_ATOMIC", GFP_ATOMIC, false},
		{"GFP_NOWAIT", GFP_NOWAIT, false},
		{"GFP_ATOMIC|__GFP_ZERO", GFP_ATOMIC | GFPZero, false},
		{"GFP_DMA", GFP_DMA, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			var got bool
			h.must(runnerNamed(t, "tasklet").run(h, func() error {
				got = h.k.MightAlloc(tc.gfp, "kmalloc_trace+0x26/0x90")
				return nil
			}))
			if got != tc.report {
				t.Errorf("MightAlloc(%s) reported %v, want %v", tc.gfp, got, tc.report)
			}
		})
	}
}

// TestMightSleepTraces checks the frames around the script in each
// context's trace: markers, softirq and interrupt entry paths.
func TestMightSleepTraces(t *testing.T) {
	for _, tc := range []struct {
		ctx  string
		want []string
	}{
		{"tasklet", []string{"Call Trace:", " <TASK>", " dump_stack_lvl+0x44/0x5c", " __might_resched.cold+0xcc/0xdb",
			" mutex_lock+0x1a/0x40", " my_tasklet_func (mod.star:20) [mod]", " tasklet_action_common.constprop.0+0xab/0xe0",
			" __do_softirq+0xf0/0x2fe", " run_ksoftirqd+0x24/0x40", " smpboot_thread_fn+0xd9/0x1d0", " kthread+0xda/0x100",
			" ret_from_fork+0x22/0x30", " </TASK>"}},
		{"timer", []string{"CPU: 0 PID: 0 Comm: swapper/0 Not tainted 6.1.0-28-amd64 #1  Debian 6.1.119-1", "Call Trace:", " <IRQ>",
			" __might_resched.cold+0xcc/0xdb", " mutex_lock+0x1a/0x40", " my_timer_fn (mod.star:30) [mod]",
			" call_timer_fn+0x27/0x130", " __run_timers+0x21e/0x2c0", " run_timer_softirq+0x19/0x30", " __do_softirq+0xf0/0x2fe",
			" __irq_exit_rcu+0xd5/0x130", " sysvec_apic_timer_interrupt+0xa2/0xd0", " </IRQ>", " <TASK>",
			" asm_sysvec_apic_timer_interrupt+0x16/0x20", " default_idle_call+0x2c/0xe0", " secondary_startup_64_no_verify+0xe5/0xeb", " </TASK>"}},
		{"hardirq", []string{"Call Trace:", " <IRQ>", " mutex_lock+0x1a/0x40", " my_irq_handler (mod.star:40) [mod]",
			" __handle_irq_event_percpu+0x4a/0x180", " handle_irq_event+0x34/0x70", " handle_edge_irq+0x9f/0x240",
			" __common_interrupt+0x69/0x100", " common_interrupt+0xb4/0xd0", " </IRQ>", " <TASK>", " asm_common_interrupt+0x22/0x40",
			" do_idle+0x21d/0x2a0", " </TASK>"}},
		{"spinlock", []string{"CPU: 0 PID: 1203 Comm: insmod Not tainted 6.1.0-28-amd64 #1  Debian 6.1.119-1", "Call Trace:", " <TASK>",
			" mutex_lock+0x1a/0x40", " mod_init (mod.star:10) [mod]", " do_one_initcall+0x41/0x200", " entry_SYSCALL_64_after_hwframe+0x64/0xce", " </TASK>"}},
	} {
		t.Run(tc.ctx, func(t *testing.T) {
			h := newHarness(t)
			h.must(runnerNamed(t, tc.ctx).run(h, func() error {
				h.k.MightSleep(SiteMutexLock, "mutex_lock+0x1a/0x40")
				return nil
			}))
			h.wantInOrder(append([]string{"BUG: sleeping function called from invalid context at kernel/locking/mutex.c:283"}, tc.want...)...)
		})
	}
}

// TestMightSleepSites checks the might_sleep() sites of the sleeping
// primitives and that a script's own might_sleep() names its line.
func TestMightSleepSites(t *testing.T) {
	for _, tc := range []struct {
		name string
		call func(k *Kernel)
		want string
	}{
		{"might_sleep in script", func(k *Kernel) { k.MightSleep("") }, "mod.star:20"},
		{"mutex_lock", func(k *Kernel) { k.MutexLock(&Mutex{}) }, "kernel/locking/mutex.c:283"},
		{"copy_from_user", func(k *Kernel) { k.MightFault(SiteCopyFromUser, "_copy_from_user+0x28/0x80") }, "lib/usercopy.c:14"},
		{"copy_to_user", func(k *Kernel) { k.MightFault(SiteCopyToUser, "_copy_to_user+0x22/0x50") }, "lib/usercopy.c:36"},
		{"kmalloc", func(k *Kernel) { k.MightAlloc(GFP_KERNEL) }, "include/linux/sched/mm.h:274"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.must(runnerNamed(t, "tasklet").run(h, func() error { tc.call(h.k); return nil }))
			h.wantInOrder("BUG: sleeping function called from invalid context at " + tc.want)
		})
	}
}

// TestMightSleepRateLimit checks prev_jiffy: one report per second.
func TestMightSleepRateLimit(t *testing.T) {
	h := newHarness(t)
	body := func() error {
		h.k.MightAlloc(GFP_KERNEL)
		h.k.MightSleep(SiteMutexLock)
		return nil
	}
	h.must(runnerNamed(t, "tasklet").run(h, body))
	if n := h.countLines("BUG: sleeping function"); n != 1 {
		t.Fatalf("%d reports within one jiffy, want 1", n)
	}
	h.must(h.k.Tick(500_000_000))
	h.must(runnerNamed(t, "tasklet").run(h, body))
	if n := h.countLines("BUG: sleeping function"); n != 1 {
		t.Fatalf("%d reports within 0.5 s, want 1", n)
	}
	h.must(h.k.Tick(600_000_000))
	h.must(runnerNamed(t, "tasklet").run(h, body))
	if n := h.countLines("BUG: sleeping function"); n != 2 {
		t.Fatalf("%d reports after 1.1 s, want 2", n)
	}
	if h.countLines("Tainted: G        W") == 0 {
		t.Error("second report's CPU line does not show the W taint")
	}
}

// TestMsleepContexts checks schedule()'s "scheduling while atomic" and
// that msleep in process context lets time pass.
func TestMsleepContexts(t *testing.T) {
	for _, tc := range []struct {
		ctx  string
		want string // the BUG line, "" for none
	}{
		{"process", ""},
		{"work", ""},
		{"tasklet", "BUG: scheduling while atomic: ksoftirqd/0/14/0x00000101"},
		{"timer", "BUG: scheduling while atomic: swapper/0/0/0x00000102"},
		{"hardirq", "BUG: scheduling while atomic: swapper/0/0/0x00010002"},
		{"spinlock", "BUG: scheduling while atomic: insmod/1203/0x00000002"},
	} {
		t.Run(tc.ctx, func(t *testing.T) {
			h := newHarness(t)
			var before, after uint64
			h.must(runnerNamed(t, tc.ctx).run(h, func() error {
				before = h.k.Now()
				err := h.k.Msleep(10)
				after = h.k.Now()
				return err
			}))
			// msleep(10): 3 jiffies + 1, filed one jiffy late: 16-20 ms.
			if d := after - before; d < 16_000_000 || d > 21_000_000 {
				t.Errorf("msleep(10) took %d ns, want 16-20 ms", d)
			}
			if tc.want == "" {
				h.wantNoLine("BUG:")
				return
			}
			h.wantInOrder(tc.want, "Modules linked in:*", "Call Trace:", " __schedule_bug.cold+0x4d/0x5a",
				" __schedule+0x6f1/0x8c0", " schedule+0x5e/0xd0", " schedule_timeout+0x98/0x160", " msleep+0x2d/0x40")
			if c := h.classes(); len(c) != 1 || c[0] != "scheduling-while-atomic" {
				t.Errorf("reports = %v", c)
			}
		})
	}
}

// TestRunTaskLeakedSpinlock checks that returning to user space with a
// spinlock held is reported when the task next schedules, and repaired.
func TestRunTaskLeakedSpinlock(t *testing.T) {
	h := newHarness(t)
	var l Spinlock
	h.must(h.insmod(func() error { return h.k.SpinLock(&l) }))
	h.wantInOrder("BUG: scheduling while atomic: insmod/1203/0x00000002", "Modules linked in:*",
		" schedule+0x5e/0xd0", " exit_to_user_mode_prepare+0x129/0x1a0")
	if h.k.PreemptCount() != PreemptOffset || h.k.Current().Comm != "swapper/0" {
		t.Errorf("after RunTask: current %s, preempt_count %#x; want swapper/0, 0x1", h.k.Current().Comm, h.k.PreemptCount())
	}
}

// TestContextAccessors checks in_interrupt() and friends against Linux's
// definitions in each context.
func TestContextAccessors(t *testing.T) {
	type acc struct{ interrupt, softirq, serving, hardirq, task, atomic, irqsOff bool }
	for _, tc := range []struct {
		ctx  string
		want acc
	}{
		{"process", acc{task: true}},
		{"work", acc{task: true}},
		{"tasklet", acc{interrupt: true, softirq: true, serving: true, atomic: true}},
		{"timer", acc{interrupt: true, softirq: true, serving: true, atomic: true}},
		{"hardirq", acc{interrupt: true, hardirq: true, atomic: true, irqsOff: true}},
		{"spinlock", acc{task: true, atomic: true}},
		{"irqsave", acc{task: true, atomic: true, irqsOff: true}},
		{"bh-disabled", acc{interrupt: true, softirq: true, task: true, atomic: true}},
	} {
		t.Run(tc.ctx, func(t *testing.T) {
			h := newHarness(t)
			var got acc
			h.must(runnerNamed(t, tc.ctx).run(h, func() error {
				k := h.k
				got = acc{k.InInterrupt(), k.InSoftirq(), k.InServingSoftirq(), k.InHardirq(), k.InTask(), k.InAtomic(), k.IrqsDisabled()}
				return nil
			}))
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func ExampleKernel_MightAlloc() {
	k, _ := New(Config{Seed: 1})
	seq := k.NextSeq()
	t := DeclareTasklet(Callback{Func: "my_tasklet_func", Module: "atomic_kmalloc_test", Fn: func() error {
		k.MightAlloc(GFP_KERNEL, "kmalloc_trace+0x26/0x90")
		return nil
	}}, false)
	k.TaskletSchedule(t)
	_ = k.RunDeferred()
	for _, r := range k.LogSince(seq)[:4] {
		fmt.Println(r.Text)
	}
	// Output:
	// BUG: sleeping function called from invalid context at include/linux/sched/mm.h:274
	// in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 14, name: ksoftirqd/0
	// preempt_count: 100, expected: 0
	// RCU nest depth: 0, expected: 0
}

// TestSimulatorContext checks that the simulator's own use of kernel
// functions between steps (on the resting idle task) is not reported.
func TestSimulatorContext(t *testing.T) {
	h := newHarness(t)
	if h.k.MightAlloc(GFP_KERNEL) || h.k.MightSleep(SiteMutexLock) || h.k.ContextName() != "process" {
		t.Error("reports or wrong context between steps")
	}
	h.must(h.k.Msleep(10))
	h.wantNoLine("BUG")
}

// TestOopsWithLockHeld checks make_task_dead's note instead of a
// scheduling report when the task dies holding a spinlock.
func TestOopsWithLockHeld(t *testing.T) {
	h := newHarness(t)
	var l Spinlock
	err := h.insmod(func() error {
		h.must(h.k.SpinLock(&l))
		return h.k.nullCallOops()
	})
	if err == nil {
		t.Fatal("no error")
	}
	h.wantInOrder("Oops: 0010 [#1] PREEMPT SMP KASAN NOPTI", "note: insmod[1203] exited with preempt_count 1")
	h.wantNoLine("Kernel panic")
	h.wantNoLine("scheduling while atomic")
}
