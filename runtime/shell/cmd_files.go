package shell

import (
	"fmt"
	"strconv"
	"strings"
)

// cmdCat mirrors coreutils cat: files (or stdin) in order; -n numbers lines.
func cmdCat(sh *Shell, inv *Invocation) int {
	var files []string
	number := false
	for _, a := range inv.Args {
		switch {
		case a == "-n" || a == "--number":
			number = true
		case len(a) > 1 && a[0] == '-':
			return usageError(inv, "invalid option -- '%c'", a[1])
		default:
			files = append(files, a)
		}
	}
	ins, ok := readInputs(sh, inv, files)
	n := 0
	for _, in := range ins {
		if !number {
			inv.Stdout.Write(in.data)
			continue
		}
		for _, l := range lines(in.data) {
			n++
			fmt.Fprintf(inv.Stdout, "%6d\t%s\n", n, l)
		}
	}
	if !ok {
		return 1
	}
	return 0
}

// meminfo is the part of /proc/meminfo that free reads, in KiB.
type meminfo map[string]uint64

// parseMeminfo reads "Name:   value kB" lines.
func parseMeminfo(text string) meminfo {
	m := meminfo{}
	for _, l := range strings.Split(text, "\n") {
		name, rest, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		if v, err := strconv.ParseUint(f[0], 10, 64); err == nil {
			m[name] = v
		}
	}
	return m
}

// freeOptions: the unit (an exponent of 1024, or human), wide and total.
type freeOptions struct {
	exponent int // 0: KiB (default), 1: bytes, 2: KiB, 3: MiB, 4: GiB
	human    bool
	si       bool
	wide     bool
	total    bool
}

// cmdFree mirrors procps-ng free (4.0.2, Debian 12), computed from
// /proc/meminfo as it does: used = total - available, buff/cache = Buffers +
// Cached + SReclaimable.
func cmdFree(sh *Shell, inv *Invocation) int {
	o := freeOptions{}
	for _, a := range inv.Args {
		if st := o.parse(inv, a); st != 0 {
			return st
		}
	}
	text, err := sh.m.Kernel().ReadProc("/proc/meminfo")
	if err != nil {
		return inv.Errorf("Unable to create meminfo structure")
	}
	m := parseMeminfo(text)
	cache := m["Cached"] + m["SReclaimable"]
	used := m["MemTotal"] - min(m["MemAvailable"], m["MemTotal"])
	if _, ok := m["MemAvailable"]; !ok {
		used = m["MemTotal"] - m["MemFree"] - m["Buffers"] - cache
	}
	head := "               total        used        free      shared  buff/cache   available"
	mem := []uint64{m["MemTotal"], used, m["MemFree"], m["Shmem"], m["Buffers"] + cache, m["MemAvailable"]}
	if o.wide {
		head = "               total        used        free      shared     buffers       cache   available"
		mem = []uint64{m["MemTotal"], used, m["MemFree"], m["Shmem"], m["Buffers"], cache, m["MemAvailable"]}
	}
	swapUsed := m["SwapTotal"] - min(m["SwapFree"], m["SwapTotal"])
	fmt.Fprintln(inv.Stdout, head)
	o.row(inv, "Mem:", mem...)
	o.row(inv, "Swap:", m["SwapTotal"], swapUsed, m["SwapFree"])
	if o.total {
		o.row(inv, "Total:", m["MemTotal"]+m["SwapTotal"], used+swapUsed, m["MemFree"]+m["SwapFree"])
	}
	return 0
}

func (o *freeOptions) parse(inv *Invocation, a string) int {
	units := map[string]int{"-b": 1, "--bytes": 1, "-k": 2, "--kibi": 2, "-m": 3, "--mebi": 3, "-g": 4, "--gibi": 4}
	switch {
	case units[a] != 0:
		o.exponent = units[a]
	case a == "-h" || a == "--human":
		o.human = true
	case a == "--si":
		o.si = true
	case a == "-w" || a == "--wide":
		o.wide = true
	case a == "-t" || a == "--total":
		o.total = true
	case strings.HasPrefix(a, "--"):
		return usageError(inv, "unrecognized option '%s'", a)
	case len(a) > 2 && a[0] == '-':
		for _, c := range a[1:] {
			if st := o.parse(inv, "-"+string(c)); st != 0 {
				return st
			}
		}
	default:
		return usageError(inv, "invalid option -- '%s'", strings.TrimPrefix(a, "-"))
	}
	return 0
}

func (o *freeOptions) row(inv *Invocation, label string, kib ...uint64) {
	fmt.Fprintf(inv.Stdout, "%-7s", label)
	for _, v := range kib {
		fmt.Fprintf(inv.Stdout, " %11s", o.scale(v))
	}
	fmt.Fprintln(inv.Stdout)
}

// scale mirrors free's scale_size(): a size in KiB in the chosen unit, or,
// with -h, the shortest form that fits ("123Mi", "1.5Gi", "512B").
func (o *freeOptions) scale(kib uint64) string {
	base := 1024.0
	if o.si {
		base = 1000.0
	}
	bytes := float64(kib) * 1024
	if !o.human {
		switch o.exponent {
		case 0:
			return strconv.FormatUint(uint64(bytes/base), 10)
		case 1:
			return strconv.FormatUint(kib*1024, 10)
		}
		return strconv.FormatUint(uint64(bytes/pow(base, o.exponent-1)), 10)
	}
	if s := fmt.Sprintf("%dB", kib*1024); len(s) <= 4 {
		return s
	}
	suffix, limit := "i", 5
	if o.si {
		suffix, limit = "", 4
	}
	var s string
	for i, up := range "KMGTP" {
		v := bytes / pow(base, i+1)
		if s = fmt.Sprintf("%.1f%c%s", v, up, suffix); len(s) <= limit {
			return s
		}
		if s = fmt.Sprintf("%d%c%s", int64(v), up, suffix); len(s) <= limit {
			return s
		}
	}
	return s
}

func pow(base float64, n int) float64 {
	r := 1.0
	for range n {
		r *= base
	}
	return r
}

// cmdTee mirrors coreutils tee: standard input to standard output and to
// each FILE (-a appends). `echo scan | sudo tee /sys/kernel/debug/kmemleak`
// is how a user writes a root-only file from a user's shell.
func cmdTee(sh *Shell, inv *Invocation) int {
	args, appendMode := inv.Args, false
	if len(args) > 0 && args[0] == "-a" {
		args, appendMode = args[1:], true
	}
	inv.Stdout.Write(inv.Stdin)
	status := 0
	for _, f := range args {
		if err := sh.WriteFile(f, inv.Stdin, appendMode); err != nil {
			status = inv.Errorf("%s: %s", f, errText(err))
		}
	}
	return status
}
