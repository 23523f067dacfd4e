package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is kscript's release, set by release builds
// (-ldflags "-X main.version=v0.3.0"); a build from source reads it from the
// module's build information instead.
var version = ""

// versionString is what kscript --version prints: the release (or the
// module version and commit), the Go it was built with, and the kernel it
// simulates.
func versionString() string {
	v, rev := version, ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = s.Value[:12]
			}
			if s.Key == "vcs.modified" && s.Value == "true" && rev != "" {
				rev += "+dirty"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if rev != "" {
		v += " " + rev
	}
	return fmt.Sprintf("kscript %s (%s %s/%s)\nsimulates Linux 6.1 x86-64 (Debian 12's 6.1.0-28-amd64): SLUB, 4 KiB pages, orders 0-10\n",
		v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
