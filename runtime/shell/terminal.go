//go:build !js

package shell

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/chzyer/readline"

	"kscript.dev/kscript/runtime/i18n"
)

// Terminal is the LineReader of an interactive session on a real terminal:
// github.com/chzyer/readline gives Emacs-style line editing (Left/Right,
// Home/End, Ctrl-A/E/K/U/W, Ctrl-R search), Up/Down history, Tab
// completion from Shell.Complete (Tab Tab lists, as in bash: see
// completer), and UTF-8 input whose display width it
// computes (Thai combining vowels take no column). The terminal is in raw
// mode only while a line is read, so Ctrl-C during a command is the
// terminal's SIGINT.
type Terminal struct {
	rl      *readline.Instance
	comp    *completer
	history string // the history file, "" for none
}

// HistoryFile is where a user's shell history is kept:
// $XDG_STATE_HOME/kscript/history, else ~/.local/state/kscript/history (the
// XDG base-directory rule for state). It is "" when neither is known.
func HistoryFile(getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "kscript", "history")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "kscript", "history")
	}
	return ""
}

// NewTerminal starts line editing on the terminal in and out for sh, with
// the history kept in historyFile (created if missing; "" for none). The
// lines of the file become sh's history.
func NewTerminal(sh *Shell, in *os.File, out io.Writer, historyFile string) (*Terminal, error) {
	if historyFile != "" {
		if err := os.MkdirAll(filepath.Dir(historyFile), 0o700); err != nil {
			historyFile = ""
		}
	}
	sh.SetHistory(readHistory(historyFile))
	comp := &completer{sh: sh}
	rl, err := readline.NewEx(&readline.Config{
		Prompt:                 sh.Prompt(),
		HistoryFile:            historyFile,
		HistoryLimit:           1000, // Debian's .bashrc: HISTSIZE=1000
		DisableAutoSaveHistory: true,
		AutoComplete:           comp,
		FuncFilterInputRune:    comp.filter,
		FuncGetWidth:           screenWidth,
		InterruptPrompt:        "^C",
		EOFPrompt:              "",
		Stdin:                  in,
		Stdout:                 out,
		Stderr:                 out,
	})
	if err != nil {
		return nil, err
	}
	comp.rl = rl
	return &Terminal{rl: rl, comp: comp, history: historyFile}, nil
}

// screenWidth is the terminal's width in columns, 80 when the terminal
// reports none: a pseudo-terminal nobody sized (script(1) in CI, some
// docker exec -t sessions) says 0 columns, and readline then completes
// nothing and cannot lay out a line.
func screenWidth() int {
	if w := readline.GetScreenWidth(); w > 0 {
		return w
	}
	return 80
}

// ReadLine reads one edited line after prompt.
func (t *Terminal) ReadLine(prompt string) (string, error) {
	t.rl.SetPrompt(prompt)
	t.comp.prompt = prompt
	line, err := t.rl.Readline()
	switch {
	case errors.Is(err, readline.ErrInterrupt):
		return "", ErrInterrupt
	case err != nil:
		return "", io.EOF
	}
	return line, nil
}

// AddHistory keeps a line in the Up/Down history and the history file.
func (t *Terminal) AddHistory(line string) { t.rl.SaveHistory(line) }

// Close gives the terminal back in its original mode.
func (t *Terminal) Close() error { return t.rl.Close() }

// readHistory returns the lines of a history file, or none.
func readHistory(file string) []string {
	if file == "" {
		return nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// completer adapts Shell.Complete to readline as bash's Tab works: one
// Tab completes the word when its candidates agree on more of it (all of
// it for a single one) and rings the bell otherwise; a second Tab in a
// row lists the candidates under the line, which stays as typed, so
// that Enter runs what was typed. (readline's own menu, which a second
// Tab opens and Enter accepts, would run its first candidate instead: the
// completer never gives readline more than one candidate, so the menu
// never opens.)
type completer struct {
	sh     *Shell
	rl     *readline.Instance // set once readline is started
	prompt string             // the prompt of the line being read
	tabs   int                // Tabs typed in a row, counted by filter
}

// filter sees every key before readline does, to count Tabs in a row.
func (c *completer) filter(r rune) (rune, bool) {
	if r == readline.CharTab {
		c.tabs++
	} else {
		c.tabs = 0
	}
	return r, true
}

// Do gives readline the completion of the word before the cursor: the
// rest of the word to insert, or nothing.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	word, cands := c.sh.Complete(string(line[:pos]))
	n := len([]rune(word))
	switch common := commonPrefix(cands); {
	case len(common) > len(word) && strings.HasPrefix(common, word):
		return [][]rune{[]rune(common[len(word):])}, n
	case len(cands) > 1 && c.tabs >= 2:
		c.list(string(line), word, cands)
	default:
		c.rl.Terminal.Bell()
	}
	return nil, n
}

// list writes the candidates in columns under the line as typed, as bash
// does; readline then draws the prompt and the line again below them.
func (c *completer) list(line, word string, cands []string) {
	dir := word[:strings.LastIndex(word, "/")+1]
	names := make([]string, len(cands))
	for i, cand := range cands {
		names[i] = strings.TrimPrefix(strings.TrimSuffix(cand, " "), dir)
	}
	text := c.prompt + line + "\r\n" + columns(names, screenWidth())
	c.rl.Stdout().Write([]byte(text))
}

// columns lays names out as bash lists completions: in columns two spaces
// wider than the widest name, as many as width holds, filled top to
// bottom; each row ends in "\r\n".
func columns(names []string, width int) string {
	colw := 0
	for _, n := range names {
		colw = max(colw, i18n.Width(n)+2)
	}
	cols := max(1, width/colw)
	rows := (len(names) + cols - 1) / cols
	var b strings.Builder
	for r := 0; r < rows; r++ {
		var row strings.Builder
		for i := r; i < len(names); i += rows {
			row.WriteString(i18n.PadRight(names[i], colw))
		}
		b.WriteString(strings.TrimRight(row.String(), " ") + "\r\n")
	}
	return b.String()
}

// commonPrefix is the longest prefix that all cands share.
func commonPrefix(cands []string) string {
	if len(cands) == 0 {
		return ""
	}
	p := cands[0]
	for _, c := range cands[1:] {
		for !strings.HasPrefix(c, p) {
			_, size := utf8.DecodeLastRuneInString(p)
			p = p[:len(p)-size]
		}
	}
	return p
}
