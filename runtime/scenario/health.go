package scenario

import (
	"fmt"
	"strconv"
	"strings"

	"kscript.dev/kscript/kernelsim"
)

// Health is the state of the kernel after a run: the reports it made, the
// leaks it found, and whether free memory came back to where it was.
type Health struct {
	Bugs   []kernelsim.Report // BUG, WARNING, Oops, KASAN…: see bugReports
	Leaks  []kernelsim.Report // kmemleak reports
	Warns  []kernelsim.Report // page allocation failures
	Memory MemoryCheck
}

// MemoryCheck compares free memory before each load cycle's first insmod
// with free memory once no module is loaded again (after its last rmmod):
// every zone's free block count per order (/proc/buddyinfo) and MemFree
// (/proc/meminfo).
type MemoryCheck struct {
	Checked  bool
	Restored bool
	// Reason says why the check was not made ("no module was loaded",
	// "the module is still loaded").
	Reason string
	// Diffs list what differs: "zone Normal order 0: 1203 free before insmod, 1202 after rmmod".
	Diffs []string
}

// snapshot is free memory at one moment.
type snapshot struct {
	buddy   map[string][]int // "Node 0, zone Normal" → free blocks per order
	zones   []string         // buddy's keys in /proc/buddyinfo order
	memFree uint64           // kB
}

// takeSnapshot reads /proc/buddyinfo and /proc/meminfo: the same numbers a
// student would compare by hand.
func takeSnapshot(k *kernelsim.Kernel) *snapshot {
	buddy, _ := k.ReadProc("/proc/buddyinfo")
	mi, _ := k.ReadProc("/proc/meminfo")
	return parseSnapshot(buddy, mi)
}

// parseSnapshot parses /proc/buddyinfo and /proc/meminfo texts.
func parseSnapshot(buddyinfo, meminfo string) *snapshot {
	s := &snapshot{buddy: map[string][]int{}}
	for _, line := range strings.Split(buddyinfo, "\n") {
		// "Node 0, zone   Normal    113     54 …"
		node, rest, ok := strings.Cut(line, ", zone")
		f := strings.Fields(rest)
		if !ok || len(f) < 2 {
			continue
		}
		key := strings.TrimSpace(node) + ", zone " + f[0]
		for _, c := range f[1:] {
			n, _ := strconv.Atoi(c)
			s.buddy[key] = append(s.buddy[key], n)
		}
		s.zones = append(s.zones, key)
	}
	for _, line := range strings.Split(meminfo, "\n") {
		if rest, ok := strings.CutPrefix(line, "MemFree:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				s.memFree, _ = strconv.ParseUint(f[0], 10, 64)
			}
		}
	}
	return s
}

// diff lists how after differs from before.
func (before *snapshot) diff(after *snapshot) []string {
	var out []string
	for _, zone := range before.zones {
		b, a := before.buddy[zone], after.buddy[zone]
		for order := 0; order < max(len(a), len(b)); order++ {
			bn, an := at(b, order), at(a, order)
			if bn != an {
				out = append(out, fmt.Sprintf("%s order %d: %d free blocks before insmod, %d after rmmod",
					strings.TrimPrefix(zone, "Node 0, "), order, bn, an))
			}
		}
	}
	if before.memFree != after.memFree {
		out = append(out, fmt.Sprintf("MemFree: %d kB before insmod, %d kB after rmmod", before.memFree, after.memFree))
	}
	return out
}

func at(s []int, i int) int {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// health gathers the kernel's reports and compares memory.
func (r *runner) health() Health {
	var h Health
	reports := r.m.Kernel().Reports()
	h.Bugs = bugReports(reports)
	for _, rep := range reports {
		switch rep.Class {
		case "memory-leak":
			h.Leaks = append(h.Leaks, rep)
		case "page-allocation-failure":
			h.Warns = append(h.Warns, rep)
		}
	}
	switch {
	case r.cycles == 0 && r.before == nil:
		h.Memory.Reason = "no-insmod"
	case r.loaded > 0 || r.before != nil:
		h.Memory.Reason = "still-loaded"
	default:
		h.Memory.Checked = true
		h.Memory.Diffs = r.memDiffs
		h.Memory.Restored = len(h.Memory.Diffs) == 0
	}
	return h
}

// scriptLine returns where in the script a report was made: its innermost
// script frame ("hello.star:23 in hello_init"), or "".
func scriptLine(rep kernelsim.Report) string {
	for _, f := range rep.Stack {
		if f.File != "" {
			return f.String()
		}
	}
	return ""
}

// reportLine returns the script line number of a report, 0 if none.
func reportLine(rep kernelsim.Report) int {
	for _, f := range rep.Stack {
		if f.File != "" {
			return f.Line
		}
	}
	return 0
}
