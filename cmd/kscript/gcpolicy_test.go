package main

import (
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
)

// gcPercent reads the collector's GOGC setting.
func gcPercent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

// TestGCPolicy: kscript run sets GOGC=400 for its process; once a
// collection finds more than gcFastLiveLimit live, GOGC is 100 again and the
// heap's goal stays at about twice what is live however much garbage is
// made. (Not timed: it checks the settings and the collector's own goal.)
func TestGCPolicy(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		applyGCPolicy(os.Getenv)
		if gcPolicyState.Load() != gcPolicyUser {
			t.Fatalf("GOGC or GOMEMLIMIT set: policy state %d, want the user's", gcPolicyState.Load())
		}
		t.Skip("GOGC or GOMEMLIMIT set: the policy is the user's")
	}
	if code := kscriptMain([]string{"run", "--quiet", "../../lessons/01_kmalloc.star"}, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
		t.Fatalf("kscript run: exit %d", code)
	}
	if s := gcPolicyState.Load(); s == gcPolicyDefault {
		t.Skip("an earlier test of this process already made the live heap large")
	} else if s != gcPolicyFast {
		t.Fatalf("after kscript run: policy state %d, want %d (fast)", s, gcPolicyFast)
	}
	if p := gcPercent(); p != gcFastPercent {
		t.Fatalf("after kscript run: GOGC %d, want %d", p, gcFastPercent)
	}
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if s := gcPolicyState.Load(); s != gcPolicyFast {
		t.Fatalf("a collection with a small live heap: policy state %d, want %d (fast)", s, gcPolicyFast)
	}
	// liveHeap's estimate from the heap goal is the live heap within a
	// MiB or two (runtime/metrics's exact figure), or the goal's minimum.
	liveNow := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(liveNow)
	if est, exact := liveHeap(), liveNow[0].Value.Uint64(); est < exact || est > max(exact+2<<20, 4<<20) {
		t.Errorf("liveHeap() = %d, live heap %d", est, exact)
	}

	// A script that keeps 64 MiB.
	const chunk = 1 << 20
	live := make([][]byte, 64)
	for i := range live {
		live[i] = make([]byte, chunk)
		live[i][0] = 1
	}
	for i := 0; i < 200 && gcPolicyState.Load() != gcPolicyDefault; i++ {
		runtime.GC() // the finalizer runs after the cycle, in its own goroutine
		time.Sleep(time.Millisecond)
	}
	if s := gcPolicyState.Load(); s != gcPolicyDefault {
		t.Fatalf("with 64 MiB live: policy state %d, want %d (Go's default)", s, gcPolicyDefault)
	}
	if p := gcPercent(); p != 100 {
		t.Fatalf("with 64 MiB live: GOGC %d, want 100", p)
	}
	// Garbage: 1 GiB in 64 KiB pieces; the goal stays near twice the live heap.
	samples := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}, {Name: "/gc/heap/live:bytes"}}
	var sink []byte
	for i := 0; i < 1<<14; i++ {
		sink = make([]byte, 64<<10)
		sink[0] = byte(i)
		if i%256 == 0 {
			metrics.Read(samples)
			goal, now := samples[0].Value.Uint64(), samples[1].Value.Uint64()
			if goal > 2*now+16<<20 {
				t.Fatalf("heap goal %d MiB with %d MiB live: more than Go's default", goal>>20, now>>20)
			}
		}
	}
	runtime.KeepAlive(sink)
	runtime.KeepAlive(live)
}
