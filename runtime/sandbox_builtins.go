package runtime

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"kscript.dev/kscript/runtime/lazy"
)

// The guards the sandbox rewrite calls (sandbox.go), and kscript's bounded
// str, repr, print and fail.

const (
	// maxValueLen bounds what one operation may build: the bytes of a
	// string, the elements of a list or tuple. Kernel code needs far less;
	// [None] * (1 << 30) would need 16 GiB.
	maxValueLen = 1 << 20
	// bytesPerValueStep is how many bytes of a string built cost one step;
	// an element of a list, tuple, dict or set (16 bytes of Go memory and
	// more) costs a step of its own. So the values a submission builds
	// with its whole budget (DefaultMaxSteps) stay within about 160 MB, and
	// a builtin that walks a sequence pays for its length.
	bytesPerValueStep = 16
	// maxIntBits bounds the integers * builds (x = x * x squares).
	maxIntBits = 1 << 16
	// maxCallDepth bounds nested calls of script functions. Linux's 16 KiB
	// kernel stack would overflow far sooner; Go's would take the whole
	// process down.
	maxCallDepth = 1000
	// maxNesting bounds how deeply str() and repr() follow nested values.
	maxNesting = 1000
	// maxMessageLen bounds the message of fail() and of a script error.
	maxMessageLen = 4096
)

// sandboxBuiltins are the guards and the bounded replacements of
// Starlark's str, repr, print and fail, predeclared in every script.
func (m *Machine) sandboxBuiltins() starlark.StringDict {
	d := starlark.StringDict{
		guardMul:    starlark.NewBuiltin("*", guardMulFn),
		guardAdd:    starlark.NewBuiltin("+", guardAddFn),
		guardMod:    starlark.NewBuiltin("%", guardModFn),
		guardShl:    starlark.NewBuiltin("<<", guardShlFn),
		guardIAdd:   starlark.NewBuiltin("+=", guardIAddFn),
		guardMethod: starlark.NewBuiltin("method", guardMethodFn),
		guardEnter:  starlark.NewBuiltin("call", guardEnterFn),
		guardAugIdx: starlark.NewBuiltin("augmented assignment", guardAugIndexFn),
		guardAugAtt: starlark.NewBuiltin("augmented assignment", guardAugAttrFn),
		"str":       starlark.NewBuiltin("str", strFn),
		"repr":      starlark.NewBuiltin("repr", reprFn),
		"print":     starlark.NewBuiltin("print", m.printFn),
		"fail":      starlark.NewBuiltin("fail", failFn),
		"int":       starlark.NewBuiltin("int", intFn),
		"hash":      starlark.NewBuiltin("hash", hashFn),
		guardKey:    starlark.NewBuiltin("index", guardKeyFn),
		guardSlice:  starlark.NewBuiltin("slice", guardSliceFn),
	}
	for op, name := range compareGuards.Get() {
		d[name] = compareGuard(op)
	}
	for _, name := range buildingBuiltins {
		d[name] = sizedBuiltin(name, true)
	}
	for _, name := range walkingBuiltins {
		d[name] = sizedBuiltin(name, false)
	}
	return d
}

// tooLarge is the error of an operation that would build more than
// maxValueLen.
func tooLarge(op string, n int64, what string) error {
	return fmt.Errorf("%s: result too large: %d %s (kscript allows %d per value)", op, n, what, maxValueLen)
}

// build checks that an operation may build n units and charges for them.
func build(t *starlark.Thread, op string, n int64, what string) error {
	if n > maxValueLen || n < 0 {
		return tooLarge(op, n, what)
	}
	return chargeUnits(t, n, what)
}

// chargeUnits charges thread t for n units (bytes or elements) of work.
func chargeUnits(t *starlark.Thread, n int64, what string) error {
	if what == "bytes" {
		n /= bytesPerValueStep
	}
	if e := envOf(t); e != nil && e.thread == t && n > 0 {
		return e.charge(t, uint64(n))
	}
	return nil
}

// seqLen returns the length of a string, bytes, list or tuple and the
// unit it is counted in.
func seqLen(v starlark.Value) (int64, string, bool) {
	switch v := v.(type) {
	case starlark.String:
		return int64(len(v)), "bytes", true
	case starlark.Bytes:
		return int64(len(v)), "bytes", true
	case *starlark.List:
		return int64(v.Len()), "elements", true
	case starlark.Tuple:
		return int64(len(v)), "elements", true
	}
	return 0, "", false
}

func twoArgs(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, starlark.Value, error) {
	if len(args) != 2 || len(kwargs) != 0 {
		return nil, nil, fmt.Errorf("%s: internal guard called with %d arguments", b.Name(), len(args))
	}
	return args[0], args[1], nil
}

// guardMulFn is x * y: a repetition must stay within maxValueLen, an
// integer within maxIntBits.
func guardMulFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, y, err := twoArgs(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	seq, n := x, y
	if _, _, ok := seqLen(seq); !ok {
		seq, n = y, x
	}
	if l, what, ok := seqLen(seq); ok {
		if k, ok := n.(starlark.Int); ok {
			if c, ok := k.Int64(); ok && c > 0 && l > 0 {
				if c > maxValueLen || l*c > maxValueLen {
					return nil, tooLarge("*", l*min(c, maxValueLen+1), what)
				}
				if err := build(t, "*", l*c, what); err != nil {
					return nil, err
				}
			}
		}
	}
	if i, ok := x.(starlark.Int); ok {
		if j, ok := y.(starlark.Int); ok {
			if bits := i.BigInt().BitLen() + j.BigInt().BitLen(); bits > maxIntBits {
				return nil, fmt.Errorf("*: result too large: a %d-bit integer (kscript allows %d bits)", bits, maxIntBits)
			}
		}
	}
	return starlark.Binary(syntax.STAR, x, y)
}

// guardAddFn is x + y: a concatenation must stay within maxValueLen.
func guardAddFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, y, err := twoArgs(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	if lx, what, ok := seqLen(x); ok {
		if ly, _, ok := seqLen(y); ok {
			if err := build(t, "+", lx+ly, what); err != nil {
				return nil, err
			}
		}
	}
	return starlark.Binary(syntax.PLUS, x, y)
}

// guardIAddFn is x += y: a list is extended in place, as Starlark does;
// anything else is x + y.
func guardIAddFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, y, err := twoArgs(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	list, ok := x.(*starlark.List)
	if !ok {
		return guardAddFn(t, b, args, kwargs)
	}
	elems, err := boundedElems(t, "+=", y, int64(list.Len()))
	if err != nil {
		return nil, err
	}
	for _, v := range elems {
		if err := list.Append(v); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// boundedElems returns the elements of iterable y that extend a sequence
// of have elements, or an error when the result would be too large.
func boundedElems(t *starlark.Thread, op string, y starlark.Value, have int64) ([]starlark.Value, error) {
	iterable, ok := y.(starlark.Iterable)
	if !ok {
		return nil, fmt.Errorf("%s: got %s, want an iterable", op, y.Type())
	}
	if n := starlark.Len(y); n >= 0 {
		if err := build(t, op, have+int64(n), "elements"); err != nil {
			return nil, err
		}
	}
	it := iterable.Iterate()
	defer it.Done()
	var out []starlark.Value
	var v starlark.Value
	for it.Next(&v) {
		if have+int64(len(out)) >= maxValueLen {
			return nil, tooLarge(op, have+int64(len(out))+1, "elements")
		}
		out = append(out, v)
	}
	return out, nil
}

// augOps are the guards of the augmented assignments the sandbox guards.
var augOps = lazy.NewMap(augOpsTable)

func augOpsTable() map[string]func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return map[string]func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error){
		"+=": guardIAddFn, "*=": guardMulFn, "%=": guardModFn, "<<=": guardShlFn,
	}
}

// guardShlFn is x << n: an integer within maxIntBits.
func guardShlFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, y, err := twoArgs(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	if i, ok := x.(starlark.Int); ok {
		if n, ok := y.(starlark.Int); ok && i.Sign() != 0 {
			if c, ok := n.Int64(); ok && c > 0 && c < 1<<20 {
				if bits := int64(i.BigInt().BitLen()) + c; bits > maxIntBits {
					return nil, fmt.Errorf("<<: result too large: a %d-bit integer (kscript allows %d bits)", bits, maxIntBits)
				}
			}
		}
	}
	return starlark.Binary(syntax.LTLT, x, y)
}

// augment is old op= z through the operator's guard.
func augment(t *starlark.Thread, b *starlark.Builtin, op starlark.Value, old, z starlark.Value) (starlark.Value, error) {
	s, _ := starlark.AsString(op)
	fn := augOps.Get()[s]
	if fn == nil {
		return nil, fmt.Errorf("%s: internal guard called with operator %s", b.Name(), op)
	}
	return fn(t, b, starlark.Tuple{old, z}, nil)
}

// guardAugIndexFn is x[y] op= z for an x or y evaluated once: x[y] is
// loaded, combined with z through the operator's guard and stored back,
// as Starlark's own x[y] op= z does (a dict by key, a list by index,
// negative from its end).
func guardAugIndexFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) != 4 || len(kwargs) != 0 {
		return nil, fmt.Errorf("%s: internal guard called with %d arguments", b.Name(), len(args))
	}
	x, y, op, z := args[0], args[1], args[2], args[3]
	if m, ok := x.(starlark.HasSetKey); ok {
		old, found, err := m.Get(y)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("key %v not in %s", y, x.Type())
		}
		v, err := augment(t, b, op, old, z)
		if err != nil {
			return nil, err
		}
		return starlark.None, m.SetKey(y, v)
	}
	seq, ok := x.(starlark.HasSetIndex)
	if !ok {
		return nil, fmt.Errorf("%s value does not support item assignment", x.Type())
	}
	i, err := starlark.AsInt32(y)
	if err != nil {
		return nil, fmt.Errorf("%s index: %v", x.Type(), err)
	}
	n := seq.Len()
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return nil, fmt.Errorf("%s index %v out of range [0:%d]", x.Type(), y, n)
	}
	v, err := augment(t, b, op, seq.Index(i), z)
	if err != nil {
		return nil, err
	}
	return starlark.None, seq.SetIndex(i, v)
}

// guardAugAttrFn is x.name op= z for an x evaluated once.
func guardAugAttrFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) != 4 || len(kwargs) != 0 {
		return nil, fmt.Errorf("%s: internal guard called with %d arguments", b.Name(), len(args))
	}
	x, op, z := args[0], args[2], args[3]
	name, _ := starlark.AsString(args[1])
	old, err := getattr(x, name)
	if err != nil {
		return nil, err
	}
	v, err := augment(t, b, op, old, z)
	if err != nil {
		return nil, err
	}
	f, ok := x.(starlark.HasSetField)
	if !ok {
		return nil, fmt.Errorf("can't assign to .%s field of %s", name, x.Type())
	}
	return starlark.None, f.SetField(name, v)
}

// guardModFn is x % y: a format's result is bounded by the format and the
// bounded text of each argument.
func guardModFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, y, err := twoArgs(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	if f, ok := x.(starlark.String); ok {
		operands := []starlark.Value{y}
		switch y := y.(type) {
		case starlark.Tuple:
			operands = y
		case *starlark.Dict:
			operands = nil
			for _, kv := range y.Items() {
				operands = append(operands, kv[1])
			}
		}
		n := int64(len(f))
		for _, v := range operands {
			s, err := boundedText(v, false, maxValueLen)
			if err != nil {
				return nil, fmt.Errorf("%%: %v", err)
			}
			n += int64(len(s)) * int64(max(1, strings.Count(string(f), "%")))
		}
		if err := build(t, "%", n, "bytes"); err != nil {
			return nil, err
		}
	}
	return starlark.Binary(syntax.PERCENT, x, y)
}

// guardMethodFn returns method m, bound to its receiver, wrapped in a size
// check when it is one of guardedMethods of a string or list.
func guardMethodFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("method: internal guard called with %d arguments", len(args))
	}
	m, ok := args[0].(*starlark.Builtin)
	if !ok || m.Receiver() == nil {
		return args[0], nil
	}
	check := methodCheck(m)
	if check == nil {
		return m, nil
	}
	return starlark.NewBuiltin(m.Name(), func(t *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := check(t, args, kwargs); err != nil {
			return nil, err
		}
		return starlark.Call(t, m, args, kwargs)
	}), nil
}

// methodCheck returns the size check of a guarded method, nil for others.
func methodCheck(m *starlark.Builtin) func(*starlark.Thread, starlark.Tuple, []starlark.Tuple) error {
	name := m.Name()
	switch recv := m.Receiver().(type) {
	case starlark.String:
		s := string(recv)
		switch name {
		case "replace":
			return func(t *starlark.Thread, args starlark.Tuple, _ []starlark.Tuple) error {
				if len(args) < 2 {
					return nil // the method reports it
				}
				old, ok1 := starlark.AsString(args[0])
				new, ok2 := starlark.AsString(args[1])
				if !ok1 || !ok2 {
					return nil
				}
				occ := int64(strings.Count(s, old))
				return build(t, name, int64(len(s))+occ*int64(max(0, len(new)-len(old))), "bytes")
			}
		case "join":
			return func(t *starlark.Thread, args starlark.Tuple, _ []starlark.Tuple) error {
				if len(args) != 1 {
					return nil
				}
				elems, err := boundedElems(t, name, args[0], 0)
				if err != nil {
					return err
				}
				n := int64(len(s)) * int64(len(elems))
				for _, v := range elems {
					if x, ok := starlark.AsString(v); ok {
						n += int64(len(x))
					}
				}
				return build(t, name, n, "bytes")
			}
		case "startswith", "endswith":
			// Each prefix (or suffix) is compared, up to the length of
			// the receiver: a tuple of a million 1 MiB strings is a
			// million comparisons of a MiB.
			return func(t *starlark.Thread, args starlark.Tuple, _ []starlark.Tuple) error {
				if len(args) == 0 {
					return nil
				}
				var n int64
				fixes, ok := args[0].(starlark.Tuple)
				if !ok {
					fixes = starlark.Tuple{args[0]}
				}
				for _, f := range fixes {
					n += bytesPerValueStep // a step per prefix
					if x, ok := starlark.AsString(f); ok {
						n += int64(min(len(x), len(s)))
					}
				}
				return chargeUnits(t, n, "bytes")
			}
		case "format":
			return func(t *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) error {
				var n int64
				for _, v := range args {
					x, err := boundedText(v, false, maxValueLen)
					if err != nil {
						return fmt.Errorf("format: %v", err)
					}
					n += int64(len(x))
				}
				for _, kv := range kwargs {
					x, err := boundedText(kv[1], false, maxValueLen)
					if err != nil {
						return fmt.Errorf("format: %v", err)
					}
					n += int64(len(x))
				}
				return build(t, name, int64(len(s))+n*int64(max(1, strings.Count(s, "{"))), "bytes")
			}
		}
	case *starlark.Dict, *starlark.Set:
		switch name {
		case "get", "setdefault", "pop", "add", "discard":
			// The key is hashed (and compared): a 1 MiB string key
			// costs what d[s] costs.
			return func(t *starlark.Thread, args starlark.Tuple, _ []starlark.Tuple) error {
				if len(args) == 0 {
					return nil
				}
				return chargeUnits(t, walkUnits(args[0], maxCompareWalk), "elements")
			}
		}
	case *starlark.List:
		switch name {
		case "pop":
			// l.pop(i) moves the elements after i down by one.
			return func(t *starlark.Thread, args starlark.Tuple, _ []starlark.Tuple) error {
				n := recv.Len()
				i := n - 1
				if len(args) == 1 {
					if x, ok := args[0].(starlark.Int); ok {
						if v, ok := x.Int64(); ok && v >= -int64(n) && v < int64(n) {
							i = int(v)
							if i < 0 {
								i += n
							}
						}
					}
				}
				return chargeUnits(t, int64(n-1-i), "elements")
			}
		case "index", "remove":
			// Each element is compared with the argument: strings in
			// the list pay for their bytes.
			return func(t *starlark.Thread, args starlark.Tuple, _ []starlark.Tuple) error {
				total := walkUnits(recv, maxCompareWalk)
				for _, a := range args {
					total += walkUnits(a, maxCompareWalk)
				}
				return chargeUnits(t, total, "elements")
			}
		}
		if name == "extend" {
			return func(t *starlark.Thread, args starlark.Tuple, _ []starlark.Tuple) error {
				if len(args) != 1 {
					return nil
				}
				_, err := boundedElems(t, name, args[0], int64(recv.Len()))
				return err
			}
		}
	}
	if !guardedMethods.Get()[name] {
		return nil
	}
	// A method that walks its receiver (and its arguments) pays for their
	// length: bytes of a string, elements of a list, dict or set; a split
	// pays for the elements it may make, one per byte.
	recv := m.Receiver()
	n, what := sizeOf(recv)
	if n < 0 {
		return nil
	}
	if what == "bytes" && splitters.Get()[name] {
		what = "elements"
	}
	return func(t *starlark.Thread, args starlark.Tuple, _ []starlark.Tuple) error {
		total := n
		for _, a := range args {
			if l, _ := sizeOf(a); l > 0 {
				total += l
			}
		}
		return chargeUnits(t, total, what)
	}
}

// splitters are the string methods whose result may have an element per
// byte of their receiver.
var splitters = lazy.NewMap(splittersTable)

func splittersTable() map[string]bool {
	return map[string]bool{"split": true, "rsplit": true, "splitlines": true, "elems": true,
		"elem_ords": true, "codepoints": true, "codepoint_ords": true}
}

// sizeOf returns the length of v and its unit: bytes of a string or
// bytes, elements of anything else with a length; -1 for a value without
// one.
func sizeOf(v starlark.Value) (int64, string) {
	if l, what, ok := seqLen(v); ok {
		return l, what
	}
	return int64(starlark.Len(v)), "elements"
}

// The builtins that build a value from an iterable, or walk one, in a
// single step: each pays for the elements of its arguments, and one that
// builds may not build more than maxValueLen. list(range(1 << 30)) is
// refused before it allocates 16 GiB; all(range(1 << 40)) costs 2^40 steps.
var (
	buildingBuiltins = []string{"list", "tuple", "sorted", "set", "dict", "enumerate", "zip", "reversed", "bytes"}
	walkingBuiltins  = []string{"all", "any", "min", "max"}
)

// sizedBuiltin wraps Starlark's builtin name with the check and charge
// above.
func sizedBuiltin(name string, builds bool) *starlark.Builtin {
	orig := starlark.Universe[name]
	return starlark.NewBuiltin(name, func(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var n int64
		for _, a := range args {
			if l, _ := sizeOf(a); l > 0 {
				n += l
			}
		}
		if builds && n > maxValueLen {
			return nil, tooLarge(name, n, "elements")
		}
		for _, a := range args {
			if l, what := sizeOf(a); l > 0 {
				switch name {
				case "set", "dict":
					// Each element is hashed: a step per element and
					// per bytesPerValueStep bytes of strings in it.
					l, what = max(l, walkUnits(a, maxCompareWalk)), "elements"
				case "min", "max":
					// Each element is compared: two strings of a MiB
					// that differ at their end take a MiB to compare.
					l, what = max(l, walkUnits(a, maxCompareWalk)), "elements"
				case "sorted":
					// sort.Stable compares each element about log2(n)
					// times.
					l, what = max(l, walkUnits(a, maxCompareWalk)*int64(max(1, bits.Len64(uint64(l))))), "elements"
				}
				if err := chargeUnits(t, l, what); err != nil {
					return nil, err
				}
			}
		}
		return starlark.Call(t, orig, args, kwargs)
	})
}

// guardEnterFn starts every script function: nested calls are bounded.
func guardEnterFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if t.CallStackDepth() > maxCallDepth {
		return nil, fmt.Errorf("recursion too deep: more than %d nested calls (kscript's limit; a 16 KiB kernel stack would have overflowed long before)", maxCallDepth)
	}
	return starlark.None, nil
}

// boundedText is str(v) (repr(v) when quote), or an error when it would
// exceed limit bytes or nest deeper than maxNesting.
func boundedText(v starlark.Value, quote bool, limit int) (string, error) {
	if s, ok := v.(starlark.String); ok && !quote {
		return string(s), nil
	}
	w := &boundedWriter{limit: limit}
	w.value(v, 0, nil)
	return w.b.String(), w.err
}

// boundedWriter writes values as Starlark's str/repr do, up to a limit.
type boundedWriter struct {
	b     strings.Builder
	limit int
	err   error
}

func (w *boundedWriter) write(s string) {
	if w.err != nil {
		return
	}
	if w.b.Len()+len(s) > w.limit {
		w.err = fmt.Errorf("str: result too large: more than %d bytes (kscript allows %d per value)", w.limit, w.limit)
		return
	}
	w.b.WriteString(s)
}

// value writes v; path holds the containers being written (a list that
// contains itself is written [...], as Starlark does).
func (w *boundedWriter) value(v starlark.Value, depth int, path []starlark.Value) {
	if w.err != nil {
		return
	}
	if depth > maxNesting {
		w.err = fmt.Errorf("str: value nested more than %d deep", maxNesting)
		return
	}
	switch x := v.(type) {
	case *starlark.List:
		if onPath(x, path) {
			w.write("[...]")
			return
		}
		w.write("[")
		w.elems(x.Len(), x.Index, depth, append(path, x))
		w.write("]")
	case starlark.Tuple:
		w.write("(")
		w.elems(len(x), x.Index, depth, path)
		if len(x) == 1 {
			w.write(",")
		}
		w.write(")")
	case *starlark.Dict:
		if onPath(x, path) {
			w.write("{...}")
			return
		}
		w.write("{")
		for i, kv := range x.Items() {
			if i > 0 {
				w.write(", ")
			}
			w.value(kv[0], depth+1, append(path, x))
			w.write(": ")
			w.value(kv[1], depth+1, append(path, x))
		}
		w.write("}")
	case *starlark.Set:
		w.write("set([")
		i := 0
		it := x.Iterate()
		defer it.Done()
		var e starlark.Value
		for it.Next(&e) {
			if i > 0 {
				w.write(", ")
			}
			w.value(e, depth+1, path)
			i++
		}
		w.write("])")
	default:
		w.write(v.String())
	}
}

func (w *boundedWriter) elems(n int, at func(int) starlark.Value, depth int, path []starlark.Value) {
	for i := 0; i < n && w.err == nil; i++ {
		if i > 0 {
			w.write(", ")
		}
		w.value(at(i), depth+1, path)
	}
}

func onPath(v starlark.Value, path []starlark.Value) bool {
	for _, p := range path {
		if p == v {
			return true
		}
	}
	return false
}

// textOf is str(v) for print and fail, charged to t.
func textOf(t *starlark.Thread, v starlark.Value) (string, error) {
	if b, ok := v.(starlark.Bytes); ok {
		return string(b), nil
	}
	s, err := boundedText(v, false, maxValueLen)
	if err == nil {
		err = build(t, "str", int64(len(s)), "bytes")
	}
	return s, err
}

func strFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := starlark.UnpackPositionalArgs("str", args, kwargs, 1, &x); err != nil {
		return nil, err
	}
	if b, ok := x.(starlark.Bytes); ok { // str(b"...") decodes, as Starlark's does
		return starlark.Call(t, starlark.Universe["str"], starlark.Tuple{b}, nil)
	}
	s, err := textOf(t, x)
	if err != nil {
		return nil, err
	}
	return starlark.String(s), nil
}

func reprFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := starlark.UnpackPositionalArgs("repr", args, kwargs, 1, &x); err != nil {
		return nil, err
	}
	s, err := boundedText(x, true, maxValueLen)
	if err == nil {
		err = build(t, "repr", int64(len(s)), "bytes")
	}
	if err != nil {
		return nil, err
	}
	return starlark.String(s), nil
}

// joinArgs joins print's and fail's arguments as Starlark does.
func joinArgs(t *starlark.Thread, name string, args starlark.Tuple, kwargs []starlark.Tuple) (string, error) {
	sep := " "
	if err := starlark.UnpackArgs(name, nil, kwargs, "sep?", &sep); err != nil {
		return "", err
	}
	var buf strings.Builder
	for i, v := range args {
		if i > 0 {
			buf.WriteString(sep)
		}
		s, err := textOf(t, v)
		if err != nil {
			return "", err
		}
		if buf.Len()+len(s) > maxValueLen {
			return "", tooLarge(name, int64(buf.Len()+len(s)), "bytes")
		}
		buf.WriteString(s)
	}
	return buf.String(), nil
}

func (m *Machine) printFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	s, err := joinArgs(t, "print", args, kwargs)
	if err != nil {
		return nil, err
	}
	m.print(t, s)
	return starlark.None, nil
}

func failFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	s, err := joinArgs(t, "fail", args, kwargs)
	if err != nil {
		return nil, err
	}
	return nil, errors.New("fail: " + capMessage(s))
}

// capMessage cuts a message a script made to maxMessageLen bytes, saying
// so (a fail("x" * 100000000) must not make a 100 MB results file).
func capMessage(s string) string {
	if len(s) <= maxMessageLen {
		return s
	}
	cut := maxMessageLen
	for cut > 0 && s[cut]&0xC0 == 0x80 { // not inside a UTF-8 sequence
		cut--
	}
	return fmt.Sprintf("%s… [kscript: %d more bytes not shown]", s[:cut], len(s)-cut)
}

// getattr is x.name, as Starlark's dot operator reads it.
func getattr(x starlark.Value, name string) (starlark.Value, error) {
	h, ok := x.(starlark.HasAttrs)
	if !ok {
		return nil, fmt.Errorf("%s has no .%s field or method", x.Type(), name)
	}
	v, err := h.Attr(name)
	if err == nil && v == nil {
		err = fmt.Errorf("%s has no .%s field or method", x.Type(), name)
	}
	return v, err
}

// maxIntDigits bounds the digits int() converts from a string in a base
// that is not a power of two: the conversion takes time quadratic in
// them (Python 3.11 has the same limit, 4300 digits, for the same reason,
// CVE-2020-10735). The integers kscript allows have at most maxIntBits
// bits, which base 2 spells in as many digits.
const maxIntDigits = 4300

// intFn is Starlark's int, refusing a string of more digits than an
// integer kscript allows could have, and for a base that is not a power
// of two more than maxIntDigits.
func intFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) > 0 {
		var digits string
		switch s := args[0].(type) {
		case starlark.String:
			digits = string(s)
		case starlark.Bytes:
			digits = string(s)
		}
		digits = strings.TrimLeft(strings.TrimSpace(digits), "+-")
		base := 10
		if len(args) > 1 {
			if i, ok := args[1].(starlark.Int); ok {
				if v, ok := i.Int64(); ok {
					base = int(v)
				}
			}
		}
		if lower := strings.ToLower(digits); (base == 0 || base == 16 || base == 8 || base == 2) && len(lower) > 1 && lower[0] == '0' && strings.IndexByte("xob", lower[1]) >= 0 {
			base = map[byte]int{'x': 16, 'o': 8, 'b': 2}[lower[1]]
		}
		limit := maxIntBits + 16
		if base&(base-1) != 0 || base == 0 {
			limit = maxIntDigits
		}
		if len(digits) > limit {
			return nil, fmt.Errorf("int: a string of %d digits: kscript converts at most %d (Python 3.11 limits int() of a decimal string to 4300 digits too: the conversion's time grows with the square of the length)", len(digits), limit)
		}
		if err := chargeUnits(t, int64(len(digits)), "bytes"); err != nil {
			return nil, err
		}
	}
	return starlark.Call(t, starlark.Universe["int"], args, kwargs)
}

// maxCompareWalk bounds the walk that prices a comparison: past it the
// comparison costs more steps than any budget holds.
const maxCompareWalk = 1 << 24

// compareGuard is the guard of comparison operator op: it charges for the
// elements and bytes the comparison may visit, then compares.
func compareGuard(op syntax.Token) *starlark.Builtin {
	return starlark.NewBuiltin(op.String(), func(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		x, y, err := twoArgs(b, args, kwargs)
		if err != nil {
			return nil, err
		}
		var units int64
		switch op {
		case syntax.IN, syntax.NOT_IN:
			switch y.(type) {
			case starlark.String, starlark.Bytes:
				units = (walkUnits(x, maxCompareWalk) + walkUnits(y, maxCompareWalk)) // a substring search
			case *starlark.List, starlark.Tuple:
				units = walkUnits(y, maxCompareWalk) // an equality test per element
			case *starlark.Dict, *starlark.Set:
				units = walkUnits(x, maxCompareWalk) // x is hashed
			}
		default:
			units = min(walkUnits(x, maxCompareWalk), walkUnits(y, maxCompareWalk))
		}
		if units > 1 {
			if err := chargeUnits(t, units, "elements"); err != nil {
				return nil, err
			}
		}
		if op == syntax.IN || op == syntax.NOT_IN {
			return starlark.Binary(op, x, y)
		}
		ok, err := starlark.Compare(op, x, y)
		if err != nil {
			return nil, err
		}
		return starlark.Bool(ok), nil
	})
}

// walkUnits is what comparing v may cost, in steps: a step per element of
// a list, tuple or dict, nested ones included, and per bytesPerValueStep
// bytes of a string; at most limit (the walk stops there).
func walkUnits(v starlark.Value, limit int64) int64 {
	switch v := v.(type) {
	case starlark.String:
		return int64(len(v)) / bytesPerValueStep
	case starlark.Bytes:
		return int64(len(v)) / bytesPerValueStep
	case *starlark.List:
		n := int64(v.Len())
		for i := 0; i < v.Len() && n < limit; i++ {
			n += walkUnits(v.Index(i), limit-n)
		}
		return min(n, limit)
	case starlark.Tuple:
		n := int64(len(v))
		for i := 0; i < len(v) && n < limit; i++ {
			n += walkUnits(v[i], limit-n)
		}
		return min(n, limit)
	case *starlark.Dict:
		n := int64(v.Len())
		for _, kv := range v.Items() {
			if n >= limit {
				break
			}
			n += walkUnits(kv[0], limit-n) + walkUnits(kv[1], limit-n)
		}
		return min(n, limit)
	case *starlark.Set:
		return int64(v.Len())
	}
	return 0
}

// hashFn is Starlark's hash, charged for the bytes it hashes.
func hashFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	for _, a := range args {
		if err := chargeUnits(t, walkUnits(a, maxCompareWalk), "elements"); err != nil {
			return nil, err
		}
	}
	return starlark.Call(t, starlark.Universe["hash"], args, kwargs)
}

// guardKeyFn passes an index or dict key through, charged for what
// hashing or comparing it costs (nothing for a number or a short string).
func guardKeyFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("index: internal guard called with %d arguments", len(args))
	}
	switch k := args[0].(type) {
	case starlark.Int:
	case starlark.String:
		if len(k) >= 2*bytesPerValueStep {
			return args[0], chargeUnits(t, int64(len(k)), "bytes")
		}
	default:
		if u := walkUnits(k, maxCompareWalk); u > 1 {
			return args[0], chargeUnits(t, u, "elements")
		}
	}
	return args[0], nil
}

// guardSliceFn passes a slice through, charged for its length (the copy
// made).
func guardSliceFn(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("slice: internal guard called with %d arguments", len(args))
	}
	if l, what, ok := seqLen(args[0]); ok && l > 1 {
		return args[0], chargeUnits(t, l, what)
	}
	return args[0], nil
}
