// Package runtime is the Starlark bridge between kscript scripts and the
// simulated kernel (kscript.dev/kscript/kernelsim): the kernel API builtins
// with the kernel's names, the values scripts hold (ptr, page, static records,
// struct views), the module loader that turns a .star file into a loadable
// module, user programs, and the sandbox limits.
//
// The folder shadows Go's runtime package name: import it everywhere as
//
//	import kruntime "kscript.dev/kscript/runtime"
package runtime
