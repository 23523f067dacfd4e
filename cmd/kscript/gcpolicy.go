package main

import (
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// The garbage collector's policy for kscript run and kscript test.
//
// A run is a short-lived process: its live heap is a few MiB (the copied
// boot image, the lesson, the Starlark module and its kernel state) and
// each file of it allocates about 2 MiB that die with its machine. Go's
// default (GOGC=100, a 4 MiB minimum heap) collects three times in a
// five-file run, and each collection marks the live kernel, slows the
// program with assists and competes for the second core: a quarter of the
// five workshop modules' samples. With GOGC=400 the first collection comes
// at 16 MiB, so such a run collects once at most.
//
// Memory stays bounded for any script, a hostile one included: after each
// collection the live heap is looked at, and once it is above
// gcFastLiveLimit (a script filling simulated RAM, or building the largest
// values the sandbox's size caps allow) the collector goes back to Go's
// default, collecting at twice the live heap. A run's heap therefore never
// exceeds what Go's default would allow by more than about
// 5 × gcFastLiveLimit (160 MiB) in all, however much the script keeps.
//
// GOGC or GOMEMLIMIT in the environment are the user's own choice and
// switch this policy off. kscript grade has a policy of its own (grade.go),
// and its worker processes theirs (runtime/grade: a memory limit below
// their RLIMIT_AS).

// gcFastPercent is the GOGC a run starts with.
const gcFastPercent = 400

// gcFastLiveLimit is the live heap above which a run goes back to Go's
// default GOGC.
const gcFastLiveLimit = 32 << 20

// gcPolicyState is what applyGCPolicy did: 0 nothing yet, gcPolicyFast
// while GOGC is gcFastPercent, gcPolicyDefault once the live heap made it
// go back to 100, gcPolicyUser when the environment chose.
var gcPolicyState atomic.Int32

const (
	gcPolicyFast = 1 + iota
	gcPolicyDefault
	gcPolicyUser
)

var gcPolicyOnce sync.Once

// applyGCPolicy sets the collector's policy for a run (see above), once
// per process.
func applyGCPolicy(getenv func(string) string) {
	gcPolicyOnce.Do(func() {
		if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
			gcPolicyState.Store(gcPolicyUser)
			return
		}
		gcPolicyState.Store(gcPolicyFast)
		debug.SetGCPercent(gcFastPercent)
		armGCWatch()
	})
}

// armGCWatch has the next collection look at the live heap: a finalizer
// on an unreachable sentinel runs after each cycle that finds it, and arms
// the next one while the fast policy lasts.
func armGCWatch() {
	sentinel := new([32]byte) // not a tiny allocation (under 16 bytes): finalizers on those may never run
	runtime.SetFinalizer(sentinel, func(*[32]byte) {
		if liveHeap() > gcFastLiveLimit {
			debug.SetGCPercent(100)
			gcPolicyState.Store(gcPolicyDefault)
			return
		}
		armGCWatch()
	})
}

// liveHeap is the heap the last collection found live, within a fraction
// of a MiB, as the heap goal that collection set tells: while this policy
// holds, Go's goal is live + (live + stacks + globals) × gcFastPercent/100
// (or its 4 MiB × gcFastPercent/100 minimum), so goal × 100/(100 +
// gcFastPercent) is the live heap plus 4/5 of the stacks and globals,
// under a MiB in kscript, next to the 32 MiB it is compared with.
// (runtime/metrics's /gc/heap/live:bytes is exact, but that package's
// initialisation builds its table of metric descriptions in every kscript
// process, --help included: some 46K instructions and 10 page faults for
// a figure read once per collection of a run.) ReadMemStats stops the
// world briefly, once per collection.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.NextGC * 100 / (100 + gcFastPercent)
}
