package kernelsim

// ratelimitState mirrors struct ratelimit_state (include/linux/ratelimit_types.h)
// and ___ratelimit() (lib/ratelimit.c): at most burst events per interval
// jiffies; when a new interval starts after events were suppressed, the
// kernel says how many ("warn_alloc: 2 callbacks suppressed").
type ratelimitState struct {
	interval, burst uint64 // in jiffies; events per interval
	begin           uint64 // jiffies at the start of the current interval, 0 before the first event
	printed, missed int
}

// ratelimit mirrors ___ratelimit(rs, fn): true when the event may print.
func (k *Kernel) ratelimit(rs *ratelimitState, fn string) bool {
	now := k.Jiffies()
	if rs.begin == 0 {
		rs.begin = now
	}
	if now > rs.begin+rs.interval { // time_is_before_jiffies(begin + interval)
		if rs.missed > 0 {
			k.printk(LogWarning, "%s: %d callbacks suppressed\n", fn, rs.missed)
			rs.missed = 0
		}
		rs.begin, rs.printed = now, 0
	}
	if rs.burst > uint64(rs.printed) {
		rs.printed++
		return true
	}
	rs.missed++
	return false
}
