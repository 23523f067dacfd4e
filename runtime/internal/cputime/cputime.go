// Package cputime reads the process's CPU time for kscript's benchmarks: on
// the shared, loaded machines kscript is developed on, CPU time per
// operation is steadier than wall time, so the benchmarks report both.
package cputime

import "time"

// Now returns the process's user plus system CPU time so far; 0 where the
// system does not say (see cputime_other.go).
func Now() time.Duration { return now() }
