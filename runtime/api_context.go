package runtime

import (
	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// contextAPIs is the "Contexts and deferred work" group's other half:
// locks, context queries, sleeping and delays, jiffies
// (include/linux/spinlock.h, mutex.h, preempt.h, delay.h, jiffies.h).
func contextAPIs() []API {
	g, k := "Contexts and deferred work", ScopeKernel
	lock := func(name, c, en, th string) API {
		return API{Name: name, C: c, Group: g, Scope: k, fn: spinOp(name), En: en, Th: th}
	}
	query := func(name string, f func(*kernelsim.Kernel) bool, en, th string) API {
		return API{Name: name, C: "bool " + name + "(void)", Group: g, Scope: k, fn: contextQuery(f), En: en, Th: th}
	}
	return []API{
		{Name: "spinlock", C: "spinlock_t name;  /* DEFINE_SPINLOCK(name) */", Group: g, Scope: ScopeAny, fn: newSpinlockFn,
			En: `Declares an unlocked spinlock_t: my_lock = spinlock().`, Th: `ประกาศ spinlock_t ที่ยังไม่ถูกล็อก เช่น my_lock = spinlock()`},
		{Name: "DEFINE_SPINLOCK", C: "DEFINE_SPINLOCK(name)", Group: g, Scope: ScopeAny, fn: newSpinlockFn,
			En: `Same as spinlock(): an unlocked spinlock_t.`, Th: `เหมือน spinlock(): spinlock_t ที่ยังไม่ถูกล็อก`},
		lock("spin_lock_init", "void spin_lock_init(spinlock_t *lock)", `Initialises a spinlock to unlocked.`, `ตั้งค่า spinlock ให้อยู่ในสถานะไม่ถูกล็อก`),
		lock("spin_lock", "void spin_lock(spinlock_t *lock)",
			`Takes the lock, disabling preemption: until spin_unlock the code runs in atomic context and must not sleep (no GFP_KERNEL, no msleep, no mutex_lock). Taking a lock that is already held spins forever on the simulated single CPU: the soft-lockup detector reports it.`,
			`ล็อก spinlock และปิด preemption ตั้งแต่นี้จนถึง spin_unlock โค้ดทำงานใน atomic context และห้าม sleep (ห้าม GFP_KERNEL, msleep, mutex_lock) การล็อกซ้ำตัวที่ถูกล็อกอยู่จะวนรอไปตลอดบน CPU จำลองตัวเดียว และ soft-lockup detector จะรายงาน`),
		lock("spin_unlock", "void spin_unlock(spinlock_t *lock)", `Releases the lock and re-enables preemption.`, `ปลดล็อกและเปิด preemption กลับ`),
		lock("spin_trylock", "int spin_trylock(spinlock_t *lock)", `Takes the lock if it is free and returns true; false without waiting otherwise.`, `ล็อกถ้า spinlock ว่างและคืนค่า true ถ้าไม่ว่างคืนค่า false ทันทีโดยไม่รอ`),
		lock("spin_lock_irqsave", "spin_lock_irqsave(spinlock_t *lock, unsigned long flags)",
			`Disables interrupts, saving their state, and takes the lock; returns the saved flags for spin_unlock_irqrestore: flags = spin_lock_irqsave(lock). Use it for data an interrupt handler also touches.`,
			`ปิด interrupt (เก็บสถานะเดิมไว้) แล้วล็อก คืนค่า flags ที่เก็บไว้สำหรับ spin_unlock_irqrestore เช่น flags = spin_lock_irqsave(lock) ใช้กับข้อมูลที่ interrupt handler ก็เข้าถึงด้วย`),
		{Name: "spin_unlock_irqrestore", C: "void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)", Group: g, Scope: k, fn: spinUnlockIrqrestoreFn,
			En: `Releases the lock and restores the interrupt state saved by spin_lock_irqsave.`, Th: `ปลดล็อกและคืนสถานะ interrupt ที่ spin_lock_irqsave เก็บไว้`},
		lock("spin_lock_irq", "void spin_lock_irq(spinlock_t *lock)", `Disables interrupts and takes the lock.`, `ปิด interrupt แล้วล็อก`),
		lock("spin_unlock_irq", "void spin_unlock_irq(spinlock_t *lock)", `Releases the lock and enables interrupts.`, `ปลดล็อกและเปิด interrupt`),
		lock("spin_lock_bh", "void spin_lock_bh(spinlock_t *lock)", `Disables bottom halves (softirqs, tasklets, timers) and takes the lock: for data shared with a tasklet or timer.`, `ปิด bottom half (softirq, tasklet, timer) แล้วล็อก ใช้กับข้อมูลที่ใช้ร่วมกับ tasklet หรือ timer`),
		lock("spin_unlock_bh", "void spin_unlock_bh(spinlock_t *lock)", `Releases the lock and re-enables bottom halves; softirqs raised meanwhile run at once.`, `ปลดล็อกและเปิด bottom half กลับ softirq ที่ค้างอยู่จะทำงานทันที`),
		{Name: "mutex", C: "struct mutex name;  /* DEFINE_MUTEX(name) */", Group: g, Scope: ScopeAny, fn: newMutexFn,
			En: `Declares an unlocked struct mutex: my_mutex = mutex().`, Th: `ประกาศ struct mutex ที่ยังไม่ถูกล็อก เช่น my_mutex = mutex()`},
		{Name: "DEFINE_MUTEX", C: "DEFINE_MUTEX(name)", Group: g, Scope: ScopeAny, fn: newMutexFn,
			En: `Same as mutex().`, Th: `เหมือน mutex()`},
		{Name: "mutex_init", C: "void mutex_init(struct mutex *lock)", Group: g, Scope: k, fn: mutexOp("init"),
			En: `Initialises a mutex to unlocked.`, Th: `ตั้งค่า mutex ให้อยู่ในสถานะไม่ถูกล็อก`},
		{Name: "mutex_lock", C: "void mutex_lock(struct mutex *lock)", Group: g, Scope: k, fn: mutexOp("lock"),
			En: `Takes the mutex, sleeping while another task holds it: process context only. In atomic context it is the "sleeping function called from invalid context" bug.`,
			Th: `ล็อก mutex โดย sleep รอถ้ามี task อื่นถืออยู่ ใช้ได้เฉพาะใน process context ถ้าเรียกใน atomic context จะเกิดบั๊ก "sleeping function called from invalid context"`},
		{Name: "mutex_trylock", C: "int mutex_trylock(struct mutex *lock)", Group: g, Scope: k, fn: mutexOp("trylock"),
			En: `Takes the mutex if it is free: 1, else 0, without sleeping.`, Th: `ล็อก mutex ถ้าว่าง คืนค่า 1 ไม่อย่างนั้นคืนค่า 0 โดยไม่ sleep`},
		{Name: "mutex_unlock", C: "void mutex_unlock(struct mutex *lock)", Group: g, Scope: k, fn: mutexOp("unlock"),
			En: `Releases the mutex.`, Th: `ปลดล็อก mutex`},
		query("in_interrupt", (*kernelsim.Kernel).InInterrupt, `True in hardirq or softirq context, or with bottom halves disabled.`, `เป็นจริงเมื่ออยู่ใน hardirq หรือ softirq context หรือเมื่อปิด bottom half อยู่`),
		query("in_atomic", (*kernelsim.Kernel).InAtomic, `True when preempt_count is non-zero: interrupt context, a spinlock held, preemption or bottom halves disabled. Code must not sleep then.`, `เป็นจริงเมื่อ preempt_count ไม่เป็นศูนย์: อยู่ใน interrupt context, ถือ spinlock, ปิด preemption หรือปิด bottom half ตอนนั้นโค้ดห้าม sleep`),
		query("in_softirq", (*kernelsim.Kernel).InSoftirq, `True in softirq context (a tasklet, a timer) or with bottom halves disabled.`, `เป็นจริงเมื่ออยู่ใน softirq context (tasklet, timer) หรือเมื่อปิด bottom half อยู่`),
		query("in_serving_softirq", (*kernelsim.Kernel).InServingSoftirq, `True while a softirq handler (a tasklet, a timer) runs.`, `เป็นจริงระหว่างที่ softirq handler (tasklet, timer) ทำงาน`),
		query("in_hardirq", (*kernelsim.Kernel).InHardirq, `True in a hardirq handler.`, `เป็นจริงเมื่ออยู่ใน hardirq handler`),
		query("in_irq", (*kernelsim.Kernel).InHardirq, `Old name of in_hardirq.`, `ชื่อเก่าของ in_hardirq`),
		query("in_task", (*kernelsim.Kernel).InTask, `True in process context (neither interrupt nor softirq).`, `เป็นจริงเมื่ออยู่ใน process context (ไม่ใช่ interrupt หรือ softirq)`),
		query("irqs_disabled", (*kernelsim.Kernel).IrqsDisabled, `True while interrupts are disabled on this CPU.`, `เป็นจริงระหว่างที่ปิด interrupt บน CPU นี้`),
		{Name: "might_sleep", C: "void might_sleep(void)", Group: g, Scope: k, fn: mightSleepFn,
			En: `Declares that this code may sleep: in atomic context the kernel reports "BUG: sleeping function called from invalid context" naming this line, even if nothing sleeps this time.`,
			Th: `ประกาศว่าโค้ดตรงนี้อาจ sleep ถ้าอยู่ใน atomic context Kernel จะรายงาน "BUG: sleeping function called from invalid context" พร้อมชี้บรรทัดนี้ แม้ครั้งนี้จะไม่ได้ sleep จริง`},
		{Name: "msleep", C: "void msleep(unsigned int msecs)", Group: g, Scope: k, fn: msleepFn,
			En: `Sleeps at least msecs milliseconds of simulated time (timers due meanwhile fire). Process context only.`,
			Th: `sleep อย่างน้อย msecs มิลลิวินาทีของเวลาจำลอง (timer ที่ถึงเวลาระหว่างนั้นจะทำงาน) ใช้ได้เฉพาะใน process context`},
		{Name: "udelay", C: "void udelay(unsigned long usecs)", Group: g, Scope: k, fn: delayFn(1000),
			En: `Busy-waits usecs microseconds: no sleeping, so usable in atomic context.`, Th: `วนรอ usecs ไมโครวินาทีโดยไม่ sleep จึงใช้ใน atomic context ได้`},
		{Name: "mdelay", C: "void mdelay(unsigned long msecs)", Group: g, Scope: k, fn: delayFn(1_000_000),
			En: `Busy-waits msecs milliseconds.`, Th: `วนรอ msecs มิลลิวินาที`},
		{Name: "ndelay", C: "void ndelay(unsigned long nsecs)", Group: g, Scope: k, fn: delayFn(1),
			En: `Busy-waits nsecs nanoseconds.`, Th: `วนรอ nsecs นาโนวินาที`},
		{Name: "local_bh_disable", C: "void local_bh_disable(void)", Group: g, Scope: k, fn: cpuOp("bh_disable"),
			En: `Disables bottom halves: softirqs (tasklets, timers) cannot run on this CPU until local_bh_enable.`, Th: `ปิด bottom half: softirq (tasklet, timer) จะทำงานบน CPU นี้ไม่ได้จนกว่าจะเรียก local_bh_enable`},
		{Name: "local_bh_enable", C: "void local_bh_enable(void)", Group: g, Scope: k, fn: cpuOp("bh_enable"),
			En: `Re-enables bottom halves; pending softirqs run at once.`, Th: `เปิด bottom half กลับ softirq ที่ค้างอยู่จะทำงานทันที`},
		{Name: "preempt_disable", C: "void preempt_disable(void)", Group: g, Scope: k, fn: cpuOp("preempt_disable"),
			En: `Disables preemption: atomic context until preempt_enable.`, Th: `ปิด preemption: อยู่ใน atomic context จนกว่าจะเรียก preempt_enable`},
		{Name: "preempt_enable", C: "void preempt_enable(void)", Group: g, Scope: k, fn: cpuOp("preempt_enable"),
			En: `Re-enables preemption.`, Th: `เปิด preemption กลับ`},
		{Name: "local_irq_disable", C: "void local_irq_disable(void)", Group: g, Scope: k, fn: cpuOp("irq_disable"),
			En: `Disables interrupts on this CPU.`, Th: `ปิด interrupt บน CPU นี้`},
		{Name: "local_irq_enable", C: "void local_irq_enable(void)", Group: g, Scope: k, fn: cpuOp("irq_enable"),
			En: `Enables interrupts on this CPU.`, Th: `เปิด interrupt บน CPU นี้`},
		{Name: "jiffies", C: "extern unsigned long volatile jiffies;", Group: g, Scope: k, fn: jiffiesFn,
			En: `The kernel's tick counter, read as jiffies() (a function here, since Starlark has no volatile variables): HZ ticks a second, starting five minutes before the 32-bit wrap as Linux does (INITIAL_JIFFIES).`,
			Th: `ตัวนับ tick ของ Kernel อ่านค่าด้วย jiffies() (ที่นี่เป็นฟังก์ชันเพราะ Starlark ไม่มีตัวแปรแบบ volatile) เพิ่มขึ้น HZ ครั้งต่อวินาที และเริ่มนับที่ห้านาทีก่อนค่า 32 บิตจะวนรอบ เหมือน Linux (INITIAL_JIFFIES)`},
		{Name: "HZ", C: "#define HZ 250", Group: g, Scope: ScopeAny, v: intConst(kernelsim.HZ),
			En: `Timer ticks per second: Debian's kernels use 250 (a jiffy is 4 ms).`, Th: `จำนวน tick ของ timer ต่อวินาที Kernel ของ Debian ใช้ 250 (หนึ่ง jiffy คือ 4 มิลลิวินาที)`},
		{Name: "msecs_to_jiffies", C: "unsigned long msecs_to_jiffies(const unsigned int m)", Group: g, Scope: ScopeAny, fn: jiffyConv("ms"),
			En: `Milliseconds to jiffies, rounded up.`, Th: `แปลงมิลลิวินาทีเป็น jiffies โดยปัดขึ้น`},
		{Name: "usecs_to_jiffies", C: "unsigned long usecs_to_jiffies(const unsigned int u)", Group: g, Scope: ScopeAny, fn: jiffyConv("us"),
			En: `Microseconds to jiffies, rounded up.`, Th: `แปลงไมโครวินาทีเป็น jiffies โดยปัดขึ้น`},
		{Name: "jiffies_to_msecs", C: "unsigned int jiffies_to_msecs(const unsigned long j)", Group: g, Scope: ScopeAny, fn: jiffyConv("to_ms"),
			En: `Jiffies to milliseconds.`, Th: `แปลง jiffies เป็นมิลลิวินาที`},
		{Name: "time_after", C: "bool time_after(unsigned long a, unsigned long b)", Group: g, Scope: ScopeAny, fn: timeCmp(true),
			En: `True when jiffies value a is after b, correct across the counter's wrap.`, Th: `เป็นจริงเมื่อค่า jiffies a อยู่หลัง b โดยถูกต้องแม้ตัวนับจะวนรอบ`},
		{Name: "time_before", C: "bool time_before(unsigned long a, unsigned long b)", Group: g, Scope: ScopeAny, fn: timeCmp(false),
			En: `True when jiffies value a is before b, correct across the counter's wrap.`, Th: `เป็นจริงเมื่อค่า jiffies a อยู่ก่อน b โดยถูกต้องแม้ตัวนับจะวนรอบ`},
	}
}

func newSpinlockFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := c.unpack(args, kwargs); err != nil {
		return nil, err
	}
	return Spinlock{l: new(kernelsim.Spinlock), id: c.e.newID()}, nil
}

func newMutexFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := c.unpack(args, kwargs); err != nil {
		return nil, err
	}
	return Mutex{m: new(kernelsim.Mutex), id: c.e.newID()}, nil
}

// spinOp makes the spinlock functions that take only the lock.
func spinOp(name string) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var l Spinlock
		if err := c.unpack(args, kwargs, "lock", &l); err != nil {
			return nil, err
		}
		k := c.k()
		switch name {
		case "spin_lock_init":
			k.SpinLockInit(l.l)
		case "spin_lock":
			return starlark.None, k.SpinLock(l.l)
		case "spin_unlock":
			k.SpinUnlock(l.l)
		case "spin_trylock":
			return starlark.Bool(k.SpinTrylock(l.l)), nil
		case "spin_lock_irqsave":
			flags, err := k.SpinLockIrqsave(l.l)
			return starlark.MakeUint64(flags), err
		case "spin_lock_irq":
			return starlark.None, k.SpinLockIrq(l.l)
		case "spin_unlock_irq":
			k.SpinUnlockIrq(l.l)
		case "spin_lock_bh":
			return starlark.None, k.SpinLockBh(l.l)
		case "spin_unlock_bh":
			return starlark.None, k.SpinUnlockBh(l.l)
		}
		return starlark.None, nil
	}
}

func spinUnlockIrqrestoreFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var l Spinlock
	var flags uint64
	if err := c.unpack(args, kwargs, "lock", &l, "flags", &flags); err != nil {
		return nil, err
	}
	c.k().SpinUnlockIrqrestore(l.l, flags)
	return starlark.None, nil
}

func mutexOp(op string) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var m Mutex
		if err := c.unpack(args, kwargs, "lock", &m); err != nil {
			return nil, err
		}
		k := c.k()
		switch op {
		case "init":
			k.MutexInit(m.m)
		case "lock":
			c.record(0, 0, false)
			return starlark.None, k.MutexLock(m.m)
		case "trylock":
			return starlark.MakeInt(k.MutexTrylock(m.m)), nil
		case "unlock":
			k.MutexUnlock(m.m)
		}
		return starlark.None, nil
	}
}

func contextQuery(f func(*kernelsim.Kernel) bool) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := c.unpack(args, kwargs); err != nil {
			return nil, err
		}
		return starlark.Bool(f(c.k())), nil
	}
}

func mightSleepFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := c.unpack(args, kwargs); err != nil {
		return nil, err
	}
	c.k().MightSleep("")
	return starlark.None, nil
}

func msleepFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var ms uint32
	if err := c.unpack(args, kwargs, "msecs", &ms); err != nil {
		return nil, err
	}
	c.record(0, uint64(ms), false)
	return starlark.None, c.k().Msleep(int64(ms))
}

// delayFn makes udelay, mdelay and ndelay: busy waits of n units of scale
// nanoseconds.
func delayFn(scale uint64) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var n uint64
		if err := c.unpack(args, kwargs, "n", &n); err != nil {
			return nil, err
		}
		c.k().Ndelay(n * scale)
		return starlark.None, nil
	}
}

func cpuOp(op string) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := c.unpack(args, kwargs); err != nil {
			return nil, err
		}
		k := c.k()
		switch op {
		case "bh_disable":
			k.LocalBhDisable()
		case "bh_enable":
			return starlark.None, k.LocalBhEnable()
		case "preempt_disable":
			k.PreemptDisable()
		case "preempt_enable":
			k.PreemptEnable()
		case "irq_disable":
			k.LocalIrqDisable()
		case "irq_enable":
			k.LocalIrqEnable()
		}
		return starlark.None, nil
	}
}

func jiffiesFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := c.unpack(args, kwargs); err != nil {
		return nil, err
	}
	return starlark.MakeUint64(c.k().Jiffies()), nil
}

func jiffyConv(kind string) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var n int64
		if err := c.unpack(args, kwargs, "n", &n); err != nil {
			return nil, err
		}
		switch kind {
		case "ms":
			return starlark.MakeUint64(kernelsim.MsecsToJiffies(n)), nil
		case "us":
			return starlark.MakeUint64(kernelsim.UsecsToJiffies(n)), nil
		}
		return starlark.MakeUint64(kernelsim.JiffiesToMsecs(uint64(n))), nil
	}
}

// timeCmp makes time_after and time_before: a signed difference, so that
// the comparison survives the counter's wrap.
func timeCmp(after bool) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var a, b uint64
		if err := c.unpack(args, kwargs, "a", &a, "b", &b); err != nil {
			return nil, err
		}
		if after {
			return starlark.Bool(int64(b-a) < 0), nil
		}
		return starlark.Bool(int64(a-b) < 0), nil
	}
}
