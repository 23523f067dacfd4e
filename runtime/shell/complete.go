package shell

import (
	"path"
	"sort"
	"strings"
)

// Complete returns what Tab offers at the end of line, as bash's
// programmable completion on Debian does for the workshop's commands: the
// word being completed and its candidates (each a whole word ending in " ",
// or in "/" for a directory). The first word of a command completes to
// command names (or ./PROGRAM); rmmod's argument to a loaded module's name;
// insmod's and modinfo's to the NAME.ko files of the working directory; any
// other argument to a path (/proc/… and /dev/… included).
func (sh *Shell) Complete(line string) (word string, cands []string) {
	start := strings.LastIndexAny(line, " \t|;&<>") + 1
	word = line[start:]
	prev := commandWords(line[:start])
	switch {
	case len(prev) == 0 && !strings.Contains(word, "/"):
		cands = sh.completeCommand(word)
	case len(prev) == 0:
		cands = sh.completePath(word, func(e dirEntry) bool { return e.dir || e.exec })
	case prev[0] == "rmmod":
		cands = completeWords(word, sh.loadedModules())
	case prev[0] == "insmod" || prev[0] == "modinfo":
		cands = sh.completePath(word, func(e dirEntry) bool { return e.dir || strings.HasSuffix(e.name, ".ko") })
	case prev[0] == "help":
		cands = completeWords(word, sh.Commands())
	case prev[0] == "cd":
		cands = sh.completePath(word, func(e dirEntry) bool { return e.dir })
	default:
		cands = sh.completePath(word, nil)
	}
	return word, cands
}

// commandWords returns the words of the command the cursor is in, before
// the word being completed, without a leading sudo.
func commandWords(before string) []string {
	if i := strings.LastIndexAny(before, "|;&"); i >= 0 {
		before = before[i+1:]
	}
	argv, _ := stripSudo(strings.Fields(before))
	return argv
}

func (sh *Shell) completeCommand(word string) []string {
	names := append(sh.Commands(), "sudo")
	return completeWords(word, names)
}

// completeWords returns the names that start with word, each with a space.
func completeWords(word string, names []string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, word) {
			out = append(out, n+" ")
		}
	}
	sort.Strings(out)
	return out
}

// completePath completes word as a path in the simulated file tree; keep,
// if not nil, says which entries fit the command (directories always do).
func (sh *Shell) completePath(word string, keep func(dirEntry) bool) []string {
	dir, base := path.Split(word)
	entries, ok := sh.readDir(sh.abs(dir))
	if dir == "" {
		entries, ok = sh.readDir(sh.cwd)
	}
	if !ok {
		return nil
	}
	var out []string
	for _, e := range entries {
		if !strings.HasPrefix(e.name, base) || keep != nil && !keep(e) {
			continue
		}
		if strings.HasPrefix(e.name, ".") && !strings.HasPrefix(base, ".") {
			continue
		}
		suffix := " "
		if e.dir {
			suffix = "/"
		}
		out = append(out, dir+e.name+suffix)
	}
	return out
}

// loadedModules lists the loaded modules' names from /proc/modules.
func (sh *Shell) loadedModules() []string {
	text, _ := sh.m.Kernel().ReadProc("/proc/modules")
	var names []string
	for _, l := range strings.Split(text, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return names
}
