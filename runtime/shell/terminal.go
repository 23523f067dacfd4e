//go:build !js

package shell

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/chzyer/readline"
)

// Terminal is the LineReader of an interactive session on a real terminal:
// github.com/chzyer/readline gives Emacs-style line editing (Left/Right,
// Home/End, Ctrl-A/E/K/U/W, Ctrl-R search), Up/Down history, Tab
// completion from Shell.Complete, and UTF-8 input whose display width it
// computes (Thai combining vowels take no column). The terminal is in raw
// mode only while a line is read, so Ctrl-C during a command is the
// terminal's SIGINT.
type Terminal struct {
	rl      *readline.Instance
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
	rl, err := readline.NewEx(&readline.Config{
		Prompt:                 sh.Prompt(),
		HistoryFile:            historyFile,
		HistoryLimit:           1000, // Debian's .bashrc: HISTSIZE=1000
		DisableAutoSaveHistory: true,
		AutoComplete:           completer{sh},
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
	return &Terminal{rl: rl, history: historyFile}, nil
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

// completer adapts Shell.Complete to readline, which wants the candidates'
// remainders after the word typed so far.
type completer struct{ sh *Shell }

func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	word, cands := c.sh.Complete(string(line[:pos]))
	n := len([]rune(word))
	out := make([][]rune, 0, len(cands))
	for _, cand := range cands {
		out = append(out, []rune(strings.TrimPrefix(cand, word)))
	}
	return out, n
}
