package runtime

import (
	"fmt"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// Handles of the kernel objects deferred work and locking use. Each holds
// kernelsim's object; its state is read live from it. Like C's statics they
// are declared once (tasklet(), timer_list(), spinlock()...) and passed to
// the functions that work on them.

// Tasklet is a struct tasklet_struct *.
type Tasklet struct {
	t  *kernelsim.Tasklet
	id handleID
}

// Timer is a struct timer_list *. timer.expires reads and sets the expiry
// in jiffies, for add_timer.
type Timer struct {
	t  *kernelsim.TimerList
	id handleID
}

// Work is a struct work_struct *.
type Work struct {
	w  *kernelsim.Work
	id handleID
}

// Spinlock is a spinlock_t *.
type Spinlock struct {
	l  *kernelsim.Spinlock
	id handleID
}

// Mutex is a struct mutex *.
type Mutex struct {
	m  *kernelsim.Mutex
	id handleID
}

// handleID numbers the handles a machine made, in creation order: their
// String and Hash use it, never a Go address, so output is deterministic.
type handleID uint32

// newID returns the next handle number.
func (e *env) newID() handleID {
	e.handles++
	return handleID(e.handles)
}

var (
	_ starlark.HasAttrs    = Tasklet{}
	_ starlark.HasSetField = Timer{}
	_ starlark.HasAttrs    = Work{}
	_ starlark.HasAttrs    = Spinlock{}
	_ starlark.Value       = Mutex{}
)

func (t Tasklet) String() string        { return fmt.Sprintf("(struct tasklet_struct *)#%d", t.id) }
func (t Tasklet) Type() string          { return "struct tasklet_struct *" }
func (t Tasklet) Freeze()               {}
func (t Tasklet) Truth() starlark.Bool  { return true }
func (t Tasklet) Hash() (uint32, error) { return uint32(t.id), nil }
func (t Tasklet) AttrNames() []string   { return []string{"count", "state"} }

// Attr gives t->state (TASKLET_STATE_SCHED 1, TASKLET_STATE_RUN 2) and
// t->count (the disable count).
func (t Tasklet) Attr(name string) (starlark.Value, error) {
	switch name {
	case "state":
		return starlark.MakeUint64(uint64(t.t.State())), nil
	case "count":
		return starlark.MakeInt(t.t.Count()), nil
	}
	return nil, nil
}

func (t Timer) String() string        { return fmt.Sprintf("(struct timer_list *)#%d", t.id) }
func (t Timer) Type() string          { return "struct timer_list *" }
func (t Timer) Freeze()               {}
func (t Timer) Truth() starlark.Bool  { return true }
func (t Timer) Hash() (uint32, error) { return uint32(t.id), nil }
func (t Timer) AttrNames() []string   { return []string{"expires"} }

func (t Timer) Attr(name string) (starlark.Value, error) {
	if name == "expires" {
		return starlark.MakeUint64(t.t.Expires()), nil
	}
	return nil, nil
}

// SetField sets timer->expires.
func (t Timer) SetField(name string, v starlark.Value) error {
	if name != "expires" {
		return starlark.NoSuchAttrError(fmt.Sprintf("struct timer_list has no member named '%s'", name))
	}
	j, err := cInteger(v, "unsigned long")
	if err != nil {
		return fmt.Errorf(".expires: %v", err)
	}
	t.t.SetExpires(j)
	return nil
}

func (w Work) String() string        { return fmt.Sprintf("(struct work_struct *)#%d", w.id) }
func (w Work) Type() string          { return "struct work_struct *" }
func (w Work) Freeze()               {}
func (w Work) Truth() starlark.Bool  { return true }
func (w Work) Hash() (uint32, error) { return uint32(w.id), nil }
func (w Work) AttrNames() []string   { return []string{"pending"} }

// Attr gives work_pending(work) as .pending.
func (w Work) Attr(name string) (starlark.Value, error) {
	if name == "pending" {
		return starlark.Bool(w.w.Pending()), nil
	}
	return nil, nil
}

func (l Spinlock) String() string        { return fmt.Sprintf("(spinlock_t *)#%d", l.id) }
func (l Spinlock) Type() string          { return "spinlock_t *" }
func (l Spinlock) Freeze()               {}
func (l Spinlock) Truth() starlark.Bool  { return true }
func (l Spinlock) Hash() (uint32, error) { return uint32(l.id), nil }
func (l Spinlock) AttrNames() []string   { return []string{"locked"} }

// Attr gives spin_is_locked(lock) as .locked.
func (l Spinlock) Attr(name string) (starlark.Value, error) {
	if name == "locked" {
		return starlark.Bool(l.l.Locked()), nil
	}
	return nil, nil
}

func (m Mutex) String() string        { return fmt.Sprintf("(struct mutex *)#%d", m.id) }
func (m Mutex) Type() string          { return "struct mutex *" }
func (m Mutex) Freeze()               {}
func (m Mutex) Truth() starlark.Bool  { return true }
func (m Mutex) Hash() (uint32, error) { return uint32(m.id), nil }
