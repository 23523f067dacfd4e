package runtime

import (
	"fmt"

	"kscript.dev/kscript/kernelsim"
)

// callRec is the compact form of a Call, kept per kernel API call; the
// position is formatted only when Calls is read.
type callRec struct {
	callKey
	size uint64
}

// callKey is what distinguishes calls once the log is full.
type callKey struct {
	fn     *string // the builtin's name (one string per builtin)
	gfp    kernelsim.GFP
	ctx    execContext
	mod    *script
	pos    *kernelsim.Frame // the caller's frame (interned): file, line, column
	failed bool
}

// callLog is the machine's record of kernel API calls. It keeps every call
// up to maxCallRecords, then only calls that differ from every earlier one
// in function, flags, context, module, position or outcome, so that a
// script looping on kmalloc cannot exhaust real memory while graders still
// see every kind of call it made.
type callLog struct {
	chunks [][]callRec
	n      int
	seen   map[callKey]bool // built once the log is full
}

const (
	maxCallRecords = 1 << 16
	callChunk      = 1 << 10
)

func (l *callLog) add(r callRec) {
	if l.n >= maxCallRecords {
		if l.seen == nil {
			l.seen = make(map[callKey]bool)
			l.each(func(r callRec) { l.seen[r.callKey] = true })
		}
		if l.seen[r.callKey] {
			return
		}
		l.seen[r.callKey] = true
	}
	if len(l.chunks) == 0 || len(l.chunks[len(l.chunks)-1]) == callChunk {
		l.chunks = append(l.chunks, make([]callRec, 0, callChunk))
	}
	last := &l.chunks[len(l.chunks)-1]
	*last = append(*last, r)
	l.n++
}

func (l *callLog) each(f func(callRec)) {
	for _, c := range l.chunks {
		for _, r := range c {
			f(r)
		}
	}
}

// record notes one kernel API call in the machine's record (Machine.Calls):
// the expectations of graded exercises check it.
func (c call) record(gfp kernelsim.GFP, size uint64, failed bool) {
	e := c.e
	var mod *script
	if e.mod != nil {
		mod = e.mod.s
	}
	e.calls.add(callRec{callKey{fn: c.api, gfp: gfp, ctx: e.contextName(), mod: mod, pos: e.callerPos(), failed: failed}, size})
}

// execContext is the execution context a call was made in.
type execContext uint8

const (
	ctxProcess execContext = iota
	ctxSoftirq
	ctxHardirq
	ctxAtomic // process context with preemption disabled (a spinlock held)
)

// String names the context as Call.Context does.
func (c execContext) String() string {
	return [...]string{"process", "softirq", "hardirq", "atomic"}[c]
}

// contextName returns the execution context the kernel is in.
func (e *env) contextName() execContext {
	switch e.k.ContextName() {
	case "softirq":
		return ctxSoftirq
	case "hardirq":
		return ctxHardirq
	case "atomic":
		return ctxAtomic
	}
	return ctxProcess
}

// export converts the record for Machine.Calls.
func (r callRec) export() Call {
	pos := ""
	if r.pos != nil {
		pos = fmt.Sprintf("%s:%d:%d", r.pos.File, r.pos.Line, r.pos.Col)
	}
	mod := ""
	if r.mod != nil {
		mod = r.mod.name
	}
	return Call{Fn: *r.fn, GFP: r.gfp, Size: r.size, Context: r.ctx.String(), Module: mod, Pos: pos, Failed: r.failed}
}
