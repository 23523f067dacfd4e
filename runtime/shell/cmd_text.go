package shell

import (
	"fmt"
	"strconv"
	"strings"
)

// input is one input of a filter: standard input or a named file.
type input struct {
	name string // "" for standard input
	data []byte
}

// readInputs returns the filter's inputs: the named files, else stdin. A
// file that cannot be read is reported as "NAME: FILE: error" and skipped.
func readInputs(sh *Shell, inv *Invocation, files []string) ([]input, bool) {
	if len(files) == 0 {
		return []input{{data: inv.Stdin}}, true
	}
	var ins []input
	ok := true
	for _, f := range files {
		if f == "-" {
			ins = append(ins, input{name: "(standard input)", data: inv.Stdin})
			continue
		}
		data, err := sh.ReadFile(f)
		if err != nil {
			inv.Errorf("%s: %s", f, errText(err))
			ok = false
			continue
		}
		ins = append(ins, input{name: f, data: data})
	}
	return ins, ok
}

// lines splits text into lines without their newlines; a last line without
// a newline still counts, as the text tools treat it.
func lines(data []byte) []string {
	s := string(data)
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

// lineCount parses the N of -n N, -nN, --lines=N or -N; sign is '+' or '-'
// when N carried one.
type lineCount struct {
	n    int
	sign byte
}

// parseCountArgs parses head's and tail's arguments.
func parseCountArgs(inv *Invocation) (lineCount, []string, int) {
	c, files := lineCount{n: 10}, []string(nil)
	args := inv.Args
	for i := 0; i < len(args); i++ {
		a := args[i]
		var val string
		switch {
		case a == "-n" || a == "--lines":
			if i+1 >= len(args) {
				return c, nil, usageError(inv, "option requires an argument -- 'n'")
			}
			i++
			val = args[i]
		case strings.HasPrefix(a, "--lines="):
			val = strings.TrimPrefix(a, "--lines=")
		case strings.HasPrefix(a, "-n"):
			val = a[2:]
		case len(a) > 1 && a[0] == '-' && a[1] >= '0' && a[1] <= '9':
			val = a[1:]
		case a == "-q" || a == "-v":
			continue
		case len(a) > 1 && a[0] == '-':
			return c, nil, usageError(inv, "invalid option -- '%c'", a[1])
		default:
			files = append(files, a)
			continue
		}
		if val != "" && (val[0] == '+' || val[0] == '-') {
			c.sign, val = val[0], val[1:]
		}
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return c, nil, inv.Errorf("invalid number of lines: '%s'", val)
		}
		c.n = n
	}
	return c, files, 0
}

// cmdHead mirrors coreutils head: the first N lines (-n -N: all but the last N).
func cmdHead(sh *Shell, inv *Invocation) int {
	return filterLines(sh, inv, func(c lineCount, ls []string) []string {
		if c.sign == '-' {
			return ls[:max(0, len(ls)-c.n)]
		}
		return ls[:min(c.n, len(ls))]
	})
}

// cmdTail mirrors coreutils tail: the last N lines (-n +N: from line N on).
func cmdTail(sh *Shell, inv *Invocation) int {
	return filterLines(sh, inv, func(c lineCount, ls []string) []string {
		if c.sign == '+' {
			return ls[min(max(c.n-1, 0), len(ls)):]
		}
		return ls[max(0, len(ls)-c.n):]
	})
}

func filterLines(sh *Shell, inv *Invocation, pick func(lineCount, []string) []string) int {
	c, files, status := parseCountArgs(inv)
	if status != 0 {
		return status
	}
	ins, ok := readInputs(sh, inv, files)
	for i, in := range ins {
		if len(ins) > 1 {
			if i > 0 {
				fmt.Fprintln(inv.Stdout)
			}
			fmt.Fprintf(inv.Stdout, "==> %s <==\n", in.name)
		}
		for _, l := range pick(c, lines(in.data)) {
			fmt.Fprintln(inv.Stdout, l)
		}
	}
	if !ok {
		return 1
	}
	return 0
}

// cmdWc mirrors coreutils wc: -l, -w, -c (all three by default).
func cmdWc(sh *Shell, inv *Invocation) int {
	var want []byte
	var files []string
	for _, a := range inv.Args {
		switch {
		case len(a) > 1 && a[0] == '-':
			for i := 1; i < len(a); i++ {
				if strings.IndexByte("lwc", a[i]) < 0 {
					return usageError(inv, "invalid option -- '%c'", a[i])
				}
				want = append(want, a[i])
			}
		default:
			files = append(files, a)
		}
	}
	if len(want) == 0 {
		want = []byte("lwc")
	}
	ins, ok := readInputs(sh, inv, files)
	rows, total := wcCount(ins, want)
	width := 1
	if len(files) > 0 || len(want) > 1 {
		width = 7
	}
	if len(files) > 0 {
		width = len(strconv.Itoa(total))
	}
	for i, r := range rows {
		fmt.Fprintln(inv.Stdout, wcRow(r, width, ins, i))
	}
	if !ok {
		return 1
	}
	return 0
}

func wcCount(ins []input, want []byte) (rows [][]int, total int) {
	for _, in := range ins {
		var row []int
		for _, c := range want {
			var n int
			switch c {
			case 'l':
				n = strings.Count(string(in.data), "\n")
			case 'w':
				n = len(strings.Fields(string(in.data)))
			case 'c':
				n = len(in.data)
			}
			row = append(row, n)
			total = max(total, n)
		}
		rows = append(rows, row)
	}
	return rows, total
}

func wcRow(r []int, width int, ins []input, i int) string {
	parts := make([]string, len(r))
	for j, n := range r {
		parts[j] = fmt.Sprintf("%*d", width, n)
	}
	s := strings.Join(parts, " ")
	if ins[i].name != "" {
		s += " " + ins[i].name
	}
	return s
}
