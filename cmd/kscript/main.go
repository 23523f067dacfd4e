// Command kscript runs Starlark scripts that are Linux kernel modules on a
// simulated Linux 6.1 kernel, driven by YAML lessons. See DESIGN.md §3.
package main

import (
	"os"

	// Before every other initialiser: see the package.
	_ "kscript.dev/kscript/cmd/kscript/internal/startheap"
)

func main() { os.Exit(kscriptMain(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
