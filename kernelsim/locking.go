package kernelsim

// Spinlocks and mutexes (kernel/locking/spinlock.c, kernel/locking/mutex.c,
// include/linux/spinlock.h).
//
// A spinlock is held for a few instructions and never across a sleep:
// spin_lock() disables preemption (preempt_count + 1), so the holder is in
// atomic context until spin_unlock(). If an interrupt handler takes the
// same lock, process context must also disable interrupts while holding it
// (spin_lock_irqsave), or the handler would spin forever on a lock its own
// CPU holds; likewise spin_lock_bh against softirqs. A mutex instead puts
// a waiter to sleep, so it may only be taken where sleeping is allowed.
//
// kernelsim has one CPU, so a lock that is already held when someone tries
// to take it can never be released: Linux's CPU would spin (spinlock) or
// the task would sleep (mutex) forever, and its lockup detectors report
// it. Without CONFIG_DEBUG_SPINLOCK and lockdep (Debian has neither), those
// reports are all Linux prints.

// Spinlock mirrors spinlock_t.
type Spinlock struct {
	locked bool
	holder *Task // for reports
}

// Mutex mirrors struct mutex.
type Mutex struct {
	owner *Task
}

// Locked mirrors spin_is_locked().
func (l *Spinlock) Locked() bool { return l.locked }

// SpinLockInit mirrors spin_lock_init().
func (k *Kernel) SpinLockInit(l *Spinlock) { *l = Spinlock{} }

// SpinLock mirrors spin_lock(): preempt_disable(), then take the lock. A
// lock already held can never be released on the simulated CPU: the
// soft-lockup report follows, and the error is fatal.
func (k *Kernel) SpinLock(l *Spinlock) error {
	k.PreemptDisable()
	return k.spinAcquire(l, "_raw_spin_lock+0x29/0x30")
}

// spinAcquire takes l, or reports the endless spin.
func (k *Kernel) spinAcquire(l *Spinlock, frame string) error {
	if l.locked {
		return k.softLockup("native_queued_spin_lock_slowpath+0x61/0x1d0", frame)
	}
	l.locked, l.holder = true, k.Current()
	return nil
}

// SpinUnlock mirrors spin_unlock(): release, then preempt_enable().
func (k *Kernel) SpinUnlock(l *Spinlock) {
	l.locked, l.holder = false, nil
	k.PreemptEnable()
}

// SpinTrylock mirrors spin_trylock(): take the lock if free; true on
// success (preemption stays disabled), false otherwise.
func (k *Kernel) SpinTrylock(l *Spinlock) bool {
	if l.locked {
		return false
	}
	k.PreemptDisable()
	l.locked, l.holder = true, k.Current()
	return true
}

// SpinLockIrqsave mirrors spin_lock_irqsave(lock, flags): disable
// interrupts (returning the saved flags), preemption, take the lock.
func (k *Kernel) SpinLockIrqsave(l *Spinlock) (flags uint64, err error) {
	flags = k.LocalIrqSave()
	k.PreemptDisable()
	return flags, k.spinAcquire(l, "_raw_spin_lock_irqsave+0x3d/0x50")
}

// SpinUnlockIrqrestore mirrors spin_unlock_irqrestore(lock, flags).
func (k *Kernel) SpinUnlockIrqrestore(l *Spinlock, flags uint64) {
	l.locked, l.holder = false, nil
	k.LocalIrqRestore(flags)
	k.PreemptEnable()
}

// SpinLockIrq mirrors spin_lock_irq().
func (k *Kernel) SpinLockIrq(l *Spinlock) error {
	k.LocalIrqDisable()
	k.PreemptDisable()
	return k.spinAcquire(l, "_raw_spin_lock_irq+0x2b/0x40")
}

// SpinUnlockIrq mirrors spin_unlock_irq().
func (k *Kernel) SpinUnlockIrq(l *Spinlock) {
	l.locked, l.holder = false, nil
	k.LocalIrqEnable()
	k.PreemptEnable()
}

// SpinLockBh mirrors spin_lock_bh(): disable bottom halves (softirqs)
// rather than preemption alone.
func (k *Kernel) SpinLockBh(l *Spinlock) error {
	k.LocalBhDisable()
	return k.spinAcquire(l, "_raw_spin_lock_bh+0x2d/0x40")
}

// SpinUnlockBh mirrors spin_unlock_bh(): release, then local_bh_enable(),
// which runs the softirqs raised meanwhile.
func (k *Kernel) SpinUnlockBh(l *Spinlock) error {
	l.locked, l.holder = false, nil
	return k.LocalBhEnable()
}

// MutexInit mirrors mutex_init().
func (k *Kernel) MutexInit(m *Mutex) { *m = Mutex{} }

// Locked mirrors mutex_is_locked().
func (m *Mutex) Locked() bool { return m.owner != nil }

// MutexLock mirrors mutex_lock(): might_sleep(), then take the mutex. A
// mutex already held — by this task, or by a task that cannot run while
// this one waits on the single CPU — is never released: the task blocks
// for good, which the hung-task detector reports; the error is fatal.
func (k *Kernel) MutexLock(m *Mutex) error {
	k.MightSleep(SiteMutexLock, "mutex_lock+0x1a/0x40")
	if m.owner != nil {
		return k.hungTask(append(append(append([]string(nil), blockedFrames...), mutexBlockedFrames...), "mutex_lock+0x39/0x40"))
	}
	m.owner = k.Current()
	return nil
}

// MutexTrylock mirrors mutex_trylock(): 1 if taken, 0 if not. It does not
// sleep, but Linux forbids it in interrupt context all the same.
func (k *Kernel) MutexTrylock(m *Mutex) int {
	if m.owner != nil {
		return 0
	}
	m.owner = k.Current()
	return 1
}

// MutexUnlock mirrors mutex_unlock(). Unlike a CONFIG_DEBUG_MUTEXES
// kernel, Debian's does not check the owner, and neither does kernelsim.
func (k *Kernel) MutexUnlock(m *Mutex) { m.owner = nil }
