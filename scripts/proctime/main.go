// Command proctime times whole processes: each command runs -n times,
// interleaved round by round so that a change in the machine's load falls on
// every command alike, and the median wall time and CPU time (user and system) of each are printed. Ratios
// between commands measured in one proctime run are what scripts/bench
// reports; absolute figures swing with the load of a shared machine.
//
//	go run ./scripts/proctime -n 31 'help=kscript --help' 'run=kscript run lessons/01_kmalloc.star'
//
// Each argument is NAME=COMMAND; COMMAND is split on spaces (no quoting).
// Output goes to /dev/null; a command that exits non-zero is reported, and
// timed anyway when -allow-fail is given.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

type command struct {
	name       string
	argv       []string
	wall, cpus []time.Duration
}

func main() {
	n := flag.Int("n", 21, "runs per command")
	warm := flag.Int("warmup", 2, "untimed runs per command first (page cache, CPU frequency)")
	allowFail := flag.Bool("allow-fail", false, "time commands that exit non-zero")
	flag.Parse()
	var cmds []*command
	for _, arg := range flag.Args() {
		name, cmdline, ok := strings.Cut(arg, "=")
		if !ok || strings.TrimSpace(cmdline) == "" {
			fmt.Fprintf(os.Stderr, "proctime: %q: want NAME=COMMAND\n", arg)
			os.Exit(2)
		}
		cmds = append(cmds, &command{name: name, argv: strings.Fields(cmdline)})
	}
	if len(cmds) == 0 {
		fmt.Fprintln(os.Stderr, "usage: proctime [-n N] NAME=COMMAND...")
		os.Exit(2)
	}
	for round := 0; round < *warm+*n; round++ {
		for _, c := range cmds {
			wall, cpu, err := runOnce(c.argv)
			if err != nil && !*allowFail {
				fmt.Fprintf(os.Stderr, "proctime: %s: %v\n", c.name, err)
				os.Exit(1)
			}
			if round >= *warm {
				c.wall = append(c.wall, wall)
				c.cpus = append(c.cpus, cpu)
			}
		}
	}
	fmt.Println("name\twall_ms\tcpu_ms")
	for _, c := range cmds {
		fmt.Printf("%s\t%.2f\t%.2f\n", c.name, ms(median(c.wall)), ms(median(c.cpus)))
	}
}

// runOnce runs argv once: its wall time, and the CPU time (user and
// system) it used, which a loaded machine disturbs less.
func runOnce(argv []string) (wall, cpu time.Duration, err error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	if cmd.ProcessState != nil {
		cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	return wall, cpu, err
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
