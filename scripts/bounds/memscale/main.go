// Command memscale measures how work scales from one CPU to two on this
// machine: the same loop run once and twice at a time, in two goroutines
// on their own threads, for a loop that stays in registers and for one
// that copies a buffer of -size bytes (kscript's grading restores a
// kernel of a few MB per submission, much of it copying). It prints, for
// each, the time of one loop, of two at a time, and the scaling (2 × one /
// two-at-a-time: 2.00× is perfect). issue 12's "--jobs 1 → --jobs 2 at
// 1.8×" cannot be met where the copying loop scales much less than that.
//
//	go run ./scripts/bounds/memscale -size 3000000 -rounds 5
package main

import (
	"flag"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	size := flag.Int("size", 3_000_000, "bytes copied per pass of the copying loop")
	total := flag.Int("total", 2000<<20, "bytes copied per loop in all")
	rounds := flag.Int("rounds", 5, "measurements; the median is printed")
	flag.Parse()
	runtime.GOMAXPROCS(max(runtime.GOMAXPROCS(0), 2))
	spin := func() {
		x := uint64(1)
		for i := 0; i < 400_000_000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
		sink.Add(x)
	}
	copyLoop := func() {
		a, b := make([]byte, *size), make([]byte, *size)
		for i := range a {
			a[i] = byte(i)
		}
		for i := 0; i < *total / *size; i++ {
			copy(b, a)
		}
		sink.Add(uint64(b[len(b)-1]))
	}
	fmt.Printf("# %d CPUs; median of %d rounds\n", runtime.NumCPU(), *rounds)
	fmt.Println("loop\tone_ms\ttwo_at_once_ms\tscaling")
	for _, l := range []struct {
		name string
		fn   func()
	}{{"registers", spin}, {fmt.Sprintf("copy %d B", *size), copyLoop}} {
		var one, two []time.Duration
		for r := 0; r < *rounds; r++ {
			one = append(one, timeAtOnce(1, l.fn))
			two = append(two, timeAtOnce(2, l.fn))
		}
		o, t := median(one), median(two)
		fmt.Printf("%s\t%.1f\t%.1f\t%.2f×\n", l.name, ms(o), ms(t), 2*float64(o)/float64(t))
	}
}

// sink keeps the loops' results live.
var sink atomic.Uint64

// timeAtOnce runs n copies of fn at once, each locked to a thread of its
// own, and returns the time until the last ends.
func timeAtOnce(n int, fn func()) time.Duration {
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			fn()
		}()
	}
	wg.Wait()
	return time.Since(start)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
