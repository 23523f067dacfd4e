// Package runtime is the Starlark bridge between kscript scripts and the
// simulated kernel (kscript.dev/kscript/kernelsim): the kernel API builtins
// with the kernel's names, the values scripts hold (ptr, page, static records,
// struct views, tasklets, files...), the module loader that turns a .star file
// into a loadable module, user programs, and the sandbox limits.
//
// The folder shadows Go's runtime package name: import it everywhere as
//
//	import kruntime "kscript.dev/kscript/runtime"
//
// # A script is a C file
//
// A module script's top level is its file scope: it declares (MODULE_LICENSE,
// module_init, static, static_buffer, file_operations, user_program...) and
// may not call the kernel, exactly as C allows only static initialisers
// there. LoadScript ("make") compiles the script and runs the top level once
// as a probe, to learn the declarations; each Insmod runs it afresh, so a
// module's statics start from their declared values on every load, as a C
// module's .data does, then runs init as the insmod task through
// finit_module's kernel path. Module state is never frozen: static()
// records stay assignable for the module's lifetime.
//
//	LoadScript ─▶ probe run ─▶ NAME.ko
//	Insmod     ─▶ kernelsim LoadModule (taint, memory, parameters)
//	           ─▶ top level again (static_buffers in the module's data section)
//	           ─▶ init, as the insmod task ─▶ kernelsim ModuleInitReturned
//	Rmmod      ─▶ kernelsim ModuleUnload ─▶ exit, as the rmmod task ─▶ ModuleFree
//
// # Three kinds of code
//
// Code runs at file scope, as kernel code (init, exit, callbacks, driver
// handlers) or as a user program (Exec). Every builtin has a Scope in the API
// table, so kmalloc in a user program or printf in a driver is refused with
// the reason; a pointer is read and written in kernel mode (kernelsim's
// ReadMem, where a __user pointer is an SMAP fault) or in user mode (the
// process's page tables, where a bad pointer is SIGSEGV) accordingly.
//
// A user program has its own namespace, as a C program has its own globals:
// each run starts from a fresh image of its file's top level, so it shares
// no value with the loaded module, and a module's static() fields and
// static_buffers refuse user code with an error that says why. A lesson's
// programs file (LoadPrograms) declares user programs only and replaces a
// module script's program of the same name (programs.go).
//
// # Handles, not structs
//
// Values refer to simulated objects by address, pfn or kernelsim handle and
// read their state live; they hold no memory of their own, so a script cannot
// bypass the simulated kernel's accounting or its checks.
//
// # Errors
//
// A script's mistakes (a syntax error, kfree(5), a declaration inside a
// function) are *ScriptError with file:line:col; a kernel bug it causes is
// the simulated kernel's report, and when Linux would kill the task the
// *kernelsim.Oops unwinds the script and the call returns *KilledError; a
// runaway script is stopped by the step budget or the wall-time backstop
// (*LimitError). A Go panic inside a Machine entry point is kscript's own bug
// and comes back as *InternalError.
//
// # The API table
//
// Every predeclared name comes from one table (APIs), which also documents
// it in English and Thai for `kscript doc`.
package runtime
