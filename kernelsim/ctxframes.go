package kernelsim

// The kernel frames that call traces print around script code, per
// execution context, innermost first, with <IRQ>/<TASK> markers where the
// unwinder crosses from the interrupt stack back to the task stack
// (arch/x86/kernel/dumpstack.c). The symbols and their order are Linux
// 6.1's on x86-64; the +offset/size parts are plausible values for
// Debian's 6.1.0-28-amd64 build, not read from its vmlinux.
//
// Unlike Linux, when an interrupt's trace crosses into the interrupted task
// kernelsim omits the "RIP:/Code:/RSP:" register dump of the interrupted
// context: it would only show the idle loop's registers.

// idleFrames is the boot CPU's idle task, swapper/0, as an interrupt finds
// it: halted in the idle loop.
var idleFrames = []string{
	"default_idle_call+0x2c/0xe0",
	"do_idle+0x21d/0x2a0",
	"cpu_startup_entry+0x19/0x20",
	"rest_init+0xcb/0xd0",
	"arch_call_rest_init+0xa/0x14",
	"start_kernel+0x6d1/0x6fa",
	"secondary_startup_64_no_verify+0xe5/0xeb",
}

// Softirq handlers: tasklet_action/tasklet_hi_action (inlined into their
// common helper) and the timer softirq.
var (
	taskletActionFrames = []string{"tasklet_action_common.constprop.0+0xab/0xe0"}
	timerSoftirqFrames  = []string{
		"call_timer_fn+0x27/0x130",
		"__run_timers+0x21e/0x2c0",
		"run_timer_softirq+0x19/0x30",
	}
)

// The three ways __do_softirq is reached.
var (
	// ksoftirqdFrames: raised from process context, wakeup_softirqd()
	// hands the work to the per-CPU thread ksoftirqd/0.
	ksoftirqdFrames = []string{
		"__do_softirq+0xf0/0x2fe",
		"run_ksoftirqd+0x24/0x40",
		"smpboot_thread_fn+0xd9/0x1d0",
		"kthread+0xda/0x100",
		"ret_from_fork+0x22/0x30",
	}
	// timerIRQExitFrames: on the way out of the local APIC timer
	// interrupt, irq_exit() runs pending softirqs on the interrupt stack.
	timerIRQExitFrames = []string{
		"__do_softirq+0xf0/0x2fe",
		"__irq_exit_rcu+0xd5/0x130",
		"sysvec_apic_timer_interrupt+0xa2/0xd0",
		"</IRQ>",
		"<TASK>",
		"asm_sysvec_apic_timer_interrupt+0x16/0x20",
	}
	// deviceIRQExitFrames: the same on the way out of a device interrupt.
	deviceIRQExitFrames = []string{
		"__do_softirq+0xf0/0x2fe",
		"__irq_exit_rcu+0xd5/0x130",
		"common_interrupt+0xb9/0xd0",
		"</IRQ>",
		"<TASK>",
		"asm_common_interrupt+0x22/0x40",
	}
	// bhEnableFrames: local_bh_enable() in process context runs them at
	// once, switching to the interrupt stack (do_softirq_own_stack).
	bhEnableFrames = []string{
		"__do_softirq+0xf0/0x2fe",
		"</IRQ>",
		"<TASK>",
		"do_softirq.part.0+0x3d/0x60",
		"__local_bh_enable_ip+0x5a/0x60",
	}
)

// hardirqFrames is a device interrupt handler's path from the IO-APIC
// (edge-triggered legacy IRQ) through the generic IRQ layer.
var hardirqFrames = []string{
	"__handle_irq_event_percpu+0x4a/0x180",
	"handle_irq_event+0x34/0x70",
	"handle_edge_irq+0x9f/0x240",
	"__common_interrupt+0x69/0x100",
	"common_interrupt+0xb4/0xd0",
	"</IRQ>",
	"<TASK>",
	"asm_common_interrupt+0x22/0x40",
}

// kworkerFrames is a work item's path in a kworker thread.
var kworkerFrames = []string{
	"process_one_work+0x1c7/0x380",
	"worker_thread+0x4d/0x380",
	"kthread+0xda/0x100",
	"ret_from_fork+0x22/0x30",
}

// Report helpers' own frames.
var (
	mightReschedFrames = []string{"__might_resched.cold+0xcc/0xdb"}
	scheduleFrames     = []string{
		"__schedule_bug.cold+0x4d/0x5a",
		"__schedule+0x6f1/0x8c0",
		"schedule+0x5e/0xd0",
	}
	msleepFrames = []string{
		"schedule_timeout+0x98/0x160",
		"msleep+0x2d/0x40",
	}
	// exitToUserFrames: a syscall returning to user space reschedules
	// (exit_to_user_mode_loop, inlined) when the task should give up
	// the CPU.
	exitToUserFrames = []string{
		"exit_to_user_mode_prepare+0x129/0x1a0",
		"syscall_exit_to_user_mode+0x17/0x40",
		"do_syscall_64+0x67/0xc0",
		"entry_SYSCALL_64_after_hwframe+0x64/0xce",
	}
	// blockedFrames: a task asleep in the scheduler, as sched_show_task
	// shows it.
	blockedFrames = []string{
		"__schedule+0x34d/0x9e0",
		"schedule+0x5a/0xd0",
	}
	mutexBlockedFrames = []string{
		"schedule_preempt_disabled+0x11/0x20",
		"__mutex_lock.constprop.0+0x399/0x700",
	}
	waitVarFrames = []string{"__wait_var_event+0xdd/0x120"}
)

// The might_sleep() sites of the sleeping primitives, as Linux 6.1.119
// (Debian's 6.1.0-28) prints them in "BUG: sleeping function called from
// invalid context at FILE:LINE". Allocators pass SiteMightAlloc through
// MightAlloc; the others are exported for the uaccess and vmalloc code.
const (
	// SiteMightAlloc is might_alloc()'s might_sleep_if(), which every
	// slab and page allocation runs first (slab_pre_alloc_hook,
	// prepare_alloc_pages); vmalloc reaches it through the kzalloc_node()
	// of its vm_struct.
	SiteMightAlloc = "include/linux/sched/mm.h:274"
	// SiteMutexLock is mutex_lock()'s might_sleep() (no lockdep).
	SiteMutexLock = "kernel/locking/mutex.c:283"
	// SiteCopyFromUser and SiteCopyToUser are the might_fault() of the
	// out-of-line _copy_from_user/_copy_to_user x86-64 uses; 6.1.y's
	// backport of the copy_from_user speculation barrier moved them to
	// these lines.
	SiteCopyFromUser = "lib/usercopy.c:14"
	SiteCopyToUser   = "lib/usercopy.c:36"
	// SiteWaitForCompletion is wait_for_common()'s might_sleep(), which
	// flush_work() reaches when it has to wait.
	SiteWaitForCompletion = "kernel/sched/completion.c:101"
	// SiteWaitVarEvent is wait_var_event()'s might_sleep(), which
	// tasklet_kill() reaches while the tasklet is still scheduled.
	SiteWaitVarEvent = "include/linux/wait_bit.h:287"
)
