package runtime

import (
	"strings"
	"testing"
)

// TestSeedTasklet: lesson 3's module prints the seed's lines in the seed's
// order, the tasklet running in softirq context after insmod returns.
func TestSeedTasklet(t *testing.T) {
	m := newTestMachine(t)
	loadFile(t, m, "atomic_kmalloc_test")
	seq := m.k.NextSeq()
	if err := m.Insmod("atomic_kmalloc_test.ko", nil); err != nil {
		t.Fatal(err)
	}
	if err := m.RunDeferred(); err != nil {
		t.Fatal(err)
	}
	lines := logText(m, seq)
	matchLines(t, lines,
		`atomic_kmalloc_test: loading out-of-tree module taints kernel\.`,
		`Loading atomic_kmalloc_test module\.\.\.`,
		`Scheduling the tasklet to run\.`,
		`Tasklet is running! Attempting atomic allocation\.\.\.`,
		`GFP_ATOMIC allocation successful!`,
		`Buffer content: Hello from atomic context!`,
		`Atomic buffer freed\.`)
	if strings.Contains(strings.Join(lines, "\n"), "BUG:") {
		t.Errorf("unexpected report:\n%s", strings.Join(lines, "\n"))
	}
	calls := m.Calls()
	var ctx string
	for _, c := range calls {
		if c.Fn == "kmalloc" {
			ctx = c.Context
		}
	}
	if ctx != "softirq" {
		t.Errorf("kmalloc recorded in context %q, want softirq (calls: %+v)", ctx, calls)
	}
	seq = m.k.NextSeq()
	if err := m.Rmmod("atomic_kmalloc_test"); err != nil {
		t.Fatal(err)
	}
	matchLines(t, logText(m, seq), `Tasklet killed\. Module unloaded\.`)
}

// TestTaskletGFPKernel: GFP_KERNEL in a tasklet is the sleeping-function
// bug, reported with the script line.
func TestTaskletGFPKernel(t *testing.T) {
	m := newTestMachine(t)
	loadFile(t, m, "atomic_gfp_kernel")
	seq := m.k.NextSeq()
	if err := m.Insmod("atomic_gfp_kernel.ko", nil); err != nil {
		t.Fatal(err)
	}
	if err := m.RunDeferred(); err != nil {
		t.Fatal(err)
	}
	matchLines(t, logText(m, seq),
		`BUG: sleeping function called from invalid context at include/linux/sched/mm\.h:274`,
		`in_atomic\(\): 1, irqs_disabled\(\): 0, non_block: 0, pid: \d+, name: ksoftirqd/0`,
		`Call Trace:`,
		` my_tasklet_func \(atomic_gfp_kernel\.star:13\) \[atomic_gfp_kernel\]`,
		`GFP_ATOMIC allocation successful!`)
}

func TestTimersAndWork(t *testing.T) {
	m := newTestMachine(t)
	err := insmodSrc(t, m, `
MODULE_LICENSE("GPL")
my_timer = timer_list()
my_work = work_struct()
lock = spinlock()
st = static(fired = 0)

def work_fn(w):
    pr_info("work in process context: %d\n", in_task())
    msleep(10)

def timer_fn(t):
    st.fired += 1
    pr_info("timer fired %d, softirq=%d\n", st.fired, in_serving_softirq())
    schedule_work(my_work)

def i():
    timer_setup(my_timer, timer_fn, 0)
    INIT_WORK(my_work, work_fn)
    mod_timer(my_timer, jiffies() + msecs_to_jiffies(100))
    flags = spin_lock_irqsave(lock)
    pr_info("atomic=%d locked=%d\n", in_atomic(), lock.locked)
    spin_unlock_irqrestore(lock, flags)
    return 0

def e():
    del_timer_sync(my_timer)
    cancel_work_sync(my_work)

module_init(i)
module_exit(e)
`)
	if err != nil {
		t.Fatal(err)
	}
	seq := m.k.NextSeq()
	if err := m.RunDeferred(); err != nil {
		t.Fatal(err)
	}
	if got := logText(m, seq); len(got) != 0 {
		t.Errorf("the timer fired before its time: %v", got)
	}
	if err := m.Tick(200e6); err != nil {
		t.Fatal(err)
	}
	matchLines(t, logText(m, seq), `timer fired 1, softirq=1`, `work in process context: 1`)
	if err := m.Rmmod("x"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dmesgTail(m, 100), "atomic=1 locked=1") {
		t.Errorf("spin_lock_irqsave did not make the context atomic:\n%s", dmesgTail(m, 100))
	}
}
