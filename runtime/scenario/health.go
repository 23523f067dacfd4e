package scenario

import (
	"strconv"
	"strings"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/i18n"
)

// Health is the state of the kernel after a run: the reports it made, the
// leaks it found, and whether free memory came back to where it was.
type Health struct {
	Bugs   []kernelsim.Report // BUG, WARNING, Oops, KASAN…: see bugReports
	Leaks  []kernelsim.Report // kscript's own leak findings at rmmod (class memory-leak)
	Warns  []kernelsim.Report // page allocation failures
	Memory MemoryCheck
	// Findings are kscript's own findings about a run of the default
	// scenario (no lesson): see Finding.
	Findings []Finding
}

// MemoryCheck compares free memory before each insmod that loads the first
// module with free memory after the rmmod that unloads the last one (or
// the failed insmod): every zone's free block count per order
// (/proc/buddyinfo) and MemFree (/proc/meminfo). Memory taken between
// load cycles (the pressure step) is not counted.
type MemoryCheck struct {
	Checked  bool
	Restored bool
	// PCP is set when the machine keeps per-CPU page lists: pages freed
	// to them are free but show in neither /proc/buddyinfo nor MemFree,
	// and small orders move by batches, so only the free pages in total
	// are compared.
	PCP bool
	// ReclaimedKB is the clean page cache that reclaim freed while a
	// module was loaded; free memory is then compared with it counted
	// (diffReclaimed).
	ReclaimedKB uint64
	// Reason says why the check was not made ("no module was loaded",
	// "the module is still loaded").
	Reason string
	// Diffs list what differs: "zone Normal order 0: 1203 free blocks
	// before insmod, 1202 after rmmod".
	Diffs []i18n.Text
}

// snapshot is free memory at one moment.
type snapshot struct {
	buddy   map[string][]int // "Node 0, zone Normal" → free blocks per order
	zones   []string         // buddy's keys in /proc/buddyinfo order
	memFree uint64           // kB
	pcp     bool             // the machine has per-CPU page lists
	pcpKB   uint64           // kB on them (free_pcp)
	cacheKB uint64           // kB of clean page cache reclaim could free
}

// takeSnapshot reads the numbers /proc/buddyinfo and /proc/meminfo's
// MemFree print, the same numbers a student would compare by hand, from
// the zones' counters: rendering the two files and parsing them back cost
// a graded run more than the rest of its health check
// (TestSnapshotMatchesProc keeps the two ways equal).
func takeSnapshot(k *kernelsim.Kernel) *snapshot {
	zones := k.ZoneViews()
	s := &snapshot{buddy: make(map[string][]int, len(zones)), zones: make([]string, 0, len(zones))}
	var free int64
	for _, z := range zones {
		key := "Node 0, zone " + z.Name
		counts := make([]int, len(z.NrFree))
		for o, n := range z.NrFree {
			counts[o] = int(n)
		}
		s.buddy[key] = counts
		s.zones = append(s.zones, key)
		free += z.FreePages
	}
	s.memFree = uint64(free) * 4
	s.pcp = !k.Config().NoPCP
	s.pcpKB = uint64(k.FreePCPPages()) * 4
	s.cacheKB = uint64(k.PageCachePages()) * 4
	return s
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
func (before *snapshot) diff(after *snapshot) []i18n.Text {
	if before.cacheKB != after.cacheKB {
		return before.diffReclaimed(after)
	}
	if before.pcp {
		return before.diffTotal(after)
	}
	var out []i18n.Text
	for _, zone := range before.zones {
		b, a := before.buddy[zone], after.buddy[zone]
		for order := 0; order < max(len(a), len(b)); order++ {
			bn, an := at(b, order), at(a, order)
			if bn != an {
				out = append(out, messages.T("diff-order", strings.TrimPrefix(zone, "Node 0, "), order, bn, an))
			}
		}
	}
	if before.memFree != after.memFree {
		out = append(out, messages.T("diff-memfree", before.memFree, after.memFree))
	}
	return out
}

// diffTotal compares free memory in total, the per-CPU lists included: on
// Linux an order-0..3 block freed at rmmod stays on the CPU's list, and the
// batch the list took from the buddy lists at insmod is not given back, so
// /proc/buddyinfo and MemFree legitimately differ.
func (before *snapshot) diffTotal(after *snapshot) []i18n.Text {
	b, a := before.memFree+before.pcpKB, after.memFree+after.pcpKB
	if b == a {
		return nil
	}
	return []i18n.Text{messages.T("diff-free-pcp", b, a)}
}

// diffReclaimed compares free memory in total with the page cache reclaim
// could free: a module that allocates until the kernel reclaims (a
// GFP_KERNEL allocation when free memory runs low) and then frees what it
// took leaves more memory free than before, the page cache it pushed out,
// as on Linux; what it took is back when free memory, the per-CPU lists
// and that page cache add up to what they did. Reclaim frees page cache
// pages one by one, so the free blocks per order cannot be compared.
func (before *snapshot) diffReclaimed(after *snapshot) []i18n.Text {
	b := before.memFree + before.pcpKB + before.cacheKB
	a := after.memFree + after.pcpKB + after.cacheKB
	if b == a {
		return nil
	}
	return []i18n.Text{messages.T("diff-free-cache", b, a, before.cacheKB-min(before.cacheKB, after.cacheKB))}
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
		case "page-allocation-failure", "vmalloc-failure":
			h.Warns = append(h.Warns, rep)
		}
	}
	switch {
	case r.loaded > 0 || r.before != nil:
		h.Memory.Reason = "still-loaded"
	case r.cycles == 0:
		h.Memory.Reason = "no-insmod"
	default:
		h.Memory.Checked = true
		h.Memory.PCP = !r.m.Kernel().Config().NoPCP
		h.Memory.Diffs = r.diffs
		h.Memory.Restored = len(h.Memory.Diffs) == 0
		h.Memory.ReclaimedKB = r.reclaimedKB
	}
	if r.defaultScenario {
		h.Findings = r.findings()
	}
	return h
}

// ScriptLine returns where in the script a report was made: its innermost
// script frame ("hello.star:23 in hello_init"), or "".
func ScriptLine(rep kernelsim.Report) string {
	for _, f := range rep.Stack {
		if f.File != "" {
			return f.String()
		}
	}
	return ""
}

// WhereIn renders a script line as ScriptLine gives it ("hello.star:12
// in hello_exit") in lang.
func WhereIn(where, lang string) string {
	if lang == "th" {
		return strings.Replace(where, " in ", " ในฟังก์ชัน ", 1)
	}
	return where
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
