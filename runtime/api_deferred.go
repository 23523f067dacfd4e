package runtime

import (
	"errors"
	"fmt"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// deferredAPIs is the "Contexts and deferred work" group's deferred half:
// tasklets, timers, work items and interrupt handlers
// (include/linux/interrupt.h, timer.h, workqueue.h).
func deferredAPIs() []API {
	g, k := "Contexts and deferred work", ScopeKernel
	return []API{
		{Name: "tasklet", C: "struct tasklet_struct name;", Group: g, Scope: ScopeAny, fn: newTaskletFn,
			En: `Declares a struct tasklet_struct with no function yet: my_tasklet = tasklet(), then tasklet_setup(my_tasklet, fn) in init.`,
			Th: `ประกาศ struct tasklet_struct ที่ยังไม่มีฟังก์ชัน เช่น my_tasklet = tasklet() แล้วเรียก tasklet_setup(my_tasklet, fn) ใน init`},
		{Name: "tasklet_setup", C: "void tasklet_setup(struct tasklet_struct *t, void (*callback)(struct tasklet_struct *))", Group: g, Scope: k, fn: taskletSetupFn,
			En: `Sets the tasklet's function; it is called with the tasklet when the tasklet runs. The tasklet starts enabled and not scheduled.`,
			Th: `กำหนดฟังก์ชันของ tasklet ซึ่งจะถูกเรียกพร้อมตัว tasklet เมื่อ tasklet ทำงาน tasklet เริ่มต้นในสถานะเปิดใช้และยังไม่ถูกจัดคิว`},
		{Name: "DECLARE_TASKLET", C: "DECLARE_TASKLET(name, callback)", Group: g, Scope: ScopeDecl, fn: declareTaskletFn(false),
			En: `Declares a tasklet already set up with its function, at file scope: my_tasklet = DECLARE_TASKLET(my_tasklet_func).`,
			Th: `ประกาศ tasklet ที่ผูกฟังก์ชันไว้แล้วที่ระดับไฟล์ เช่น my_tasklet = DECLARE_TASKLET(my_tasklet_func)`},
		{Name: "DECLARE_TASKLET_DISABLED", C: "DECLARE_TASKLET_DISABLED(name, callback)", Group: g, Scope: ScopeDecl, fn: declareTaskletFn(true),
			En: `DECLARE_TASKLET, but disabled (count 1) until tasklet_enable.`,
			Th: `เหมือน DECLARE_TASKLET แต่ปิดใช้ไว้ (count เป็น 1) จนกว่าจะเรียก tasklet_enable`},
		{Name: "tasklet_schedule", C: "void tasklet_schedule(struct tasklet_struct *t)", Group: g, Scope: k, fn: taskletOp("schedule"),
			En: `Queues the tasklet to run "soon" in softirq context (TASKLET_SOFTIRQ): in kscript, when the current system call or shell step ends, or at once when bottom halves are re-enabled. A tasklet scheduled again before it ran runs once. Its code must not sleep: GFP_ATOMIC, never GFP_KERNEL.`,
			Th: `จัดคิว tasklet ให้ทำงาน "เร็ว ๆ นี้" ใน softirq context (TASKLET_SOFTIRQ) ใน kscript คือเมื่อ system call หรือคำสั่งใน shell ปัจจุบันจบลง หรือทันทีที่เปิด bottom half กลับมา ถ้าถูกจัดคิวซ้ำก่อนได้ทำงานก็จะทำงานครั้งเดียว โค้ดใน tasklet ห้าม sleep ต้องใช้ GFP_ATOMIC ห้ามใช้ GFP_KERNEL`},
		{Name: "tasklet_hi_schedule", C: "void tasklet_hi_schedule(struct tasklet_struct *t)", Group: g, Scope: k, fn: taskletOp("hi_schedule"),
			En: `Like tasklet_schedule, on the high-priority list (HI_SOFTIRQ), which runs before every other softirq.`,
			Th: `เหมือน tasklet_schedule แต่ใช้คิวลำดับสูง (HI_SOFTIRQ) ซึ่งทำงานก่อน softirq อื่นทั้งหมด`},
		{Name: "tasklet_kill", C: "void tasklet_kill(struct tasklet_struct *t)", Group: g, Scope: k, fn: taskletOp("kill"),
			En: `Waits until the tasklet is neither scheduled nor running, and unschedules it. Call it in exit before the tasklet's code goes away. It may sleep.`,
			Th: `รอจนกว่า tasklet จะไม่อยู่ในคิวและไม่ได้ทำงานอยู่ แล้วถอดออกจากคิว ควรเรียกใน exit ก่อนที่โค้ดของ tasklet จะหายไป ฟังก์ชันนี้อาจ sleep`},
		{Name: "tasklet_disable", C: "void tasklet_disable(struct tasklet_struct *t)", Group: g, Scope: k, fn: taskletOp("disable"),
			En: `Increments the tasklet's disable count and waits for a running instance to finish; a disabled tasklet stays queued without running.`,
			Th: `เพิ่มตัวนับการปิดใช้ของ tasklet และรอให้ตัวที่กำลังทำงานอยู่จบก่อน tasklet ที่ถูกปิดจะค้างอยู่ในคิวโดยไม่ทำงาน`},
		{Name: "tasklet_enable", C: "void tasklet_enable(struct tasklet_struct *t)", Group: g, Scope: k, fn: taskletOp("enable"),
			En: `Decrements the disable count; at zero a queued tasklet may run again.`,
			Th: `ลดตัวนับการปิดใช้ เมื่อเป็นศูนย์ tasklet ที่ค้างอยู่ในคิวก็ทำงานได้อีก`},
		{Name: "timer_list", C: "struct timer_list name;", Group: g, Scope: ScopeAny, fn: newTimerFn,
			En: `Declares a struct timer_list: my_timer = timer_list(), then timer_setup(my_timer, fn, 0).`,
			Th: `ประกาศ struct timer_list เช่น my_timer = timer_list() แล้วเรียก timer_setup(my_timer, fn, 0)`},
		{Name: "timer_setup", C: "void timer_setup(struct timer_list *timer, void (*callback)(struct timer_list *), unsigned int flags)", Group: g, Scope: k, fn: timerSetupFn,
			En: `Sets the timer's function, called with the timer in softirq context (TIMER_SOFTIRQ) when it expires.`,
			Th: `กำหนดฟังก์ชันของ timer ซึ่งจะถูกเรียกพร้อมตัว timer ใน softirq context (TIMER_SOFTIRQ) เมื่อหมดเวลา`},
		{Name: "mod_timer", C: "int mod_timer(struct timer_list *timer, unsigned long expires)", Group: g, Scope: k, fn: modTimerFn,
			En: `Arms (or re-arms) the timer to expire at jiffies value expires, e.g. jiffies() + msecs_to_jiffies(100); returns 1 if it was pending. Timers fire when simulated time passes: the tick step, msleep.`,
			Th: `ตั้ง (หรือตั้งใหม่) ให้ timer หมดเวลาเมื่อ jiffies ถึงค่า expires เช่น jiffies() + msecs_to_jiffies(100) คืนค่า 1 ถ้า timer ตั้งอยู่แล้ว timer จะทำงานเมื่อเวลาจำลองเดินไป เช่น คำสั่ง tick หรือ msleep`},
		{Name: "add_timer", C: "void add_timer(struct timer_list *timer)", Group: g, Scope: k, fn: timerOp("add"),
			En: `Arms the timer at timer.expires.`,
			Th: `ตั้ง timer ตามค่า timer.expires`},
		{Name: "del_timer", C: "int del_timer(struct timer_list *timer)", Group: g, Scope: k, fn: timerOp("del"),
			En: `Disarms the timer; returns 1 if it was pending. Its callback may still be running elsewhere: in exit use del_timer_sync.`,
			Th: `ยกเลิก timer คืนค่า 1 ถ้า timer ตั้งอยู่ callback อาจยังทำงานอยู่ที่อื่น ใน exit ควรใช้ del_timer_sync`},
		{Name: "del_timer_sync", C: "int del_timer_sync(struct timer_list *timer)", Group: g, Scope: k, fn: timerOp("del_sync"),
			En: `Disarms the timer and waits until its callback is not running; returns 1 if it was pending. Calling it from the timer's own callback waits forever.`,
			Th: `ยกเลิก timer และรอจน callback ไม่ได้ทำงานอยู่ คืนค่า 1 ถ้า timer ตั้งอยู่ ถ้าเรียกจากใน callback ของ timer เองจะรอไปตลอดกาล`},
		{Name: "timer_pending", C: "int timer_pending(const struct timer_list *timer)", Group: g, Scope: k, fn: timerOp("pending"),
			En: `True while the timer is armed and has not fired.`,
			Th: `เป็นจริงระหว่างที่ timer ตั้งอยู่และยังไม่ทำงาน`},
		{Name: "work_struct", C: "struct work_struct name;", Group: g, Scope: ScopeAny, fn: newWorkFn,
			En: `Declares a struct work_struct: my_work = work_struct(), then INIT_WORK(my_work, fn).`,
			Th: `ประกาศ struct work_struct เช่น my_work = work_struct() แล้วเรียก INIT_WORK(my_work, fn)`},
		{Name: "INIT_WORK", C: "INIT_WORK(struct work_struct *work, void (*func)(struct work_struct *))", Group: g, Scope: k, fn: initWorkFn,
			En: `Sets the work item's function, called with the work item in process context by a kernel worker thread (kworker/0:1), where it may sleep.`,
			Th: `กำหนดฟังก์ชันของงาน ซึ่ง worker thread ของ Kernel (kworker/0:1) จะเรียกพร้อมตัวงานใน process context จึง sleep ได้`},
		{Name: "DECLARE_WORK", C: "DECLARE_WORK(name, func)", Group: g, Scope: ScopeDecl, fn: declareWorkFn,
			En: `Declares a work item already set up with its function, at file scope.`,
			Th: `ประกาศงานที่ผูกฟังก์ชันไว้แล้วที่ระดับไฟล์`},
		{Name: "schedule_work", C: "bool schedule_work(struct work_struct *work)", Group: g, Scope: k, fn: workOp("schedule"),
			En: `Queues the work item on the system workqueue; false if it was already queued. Safe in any context: this is how softirq code hands work that must sleep to process context.`,
			Th: `จัดคิวงานบน system workqueue คืนค่า false ถ้าอยู่ในคิวอยู่แล้ว เรียกได้ในทุก context นี่คือวิธีที่โค้ดใน softirq ส่งงานที่ต้อง sleep ไปทำใน process context`},
		{Name: "flush_work", C: "bool flush_work(struct work_struct *work)", Group: g, Scope: k, fn: workOp("flush"),
			En: `Waits until the work item has run; true if it had to wait. It may sleep.`,
			Th: `รอจนงานทำเสร็จ คืนค่า true ถ้าต้องรอ ฟังก์ชันนี้อาจ sleep`},
		{Name: "cancel_work_sync", C: "bool cancel_work_sync(struct work_struct *work)", Group: g, Scope: k, fn: workOp("cancel_sync"),
			En: `Takes the work item off the queue and waits for a running instance; true if it was pending. Call it in exit.`,
			Th: `ถอดงานออกจากคิวและรอตัวที่กำลังทำงานให้จบ คืนค่า true ถ้างานอยู่ในคิว ควรเรียกใน exit`},
		{Name: "request_irq", C: "int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name, void *dev)", Group: g, Scope: k, fn: requestIRQFn,
			En: `Installs handler(irq, dev) on interrupt line irq (0..23 on the simulated i440FX PC); it runs in hardirq context when the line fires (the irq step) and returns IRQ_HANDLED or IRQ_NONE. Returns 0 or -EBUSY (the line is taken and not shared) or -EINVAL. It may sleep.`,
			Th: `ติดตั้ง handler(irq, dev) บน interrupt line irq (0..23 บนเครื่อง i440FX จำลอง) handler จะทำงานใน hardirq context เมื่อ interrupt line นั้นเกิด interrupt (คำสั่ง irq) และต้องคืนค่า IRQ_HANDLED หรือ IRQ_NONE ฟังก์ชันนี้คืนค่า 0 หรือ -EBUSY (interrupt line ถูกใช้อยู่และไม่ได้แชร์) หรือ -EINVAL ฟังก์ชันนี้อาจ sleep`},
		{Name: "free_irq", C: "const void *free_irq(unsigned int irq, void *dev_id)", Group: g, Scope: k, fn: freeIRQFn,
			En: `Removes the handler installed with dev_id from line irq; freeing a handler that is not there is WARNed about. It may sleep.`,
			Th: `ถอด handler ที่ติดตั้งด้วย dev_id ออกจาก interrupt line irq การถอด handler ที่ไม่มีอยู่จะได้คำเตือน WARN ฟังก์ชันนี้อาจ sleep`},
		{Name: "IRQ_NONE", C: "#define IRQ_NONE (0)", Group: g, Scope: ScopeAny, v: intConst(int(kernelsim.IRQNone)),
			En: `A handler's return: the interrupt was not from my device.`, Th: `ค่าที่ handler คืน: interrupt นี้ไม่ได้มาจากอุปกรณ์ของเรา`},
		{Name: "IRQ_HANDLED", C: "#define IRQ_HANDLED (1)", Group: g, Scope: ScopeAny, v: intConst(int(kernelsim.IRQHandled)),
			En: `A handler's return: the interrupt was handled.`, Th: `ค่าที่ handler คืน: จัดการ interrupt แล้ว`},
		{Name: "IRQF_SHARED", C: "#define IRQF_SHARED 0x00000080", Group: g, Scope: ScopeAny, v: uintConst(kernelsim.IRQFShared),
			En: `request_irq flag: allow other handlers on the same line (each needs its own dev).`, Th: `flag ของ request_irq: ยอมให้ handler อื่นใช้ interrupt line เดียวกัน (แต่ละตัวต้องมี dev ของตัวเอง)`},
	}
}

// callback wraps a script function as kernelsim's Callback: it runs as the
// module's kernel code, called with arg. An Oops goes back to kernelsim as
// the *Oops itself, so that the kernel handles it as Linux would in that
// context.
func (c call) callback(fn starlark.Callable, arg starlark.Value) kernelsim.Callback {
	m, inst := c.e.m, c.e.mod
	cb := kernelsim.Callback{Func: fn.Name(), Fn: func() error {
		_, err := m.callScript(inst, whereKern, fn, arg)
		return unwrapKilled(err)
	}}
	if inst != nil {
		cb.Module = inst.s.name
	}
	return cb
}

// unwrapKilled returns the Oops of a *KilledError, for kernelsim.
func unwrapKilled(err error) error {
	var k *KilledError
	if errors.As(err, &k) {
		return k.Oops
	}
	return err
}

// checkCallback rejects a callback that cannot take the one argument the
// kernel passes (the tasklet, timer or work item).
func (c call) checkCallback(fn starlark.Callable, nargs int) error {
	f, ok := fn.(*starlark.Function)
	if !ok || f.HasVarargs() || f.NumParams() == nargs || f.NumParams() > nargs && f.ParamDefault(nargs) != nil {
		return nil
	}
	return c.errorf("%s takes %d parameters, want %d: the kernel calls it with %d argument(s)", f.Name(), f.NumParams(), nargs, nargs)
}

func newTaskletFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := c.unpack(args, kwargs); err != nil {
		return nil, err
	}
	return Tasklet{t: kernelsim.NewTasklet(), id: c.e.newID()}, nil
}

func taskletSetupFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var t Tasklet
	var fn FuncArg
	if err := c.unpack(args, kwargs, "t", &t, "callback", &fn); err != nil {
		return nil, err
	}
	if err := c.checkCallback(fn.fn, 1); err != nil {
		return nil, err
	}
	c.k().TaskletSetup(t.t, c.callback(fn.fn, t))
	return starlark.None, nil
}

func declareTaskletFn(disabled bool) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var fn FuncArg
		if err := c.unpack(args, kwargs, "callback", &fn); err != nil {
			return nil, err
		}
		if err := c.checkCallback(fn.fn, 1); err != nil {
			return nil, err
		}
		t := Tasklet{t: kernelsim.NewTasklet(), id: c.e.newID()}
		c.k().TaskletSetup(t.t, c.callback(fn.fn, t))
		if disabled {
			c.k().TaskletDisableNosync(t.t)
		}
		return t, nil
	}
}

// taskletOp makes the tasklet functions that take only the tasklet.
func taskletOp(op string) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var t Tasklet
		if err := c.unpack(args, kwargs, "t", &t); err != nil {
			return nil, err
		}
		c.record(0, 0, false)
		k := c.k()
		switch op {
		case "schedule":
			k.TaskletSchedule(t.t)
		case "hi_schedule":
			k.TaskletHiSchedule(t.t)
		case "kill":
			return starlark.None, k.TaskletKill(t.t)
		case "disable":
			k.TaskletDisable(t.t)
		case "enable":
			k.TaskletEnable(t.t)
		}
		return starlark.None, nil
	}
}

func newTimerFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := c.unpack(args, kwargs); err != nil {
		return nil, err
	}
	return Timer{t: kernelsim.NewTimer(), id: c.e.newID()}, nil
}

func timerSetupFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var t Timer
	var fn FuncArg
	var flags uint32
	if err := c.unpack(args, kwargs, "timer", &t, "callback", &fn, "flags?", &flags); err != nil {
		return nil, err
	}
	if err := c.checkCallback(fn.fn, 1); err != nil {
		return nil, err
	}
	c.k().TimerSetup(t.t, c.callback(fn.fn, t), flags)
	return starlark.None, nil
}

func modTimerFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var t Timer
	var expires uint64
	if err := c.unpack(args, kwargs, "timer", &t, "expires", &expires); err != nil {
		return nil, err
	}
	c.record(0, expires, false)
	return starlark.MakeInt(c.k().ModTimer(t.t, expires)), nil
}

// timerOp makes the timer functions that take only the timer.
func timerOp(op string) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var t Timer
		if err := c.unpack(args, kwargs, "timer", &t); err != nil {
			return nil, err
		}
		k := c.k()
		switch op {
		case "add":
			c.record(0, t.t.Expires(), false)
			k.AddTimer(t.t)
			return starlark.None, nil
		case "del":
			c.record(0, 0, false)
			return starlark.MakeInt(k.DelTimer(t.t)), nil
		case "del_sync":
			c.record(0, 0, false)
			n, err := k.DelTimerSync(t.t)
			return starlark.MakeInt(n), err
		}
		return starlark.Bool(k.TimerPending(t.t)), nil
	}
}

func newWorkFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := c.unpack(args, kwargs); err != nil {
		return nil, err
	}
	return Work{w: kernelsim.NewWork(), id: c.e.newID()}, nil
}

func initWorkFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var w Work
	var fn FuncArg
	if err := c.unpack(args, kwargs, "work", &w, "func", &fn); err != nil {
		return nil, err
	}
	if err := c.checkCallback(fn.fn, 1); err != nil {
		return nil, err
	}
	c.k().InitWork(w.w, c.callback(fn.fn, w))
	return starlark.None, nil
}

func declareWorkFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fn FuncArg
	if err := c.unpack(args, kwargs, "func", &fn); err != nil {
		return nil, err
	}
	if err := c.checkCallback(fn.fn, 1); err != nil {
		return nil, err
	}
	w := Work{w: kernelsim.NewWork(), id: c.e.newID()}
	c.k().InitWork(w.w, c.callback(fn.fn, w))
	return w, nil
}

// workOp makes the work functions that take only the work item.
func workOp(op string) apiFunc {
	return func(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var w Work
		if err := c.unpack(args, kwargs, "work", &w); err != nil {
			return nil, err
		}
		c.record(0, 0, false)
		k := c.k()
		switch op {
		case "schedule":
			return starlark.Bool(k.ScheduleWork(w.w)), nil
		case "flush":
			ok, err := k.FlushWork(w.w)
			return starlark.Bool(ok), err
		}
		ok, err := k.CancelWorkSync(w.w)
		return starlark.Bool(ok), err
	}
}

func requestIRQFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var irq int
	var fn FuncArg
	var flags uint64
	var name string
	var dev starlark.Value = starlark.None
	if err := c.unpack(args, kwargs, "irq", &irq, "handler", &fn, "flags", &flags, "name", &name, "dev?", &dev); err != nil {
		return nil, err
	}
	if err := c.checkCallback(fn.fn, 2); err != nil {
		return nil, err
	}
	devID, err := devCookie(dev)
	if err != nil {
		return nil, c.errorf("for parameter dev: %v", err)
	}
	c.record(0, uint64(irq), false)
	h := kernelsim.IRQHandler{Func: fn.fn.Name(), Fn: c.irqHandler(fn.fn, irq, dev)}
	if c.e.mod != nil {
		h.Module = c.e.mod.s.name
	}
	return starlark.MakeInt(c.k().RequestIRQ(irq, h, flags, name, devID)), nil
}

// irqHandler wraps handler(irq, dev) for kernelsim; it must return
// IRQ_NONE or IRQ_HANDLED, as irqreturn_t.
func (c call) irqHandler(fn starlark.Callable, irq int, dev starlark.Value) func() (kernelsim.IRQReturn, error) {
	m, inst := c.e.m, c.e.mod
	return func() (kernelsim.IRQReturn, error) {
		v, err := m.callScript(inst, whereKern, fn, starlark.MakeInt(irq), dev)
		if err != nil {
			return kernelsim.IRQNone, unwrapKilled(err)
		}
		r := int64(-1)
		if n, ok := v.(starlark.Int); ok {
			r, _ = n.Int64()
		}
		if r < 0 || r > 2 {
			return kernelsim.IRQNone, &ScriptError{Pos: fnPos(fn), Msg: fmt.Sprintf("%s: interrupt handler returned %s, want IRQ_HANDLED or IRQ_NONE", fn.Name(), v)}
		}
		return kernelsim.IRQReturn(r), nil
	}
}

// devCookie turns request_irq's dev into the dev_id kernelsim matches
// handlers by: a pointer's address, an int, or 0 for None/NULL.
func devCookie(v starlark.Value) (uint64, error) {
	switch x := v.(type) {
	case starlark.NoneType:
		return 0, nil
	case Ptr:
		return uint64(x.addr), nil
	case StructView:
		return uint64(x.addr), nil
	}
	return cInteger(v, "void *")
}

func freeIRQFn(c call, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var irq int
	var dev starlark.Value = starlark.None
	if err := c.unpack(args, kwargs, "irq", &irq, "dev_id?", &dev); err != nil {
		return nil, err
	}
	devID, err := devCookie(dev)
	if err != nil {
		return nil, c.errorf("for parameter dev_id: %v", err)
	}
	c.record(0, uint64(irq), false)
	if name, ok := c.k().FreeIRQ(irq, devID); ok {
		return starlark.String(name), nil
	}
	return c.ptr(0), nil
}
