package shell

import (
	"fmt"
	"strings"

	"kscript.dev/kscript/kernelsim"
)

// dmesgOptions are the util-linux dmesg options kscript implements.
type dmesgOptions struct {
	clear, print bool // -C / -c clear the buffer; -C does not print
	levels       map[int]bool
	noTime       bool // -t
	decode       bool // -x
	raw          bool // -r
}

// cmdDmesg mirrors util-linux dmesg (2.38, Debian 12) reading the printk
// ring buffer: -c, -C, -l/--level LIST, -t, -x, -r and -k.
func cmdDmesg(sh *Shell, inv *Invocation) int {
	o, status := parseDmesg(inv)
	if status != 0 {
		return status
	}
	if !sh.root { // dmesg_restrict=1 on Debian: syslog(2) needs CAP_SYSLOG
		what := "read"
		if o.clear && !o.print {
			what = "clear"
		}
		fmt.Fprintf(inv.Stderr, "dmesg: %s kernel buffer failed: %s\n", what, kernelsim.EPERM.Error())
		inv.needSudo()
		return 1
	}
	k := sh.m.Kernel()
	if o.print {
		// The records are formatted into one buffer and written at once:
		// a line at a time cost each a string and a call of fmt. The
		// buffer is made for the whole log ("[    0.000000] " and a
		// newline around each text), not grown from nothing: a graded
		// submission's dmesg calls grew theirs through a dozen sizes,
		// 17 KB of garbage for 5 KB of text.
		log := k.Log()
		size := 0
		for _, r := range log {
			size += len(r.Text) + 16
		}
		b := make([]byte, 0, size+size/8)
		for _, r := range log {
			if o.levels == nil || o.levels[r.Level] {
				b = append(o.appendFormat(b, r), '\n')
			}
		}
		if len(b) > 0 {
			inv.Stdout.Write(b)
		}
	}
	if o.clear {
		k.ClearLog()
	}
	return 0
}

// appendFormat appends r as format formats it to b.
func (o *dmesgOptions) appendFormat(b []byte, r kernelsim.LogRecord) []byte {
	if !o.raw && !o.noTime && !o.decode {
		return r.AppendTo(b)
	}
	return append(b, o.format(r)...)
}

func (o *dmesgOptions) format(r kernelsim.LogRecord) string {
	switch {
	case o.raw && o.noTime:
		return fmt.Sprintf("<%d>%s", r.Level, r.Text)
	case o.raw:
		return fmt.Sprintf("<%d>%s", r.Level, r.String())
	}
	s := r.String()
	if o.noTime {
		s = r.Text
	}
	if o.decode {
		s = fmt.Sprintf("%-6s:%-6s: %s", "kern", kernelsim.LevelNames[r.Level], s)
	}
	return s
}

// parseDmesg parses dmesg's arguments as getopt_long does: clusters of short
// options, a level list glued (-lerr) or separate (-l err, --level=err).
func parseDmesg(inv *Invocation) (*dmesgOptions, int) {
	o := &dmesgOptions{print: true}
	args := inv.Args
	for i := 0; i < len(args); i++ {
		a := args[i]
		takeLevels := func(rest string) int {
			if rest == "" {
				if i+1 >= len(args) {
					return usageError(inv, "option requires an argument -- 'l'")
				}
				i++
				rest = args[i]
			}
			return o.setLevels(inv, rest)
		}
		switch {
		case a == "--level" || strings.HasPrefix(a, "--level="):
			if st := takeLevels(strings.TrimPrefix(strings.TrimPrefix(a, "--level"), "=")); st != 0 {
				return nil, st
			}
		case strings.HasPrefix(a, "--"):
			if st := o.long(inv, a); st != 0 {
				return nil, st
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for j := 1; j < len(a); j++ {
				if a[j] == 'l' {
					if st := takeLevels(a[j+1:]); st != 0 {
						return nil, st
					}
					break
				}
				if st := o.short(inv, a[j]); st != 0 {
					return nil, st
				}
			}
		default:
			return nil, usageError(inv, "bad usage")
		}
	}
	return o, 0
}

func (o *dmesgOptions) short(inv *Invocation, c byte) int {
	switch c {
	case 'c':
		o.clear = true
	case 'C':
		o.clear, o.print = true, false
	case 't':
		o.noTime = true
	case 'x':
		o.decode = true
	case 'r':
		o.raw = true
	case 'k':
	default:
		return usageError(inv, "invalid option -- '%c'", c)
	}
	return 0
}

func (o *dmesgOptions) long(inv *Invocation, a string) int {
	short := map[string]byte{"--read-clear": 'c', "--clear": 'C', "--notime": 't',
		"--decode": 'x', "--raw": 'r', "--kernel": 'k'}
	c, ok := short[a]
	if !ok {
		return usageError(inv, "unrecognized option '%s'", a)
	}
	return o.short(inv, c)
}

// setLevels parses a comma-separated list of level names (dmesg -l).
func (o *dmesgOptions) setLevels(inv *Invocation, list string) int {
	if o.levels == nil {
		o.levels = map[int]bool{}
	}
	for _, name := range strings.Split(list, ",") {
		found := false
		for lvl, n := range kernelsim.LevelNames {
			if n == name {
				o.levels[lvl], found = true, true
			}
		}
		if !found {
			return inv.Errorf("unknown level '%s'", name)
		}
	}
	return 0
}
