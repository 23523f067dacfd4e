package grade

import (
	"bytes"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// runawayBatches grades testdata/runaway with lesson 01's exercise and
// testdata/runaway_dev (submissions that need a device, a user program of
// their own and simulated time) with its test lesson, under cfg.
func runawayBatches(t *testing.T, cfg Config) []*Batch {
	t.Helper()
	var out []*Batch
	for _, dir := range []struct{ lesson, subs string }{
		{"../../lessons/01_kmalloc.yaml", "testdata/runaway"},
		{"testdata/runaway_dev.yaml", "testdata/runaway_dev"},
	} {
		g := newGrader(t, cfg, dir.lesson)
		out = append(out, g.Grade(Submissions([]string{dir.subs})))
	}
	return out
}

// runawayWant is how each runaway submission ends: its first check's
// status and a piece of its feedback.
var runawayWant = map[string]struct {
	status Status
	reason string
}{
	"aug_attr.star":           {Error, "aug_attr.star:12:16: +: result too large: 2097152 bytes"},
	"aug_index.star":          {Error, "aug_index.star:11:19: *: result too large: 2097152 bytes"},
	"printk_huge.star":        {Timeout, "step budget exhausted at testdata/runaway/printk_huge.star:8:16"},
	"shift_grow.star":         {Error, "<<: result too large: a 66001-bit integer"},
	"all_range.star":          {Timeout, "step budget exhausted at testdata/runaway/all_range.star:5:12"},
	"big_list.star":           {Error, "*: result too large: 1048577 elements"},
	"big_string.star":         {Error, "*: result too large: 1048577 bytes"},
	"bytes_concat.star":       {Timeout, "step budget exhausted at testdata/runaway/bytes_concat.star:7:"},
	"deep_recursion.star":     {Error, "recursion too deep: more than 1000 nested calls"},
	"dict_comprehension.star": {Timeout, "step budget exhausted at testdata/runaway/dict_comprehension.star:5:"},
	"doubling.star":           {Error, "+: result too large: 2097152 bytes"},
	"fail_huge.star":          {Error, "more bytes not shown"},
	"huge_shift.star":         {Error, "shift count too large: 100000000"},
	"index_loop.star":         {Timeout, "step budget exhausted at testdata/runaway/index_loop.star:"},
	"keep_lists.star":         {Timeout, "step budget exhausted at testdata/runaway/keep_lists.star:7:"},
	"list_range.star":         {Error, "list: result too large: 1073741824 elements"},
	"memset_loop.star":        {Timeout, "step budget exhausted at testdata/runaway/memset_loop.star:7:"},
	"nested_str.star":         {Error, "str: result too large"},
	"recursion_kmalloc.star":  {Error, "recursion too deep: more than 1000 nested calls"},
	"resched_tasklet.star":    {Timeout, "step budget exhausted at testdata/runaway/resched_tasklet.star:"},
	"sorted_range.star":       {Error, "sorted: result too large: 268435456 elements"},
	"split_loop.star":         {Timeout, "step budget exhausted at testdata/runaway/split_loop.star:8:"},
	"string_concat.star":      {Timeout, "step budget exhausted at testdata/runaway/string_concat.star:7:"},
	"string_half_gig.star":    {Error, "*: result too large: 1048577 bytes"},
	"int_digits.star":         {Error, "int: a string of 60000 digits: kscript converts at most 4300"},
	"in_list.star":            {Timeout, "step budget exhausted at testdata/runaway/in_list.star:7:"},
	"list_equal.star":         {Timeout, "step budget exhausted at testdata/runaway/list_equal.star:8:"},
	"substring.star":          {Timeout, "step budget exhausted at testdata/runaway/substring.star:7:"},
	"dict_key.star":           {Timeout, "step budget exhausted at testdata/runaway/dict_key.star:8:"},
	"hash_big.star":           {Timeout, "step budget exhausted at testdata/runaway/hash_big.star:7:"},
	"slice_copy.star":         {Timeout, "step budget exhausted at testdata/runaway/slice_copy.star:7:"},
	"many_caches.star":        {Timeout, "step budget exhausted at testdata/runaway/many_caches.star:7:"},
	"many_vmallocs.star":      {Timeout, "step budget exhausted at testdata/runaway/many_vmallocs.star:7:"},
	"str_predicate.star":      {Timeout, "step budget exhausted at testdata/runaway/str_predicate.star:8:"},
	"startswith_tuple.star":   {Timeout, "step budget exhausted at testdata/runaway/startswith_tuple.star:10:"},
	"sorted_strings.star":     {Timeout, "step budget exhausted at testdata/runaway/sorted_strings.star:10:"},
	"pop_front.star":          {Timeout, "step budget exhausted at testdata/runaway/pop_front.star:8:"},
	"index_strings.star":      {Timeout, "step budget exhausted at testdata/runaway/index_strings.star:10:"},
	"get_big_key.star":        {Timeout, "step budget exhausted at testdata/runaway/get_big_key.star:8:"},
	// runaway_dev
	"quiet.star":       {Pass, ""},
	"cat_loop.star":    {Timeout, "step budget exhausted at testdata/runaway_dev/cat_loop.star:1"},
	"read_loop.star":   {Timeout, "step budget exhausted at testdata/runaway_dev/read_loop.star:"},
	"print_loop.star":  {Timeout, "step budget exhausted at testdata/runaway_dev/print_loop.star:"},
	"printk_loop.star": {Fail, "ring buffer (128 KiB) overwrote the 16956 oldest lines"},
	"timer_rearm.star": {Timeout, "step budget exhausted at testdata/runaway_dev/timer_rearm.star:"},
}

// TestRunawaySubmissions: each kind of runaway submission (loops, value
// bombs, floods of output, deferred work that never ends) ends in a
// normal, deterministic outcome with the sandbox's reason, never a crash,
// an exhausted host or the wall-time backstop; in process and in worker
// processes alike, with the same results byte for byte.
func TestRunawaySubmissions(t *testing.T) {
	inProc := runawayBatches(t, realConfig())
	n := 0
	for _, b := range inProc {
		for _, r := range b.Results {
			n++
			name := r.Submission[strings.LastIndex(r.Submission, "/")+1:]
			w, ok := runawayWant[name]
			fb := feedback(r)
			if !ok || r.Checks[0].Status != w.status || !strings.Contains(fb, w.reason) {
				t.Errorf("%s: %s, want %s with %q:\n%s", name, checkStatuses(r), w.status, w.reason, fb)
			}
			if len(fb) > 64<<10 {
				t.Errorf("%s: %d bytes of feedback", name, len(fb))
			}
		}
	}
	if n != len(runawayWant) {
		t.Errorf("%d results, want %d", n, len(runawayWant))
	}
	cfg := realConfig()
	cfg.Workers = testWorkers(DefaultWorkerMemory)
	workers := runawayBatches(t, cfg)
	for i := range inProc {
		if x, y := render(t, inProc[i], "json", "en"), render(t, workers[i], "json", "en"); !bytes.Equal(x, y) {
			t.Errorf("in process and in workers differ:\n%s\n----\n%s", x, y)
		}
	}
}

// TestRunawayUnderLoad grades the runaway submissions idle and with busy
// goroutines and busy processes beside them: the results are the same
// byte for byte, because the budget counts steps, not time.
func TestRunawayUnderLoad(t *testing.T) {
	idle := runawayBatches(t, realConfig())
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for !stop.Load() {
				n++
			}
			_ = n
		}()
	}
	var procs []*exec.Cmd
	for range 2 {
		cmd := exec.Command("sh", "-c", "while :; do :; done")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, cmd)
	}
	loaded := runawayBatches(t, realConfig())
	stop.Store(true)
	wg.Wait()
	for _, cmd := range procs {
		cmd.Process.Kill()
		cmd.Wait()
	}
	for i := range idle {
		if x, y := render(t, idle[i], "json", "en"), render(t, loaded[i], "json", "en"); !bytes.Equal(x, y) {
			t.Errorf("results differ under load:\n%s\n----\n%s", x, y)
		}
	}
}
