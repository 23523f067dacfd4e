//go:build !unix

package cputime

import "time"

// now is 0 where getrusage(2) is not there (Windows, js/wasm): the
// benchmarks' cpu-ns figures are then 0.
func now() time.Duration { return 0 }
