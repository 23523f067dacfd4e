package kernelsim

import (
	"fmt"
	"strconv"
	"strings"

	"kscript.dev/kscript/runtime/lazy"
)

// The --fail SPEC language: TARGET[:OPTION=VALUE[,OPTION=VALUE...]].
//
//	kmalloc:nth=2                      the 2nd slab allocation from now fails
//	page_alloc:probability=10,times=3  10% of page allocations, 3 failures at most
//	vmalloc:times=1                    the next vmalloc fails
//	usercopy:nth=1                     the next copy_{from,to}_user copies nothing
//
// The options are the files of /sys/kernel/debug/<name>/ (probability,
// interval, times, space, verbose, ignore-gfp-wait, ignore-gfp-highmem,
// min-order) and /proc/self/fail-nth (nth). Defaults follow
// FAULT_ATTR_INITIALIZER (interval 1, verbose 2, space 0) except where a
// spec would otherwise never fail: without probability and nth, probability
// is 100 (the spec says "fail"), and times is 1 unless a probability is
// given, then -1 (a rate, for as long as the run lasts).

// FailSpec is one parsed fault injection spec.
type FailSpec struct {
	Target      FaultTarget
	Probability uint64 // percent, 0..100
	Interval    uint64 // >= 1
	Times       int64  // -1: no limit
	Space       int64  // bytes (pages for fail_page_alloc) let through first
	Nth         uint64 // fail the Nth call from now, once; 0: off
	Verbose     int    // 0..2
	// IgnoreGFPWait mirrors ignore-gfp-wait (failslab, fail_page_alloc):
	// allocations that may sleep (__GFP_DIRECT_RECLAIM) never fail.
	IgnoreGFPWait bool
	// IgnoreGFPHighmem mirrors fail_page_alloc's ignore-gfp-highmem.
	IgnoreGFPHighmem bool
	// MinOrder mirrors fail_page_alloc's min-order.
	MinOrder int
	// Text is the spec as written.
	Text string
	// Calls, in what Kernel.FaultInjection returns, counts the calls
	// that asked whether to fail and could have (script code on the
	// stack), failed or not: with probability=0 a run counts, for
	// instance, the allocations that nth=1, 2, … would each fail.
	Calls uint64
}

// failTargets maps the spec's target names, kscript's and Linux's, to kinds.
var failTargets = lazy.NewMap(failTargetsTable)

func failTargetsTable() map[string]FaultTarget {
	return map[string]FaultTarget{
		"kmalloc": FaultSlab, "slab": FaultSlab, "failslab": FaultSlab,
		"page_alloc": FaultPageAlloc, "fail_page_alloc": FaultPageAlloc,
		"vmalloc": FaultVmalloc, "fail_vmalloc": FaultVmalloc,
		"usercopy": FaultUsercopy, "fail_usercopy": FaultUsercopy,
	}
}

const failTargetList = "kmalloc, slab, page_alloc, vmalloc or usercopy"

// failOption is one OPTION of the spec language.
type failOption struct {
	targets []FaultTarget // nil: every target
	set     func(s *FailSpec, v string) error
}

var failOptions = lazy.NewMap(failOptionsTable)

func failOptionsTable() map[string]failOption {
	return map[string]failOption{
		"probability": {nil, func(s *FailSpec, v string) error {
			return parseFailUint(v, 0, 100, "a percentage 0..100", &s.Probability)
		}},
		"interval": {nil, func(s *FailSpec, v string) error {
			return parseFailUint(v, 1, 1<<32, "a positive integer", &s.Interval)
		}},
		"nth": {nil, func(s *FailSpec, v string) error {
			return parseFailUint(v, 1, 1<<32, "a positive integer", &s.Nth)
		}},
		"times": {nil, func(s *FailSpec, v string) error {
			n, err := strconv.ParseInt(v, 10, 32)
			if err != nil || n < -1 {
				return fmt.Errorf("want -1 (no limit) or a count >= 0")
			}
			s.Times = n
			return nil
		}},
		"space": {nil, func(s *FailSpec, v string) error {
			var u uint64
			err := parseFailUint(v, 0, 1<<31-1, "a byte count >= 0", &u)
			s.Space = int64(u)
			return err
		}},
		"verbose": {nil, func(s *FailSpec, v string) error {
			var u uint64
			err := parseFailUint(v, 0, 2, "0, 1 or 2", &u)
			s.Verbose = int(u)
			return err
		}},
		"ignore-gfp-wait": {[]FaultTarget{FaultSlab, FaultPageAlloc}, func(s *FailSpec, v string) error {
			return parseFailBool(v, &s.IgnoreGFPWait)
		}},
		"ignore-gfp-highmem": {[]FaultTarget{FaultPageAlloc}, func(s *FailSpec, v string) error {
			return parseFailBool(v, &s.IgnoreGFPHighmem)
		}},
		"min-order": {[]FaultTarget{FaultPageAlloc}, func(s *FailSpec, v string) error {
			var u uint64
			err := parseFailUint(v, 0, MaxOrder-1, "an order 0..10", &u)
			s.MinOrder = int(u)
			return err
		}},
	}
}

func parseFailUint(v string, lo, hi uint64, want string, dst *uint64) error {
	u, err := strconv.ParseUint(v, 10, 64)
	if err != nil || u < lo || u > hi {
		return fmt.Errorf("want %s", want)
	}
	*dst = u
	return nil
}

// parseFailBool accepts what debugfs's bool files accept (kstrtobool):
// Y, y, 1, N, n, 0, on, off.
func parseFailBool(v string, dst *bool) error {
	b, ok := kstrtobool(v)
	if !ok || v == "" {
		return fmt.Errorf("want Y or N")
	}
	*dst = b
	return nil
}

// ParseFailSpec parses one --fail SPEC. Errors start "fail: " and name the
// spec and the part that is wrong.
func ParseFailSpec(spec string) (FailSpec, error) {
	s := FailSpec{Text: spec, Interval: 1, Verbose: 2}
	bad := func(format string, args ...any) (FailSpec, error) {
		return FailSpec{}, fmt.Errorf("fail: %q: %s", spec, fmt.Sprintf(format, args...))
	}
	name, opts, hasOpts := strings.Cut(spec, ":")
	if name == "" {
		return bad("missing target, want TARGET[:OPTION=VALUE,...] with TARGET one of %s", failTargetList)
	}
	t, ok := failTargets.Get()[name]
	if !ok {
		return bad("unknown target %q, want %s", name, failTargetList)
	}
	s.Target = t
	if hasOpts && opts == "" {
		return bad("no options after ':'")
	}
	seen := map[string]bool{}
	for _, opt := range strings.Split(opts, ",") {
		if !hasOpts {
			break
		}
		key, val, hasVal := strings.Cut(opt, "=")
		key = strings.ReplaceAll(key, "_", "-")
		o, ok := failOptions.Get()[key]
		switch {
		case opt == "":
			return bad("empty option")
		case !ok:
			return bad("unknown option %q, want one of %s", key, failOptionList(t))
		case !o.allows(t):
			return bad("option %q does not apply to %s", key, name)
		case !hasVal || val == "":
			return bad("option %q has no value, want %s=VALUE", key, key)
		case seen[key]:
			return bad("option %q given twice", key)
		}
		seen[key] = true
		if err := o.set(&s, val); err != nil {
			return bad("%s=%s: %v", key, val, err)
		}
	}
	if !seen["probability"] && !seen["nth"] {
		s.Probability = 100
	}
	if !seen["times"] {
		s.Times = 1
		if seen["probability"] {
			s.Times = -1
		}
	}
	return s, nil
}

func (o failOption) allows(t FaultTarget) bool {
	if o.targets == nil {
		return true
	}
	for _, x := range o.targets {
		if x == t {
			return true
		}
	}
	return false
}

// failOptionList lists the options a target takes, in a fixed order.
func failOptionList(t FaultTarget) string {
	var names []string
	for _, n := range []string{"probability", "interval", "times", "space", "nth", "verbose", "ignore-gfp-wait", "ignore-gfp-highmem", "min-order"} {
		if failOptions.Get()[n].allows(t) {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

// String formats s in the spec language with every option spelled out, so
// that ParseFailSpec(s.String()) gives s back (but for Text).
func (s FailSpec) String() string {
	out := fmt.Sprintf("%s:probability=%d,interval=%d,times=%d,space=%d,verbose=%d",
		failSpecName(s.Target), s.Probability, s.Interval, s.Times, s.Space, s.Verbose)
	if s.Nth > 0 {
		out += fmt.Sprintf(",nth=%d", s.Nth)
	}
	yn := map[bool]string{false: "N", true: "Y"}
	switch s.Target {
	case FaultSlab:
		out += ",ignore-gfp-wait=" + yn[s.IgnoreGFPWait]
	case FaultPageAlloc:
		out += fmt.Sprintf(",ignore-gfp-wait=%s,ignore-gfp-highmem=%s,min-order=%d",
			yn[s.IgnoreGFPWait], yn[s.IgnoreGFPHighmem], s.MinOrder)
	}
	return out
}

// failSpecName is the kscript name of a target.
func failSpecName(t FaultTarget) string {
	return [nrFaultTargets]string{"kmalloc", "page_alloc", "vmalloc", "usercopy"}[t]
}
