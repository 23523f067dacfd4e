package runtime

import (
	"fmt"
	"path/filepath"

	"go.starlark.net/syntax"

	"kscript.dev/kscript/kernelsim"
)

// callRec is the compact form of a Call, kept per kernel API call; the
// position is formatted only when Calls is read.
type callRec struct {
	fn     string
	gfp    kernelsim.GFP
	size   uint64
	ctx    string
	mod    string
	pos    syntax.Position
	failed bool
}

// record notes one kernel API call in the machine's record (Machine.Calls):
// the expectations of graded exercises check it.
func (c call) record(gfp kernelsim.GFP, size uint64, failed bool) {
	e := c.e
	mod := ""
	if e.mod != nil {
		mod = e.mod.s.name
	}
	e.calls = append(e.calls, callRec{
		fn: c.name, gfp: gfp, size: size, ctx: e.contextName(), mod: mod,
		pos: callerPos(c.t), failed: failed,
	})
}

// contextName names the execution context the kernel is in, for the call
// record: "process", "softirq", "hardirq" or "atomic".
func (e *env) contextName() string {
	return "process"
}

// export converts the record for Machine.Calls.
func (r callRec) export() Call {
	pos := ""
	if r.pos.IsValid() {
		pos = fmt.Sprintf("%s:%d:%d", filepath.Base(r.pos.Filename()), r.pos.Line, r.pos.Col)
	}
	return Call{Fn: r.fn, GFP: r.gfp, Size: r.size, Context: r.ctx, Module: r.mod, Pos: pos, Failed: r.failed}
}
