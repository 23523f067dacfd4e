package runtime

import (
	"go.starlark.net/syntax"

	"kscript.dev/kscript/runtime/lazy"
)

// The sandbox's syntax rewrite.
//
// Starlark counts one step per bytecode instruction, whatever the
// instruction does: "x" * 100000000 builds 100 MB in one step, s = s + s
// doubles a string every step, s.replace("a", s) squares it, and a call
// nests as deep as the Go stack allows. starlark-go offers no hook for the
// size of what an operator builds, so kscript rewrites the script before
// compiling it: each operator that can build a large value calls a guard
// builtin that checks the result's size first (maxValueLen), charges steps
// for it and then does what the operator does; each function body starts
// by checking the call depth (maxCallDepth).
//
//	s * n          ->  _kscript_mul(s, n)
//	a + b          ->  _kscript_add(a, b)
//	f % args       ->  _kscript_mod(f, args)
//	x << n         ->  _kscript_shl(x, n)      (x <<= 500 in a loop grows
//	                   an integer by 500 bits a step)
//	x += y         ->  x = _kscript_iadd(x, y)    (in place for a list)
//	x *= n         ->  x = _kscript_mul(x, n)
//	a[f()] *= n    ->  _kscript_augindex(a, f(), "*=", n)   (a target that
//	                   cannot be evaluated twice: the guard loads, combines
//	                   through the operator's guard and stores, in Go)
//	f().s += t     ->  _kscript_augattr(f(), "s", "+=", t)
//	s.replace(...) ->  _kscript_method(s.replace)(...)   (also format, join, extend)
//	s.split        ->  _kscript_method(s.split)   (every method that walks
//	                   its receiver: split, index, items, union...; called
//	                   or not, so f = s.split; f() is charged too)
//	def f(): body  ->  def f(): _kscript_enter(); body
//
// str, repr, print and fail are kscript's own, with the same bounds, and
// so are the builtins that build or walk a sequence in one step (list,
// tuple, dict, set, sorted, reversed, enumerate, zip, bytes, all, any, min,
// max): list(range(1 << 30)) is refused, all(range(1 << 40)) runs out of
// steps at once.
// Positions are kept: a guard's call sits at the operator, so an error
// (1 + "a") is reported where Starlark reports it.

// Names of the guard builtins the rewrite calls.
const (
	guardMul    = "_kscript_mul"
	guardAdd    = "_kscript_add"
	guardMod    = "_kscript_mod"
	guardShl    = "_kscript_shl"
	guardIAdd   = "_kscript_iadd"
	guardMethod = "_kscript_method"
	guardEnter  = "_kscript_enter"
	guardAugIdx = "_kscript_augindex"
	guardAugAtt = "_kscript_augattr"
)

// Guards of what hashes or copies a value in one step: an index (a dict
// key is hashed: D[s] with s a 1 MiB string hashes a MiB), a dict
// literal's key, a slice (L[1:] copies the list).
const (
	guardKey   = "_kscript_key"
	guardSlice = "_kscript_slice"
)

// compareGuards are the guards of the comparisons and membership tests,
// whose work grows with their operands: -1 in a list of a million walks
// it, two long lists compare element by element, a substring is searched.
var compareGuards = lazy.NewMap(compareGuardsTable)

func compareGuardsTable() map[syntax.Token]string {
	return map[syntax.Token]string{
		syntax.IN: "_kscript_in", syntax.NOT_IN: "_kscript_not_in",
		syntax.EQL: "_kscript_eq", syntax.NEQ: "_kscript_ne",
		syntax.LT: "_kscript_lt", syntax.GT: "_kscript_gt", syntax.LE: "_kscript_le", syntax.GE: "_kscript_ge",
	}
}

// guardedMethods are the methods of strings, bytes, lists, dicts and sets
// whose result can be much larger than their receiver and arguments, or
// whose work grows with their receiver's length (methodCheck). A struct
// field of the same name (g.count) passes through the guard unchanged.
var guardedMethods = lazy.NewMap(guardedMethodsTable)

func guardedMethodsTable() map[string]bool {
	return map[string]bool{
		"replace": true, "format": true, "join": true, "extend": true,
		// strings and bytes
		"split": true, "rsplit": true, "splitlines": true, "elems": true, "elem_ords": true,
		"codepoints": true, "codepoint_ords": true, "count": true, "find": true, "rfind": true,
		"index": true, "rindex": true, "lower": true, "upper": true, "title": true,
		"capitalize": true, "strip": true, "lstrip": true, "rstrip": true, "partition": true,
		"rpartition": true, "startswith": true, "endswith": true, "removeprefix": true,
		"removesuffix": true, "isalnum": true, "isalpha": true, "isdigit": true,
		"islower": true, "isspace": true, "istitle": true, "isupper": true,
		// lists, dicts and sets
		"remove": true, "insert": true, "keys": true, "values": true, "items": true,
		"update": true, "union": true, "intersection": true, "difference": true,
		"symmetric_difference": true, "issubset": true, "issuperset": true,
		"pop": true, "get": true, "setdefault": true, "add": true, "discard": true,
	}
}

// sandboxFile rewrites f in place.
func sandboxFile(f *syntax.File) {
	f.Stmts = rwStmts(f.Stmts)
}

func rwStmts(stmts []syntax.Stmt) []syntax.Stmt {
	for i, s := range stmts {
		stmts[i] = rwStmt(s)
	}
	return stmts
}

func rwStmt(s syntax.Stmt) syntax.Stmt {
	switch s := s.(type) {
	case *syntax.AssignStmt:
		return rwAssign(s)
	case *syntax.DefStmt:
		rwParams(s.Params)
		enter := &syntax.ExprStmt{X: guardCall(guardEnter, s.Def)}
		s.Body = append([]syntax.Stmt{enter}, rwStmts(s.Body)...)
	case *syntax.ExprStmt:
		s.X = rw(s.X)
	case *syntax.ForStmt:
		s.Vars, s.X, s.Body = rwTarget(s.Vars), rw(s.X), rwStmts(s.Body)
	case *syntax.WhileStmt:
		s.Cond, s.Body = rw(s.Cond), rwStmts(s.Body)
	case *syntax.IfStmt:
		s.Cond, s.True, s.False = rw(s.Cond), rwStmts(s.True), rwStmts(s.False)
	case *syntax.ReturnStmt:
		if s.Result != nil {
			s.Result = rw(s.Result)
		}
	}
	return s
}

// rwAssign rewrites an assignment. An augmented assignment whose target can
// be evaluated twice without side effects (x, g.n, buf[i]) becomes a plain
// one around a guard; another (a[f()] += y, f().n *= k) becomes a call of a
// guard that evaluates the target's operands once (rwImpureAug).
func rwAssign(s *syntax.AssignStmt) syntax.Stmt {
	s.RHS = rw(s.RHS)
	guard := map[syntax.Token]string{syntax.PLUS_EQ: guardIAdd, syntax.STAR_EQ: guardMul, syntax.PERCENT_EQ: guardMod, syntax.LTLT_EQ: guardShl}[s.Op]
	if s.Op == syntax.EQ || guard == "" {
		s.LHS = rwTarget(s.LHS)
		return s
	}
	if !pure(s.LHS) {
		return rwImpureAug(s, guard)
	}
	s.RHS = guardCall(guard, s.OpPos, s.LHS, s.RHS)
	s.Op = syntax.EQ
	return s
}

// rwImpureAug rewrites x[y] op= z and x.name op= z whose x or y must be
// evaluated once into _kscript_augindex(x, y, "op=", z) or
// _kscript_augattr(x, "name", "op=", z). Unlike Starlark, z is evaluated
// before x[y] is loaded; z changing x[y] is the only case that differs.
func rwImpureAug(s *syntax.AssignStmt, guard string) syntax.Stmt {
	op := &syntax.Literal{Token: syntax.STRING, TokenPos: s.OpPos, Raw: `"` + s.Op.String() + `"`, Value: s.Op.String()}
	lhs := s.LHS
	for {
		p, ok := lhs.(*syntax.ParenExpr)
		if !ok {
			break
		}
		lhs = p.X
	}
	switch t := lhs.(type) {
	case *syntax.IndexExpr:
		return &syntax.ExprStmt{X: guardCall(guardAugIdx, s.OpPos, rw(t.X), rw(t.Y), op, s.RHS)}
	case *syntax.DotExpr:
		name := &syntax.Literal{Token: syntax.STRING, TokenPos: t.NamePos, Raw: `"` + t.Name.Name + `"`, Value: t.Name.Name}
		return &syntax.ExprStmt{X: guardCall(guardAugAtt, s.OpPos, rw(t.X), name, op, s.RHS)}
	}
	s.LHS = rwTarget(s.LHS)
	return s
}

// pure reports whether evaluating e twice has no side effects.
func pure(e syntax.Expr) bool {
	switch e := e.(type) {
	case *syntax.Ident, *syntax.Literal:
		return true
	case *syntax.DotExpr:
		return pure(e.X)
	case *syntax.IndexExpr:
		return pure(e.X) && pure(e.Y)
	case *syntax.ParenExpr:
		return pure(e.X)
	}
	return false
}

func rwParams(params []syntax.Expr) {
	for _, p := range params {
		if b, ok := p.(*syntax.BinaryExpr); ok && b.Op == syntax.EQ { // default value
			b.Y = rw(b.Y)
		}
	}
}

func rwList(es []syntax.Expr) []syntax.Expr {
	for i, e := range es {
		es[i] = rw(e)
	}
	return es
}

// rw rewrites an expression.
func rw(e syntax.Expr) syntax.Expr {
	switch e := e.(type) {
	case *syntax.BinaryExpr:
		if e.Op == syntax.EQ { // a keyword argument name=value
			e.Y = rw(e.Y)
			return e
		}
		e.X, e.Y = rw(e.X), rw(e.Y)
		if guard := map[syntax.Token]string{syntax.STAR: guardMul, syntax.PLUS: guardAdd, syntax.PERCENT: guardMod, syntax.LTLT: guardShl}[e.Op]; guard != "" {
			return guardCall(guard, e.OpPos, e.X, e.Y)
		}
		if guard := compareGuards.Get()[e.Op]; guard != "" {
			return guardCall(guard, e.OpPos, e.X, e.Y)
		}
	case *syntax.CallExpr:
		e.Fn, e.Args = rw(e.Fn), rwList(e.Args)
	case *syntax.UnaryExpr:
		if e.X != nil {
			e.X = rw(e.X)
		}
	case *syntax.ParenExpr:
		e.X = rw(e.X)
	case *syntax.DotExpr:
		e.X = rw(e.X)
		if guardedMethods.Get()[e.Name.Name] {
			return guardCall(guardMethod, e.NamePos, e)
		}
	case *syntax.IndexExpr:
		e.X, e.Y = rw(e.X), rwKey(rw(e.Y))
	case *syntax.SliceExpr:
		e.X = rw(e.X)
		e.Lo, e.Hi, e.Step = rwOpt(e.Lo), rwOpt(e.Hi), rwOpt(e.Step)
		return guardCall(guardSlice, e.Lbrack, e)
	case *syntax.ListExpr:
		e.List = rwList(e.List)
	case *syntax.TupleExpr:
		e.List = rwList(e.List)
	case *syntax.DictExpr:
		e.List = rwList(e.List)
	case *syntax.DictEntry:
		e.Key, e.Value = rwKey(rw(e.Key)), rw(e.Value)
	case *syntax.CondExpr:
		e.Cond, e.True, e.False = rw(e.Cond), rw(e.True), rw(e.False)
	case *syntax.Comprehension:
		e.Body = rw(e.Body)
		for _, c := range e.Clauses {
			switch c := c.(type) {
			case *syntax.ForClause:
				c.Vars, c.X = rwTarget(c.Vars), rw(c.X)
			case *syntax.IfClause:
				c.Cond = rw(c.Cond)
			}
		}
	case *syntax.LambdaExpr:
		rwParams(e.Params)
		// None or body: the depth check, then the body's value.
		e.Body = &syntax.BinaryExpr{X: guardCall(guardEnter, e.Lambda), OpPos: e.Lambda, Op: syntax.OR, Y: rw(e.Body)}
	}
	return e
}

// rwTarget rewrites what an assignment or a for loop assigns to: its
// operands are rewritten, the target itself stays one (g.count = 1 keeps
// g.count a field to store into).
func rwTarget(e syntax.Expr) syntax.Expr {
	switch e := e.(type) {
	case *syntax.DotExpr:
		e.X = rw(e.X)
	case *syntax.IndexExpr:
		e.X, e.Y = rw(e.X), rwKey(rw(e.Y))
	case *syntax.ParenExpr:
		e.X = rwTarget(e.X)
	case *syntax.ListExpr:
		for i, x := range e.List {
			e.List[i] = rwTarget(x)
		}
	case *syntax.TupleExpr:
		for i, x := range e.List {
			e.List[i] = rwTarget(x)
		}
	default:
		return rw(e)
	}
	return e
}

// rwKey guards an index or a dict key, unless it is a number or a short
// string written in the script.
func rwKey(e syntax.Expr) syntax.Expr {
	if lit, ok := e.(*syntax.Literal); ok && (lit.Token == syntax.INT || lit.Token == syntax.STRING && len(lit.Raw) < 256) {
		return e
	}
	start, _ := e.Span()
	return guardCall(guardKey, start, e)
}

func rwOpt(e syntax.Expr) syntax.Expr {
	if e == nil {
		return nil
	}
	return rw(e)
}

// guardCall is a call of the guard builtin name at pos.
func guardCall(name string, pos syntax.Position, args ...syntax.Expr) *syntax.CallExpr {
	return &syntax.CallExpr{Fn: &syntax.Ident{NamePos: pos, Name: name}, Lparen: pos, Args: args, Rparen: pos}
}
