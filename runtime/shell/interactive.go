package shell

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	kruntime "kscript.dev/kscript/runtime"
)

// LineReader reads command lines typed on a terminal, with line editing,
// history and completion (terminal.go wraps a readline library). ReadLine
// returns ErrInterrupt when Ctrl-C cancels the line and io.EOF for Ctrl-D on
// an empty line.
type LineReader interface {
	ReadLine(prompt string) (string, error)
}

// ErrInterrupt is a LineReader's answer to Ctrl-C: the line is dropped.
var ErrInterrupt = errors.New("interrupt")

// Interactive reads command lines from a terminal and runs them until `exit`
// or Ctrl-D, as an interactive bash does: bash's prompt, errors printed and
// the shell goes on, a line with an open quote continuing after "> ", Ctrl-C
// dropping the line (status 130), every line kept in the history (as with
// Debian's HISTCONTROL=ignoreboth, not blank lines, lines starting with a
// space, or repeats). A
// running command stopped by Ctrl-C (the machine's Interrupt) ends with a
// new line and status 130; the machine and its loaded modules stay. It
// returns the status of the last command.
func (sh *Shell) Interactive(lr LineReader, out, errOut io.Writer) int {
	var pending strings.Builder
	for !sh.exited {
		prompt := sh.Prompt()
		if pending.Len() > 0 {
			prompt = "> "
		}
		line, err := lr.ReadLine(prompt)
		switch {
		case errors.Is(err, ErrInterrupt):
			pending.Reset()
			sh.status = 130
			continue
		case err != nil:
			fmt.Fprintln(out, "exit")
			return sh.exitStatus()
		}
		pending.WriteString(line + "\n")
		src := pending.String()
		s, perr := Parse(src)
		if perr != nil && needsMore(perr) {
			continue
		}
		pending.Reset()
		if typed := strings.TrimSuffix(src, "\n"); sh.addHistory(typed) {
			if h, ok := lr.(historian); ok {
				h.AddHistory(typed)
			}
		}
		sh.runTyped(s, perr, out, errOut)
	}
	return sh.exitStatus()
}

// RunInput runs the command lines read from in, a file or a pipe: as bash
// does when its standard input is not a terminal, there is no prompt, no
// history and no "exit" at the end.
func (sh *Shell) RunInput(in io.Reader, out, errOut io.Writer) int {
	r := bufio.NewReader(in)
	var pending strings.Builder
	for !sh.exited {
		line, err := r.ReadString('\n')
		pending.WriteString(line)
		if err != nil && line == "" {
			break
		}
		s, perr := Parse(pending.String())
		if perr != nil && err == nil && needsMore(perr) {
			continue
		}
		pending.Reset()
		sh.runTyped(s, perr, out, errOut)
	}
	return sh.exitStatus()
}

// runTyped runs one parsed command line of an interactive session: errors
// are printed and the session goes on.
func (sh *Shell) runTyped(s *Script, perr error, out, errOut io.Writer) {
	if perr != nil {
		fmt.Fprintf(errOut, "bash: %s\n", perr.(*SyntaxError).Msg)
		sh.status = 2
		return
	}
	_, err := sh.RunScript(s, out, errOut)
	var le *kruntime.LimitError
	switch {
	case errors.As(err, &le) && le.Limit == "interrupt":
		// The terminal echoed ^C; bash ends the line and gives a prompt.
		fmt.Fprintln(out)
		sh.status = 130
	case err != nil:
		fmt.Fprintln(errOut, err)
		sh.writeNotes(errOut, err)
	}
}

// writeNotes prints kscript's notes under a script error (its Thai text,
// a hint for a Python or C habit), reading the script from the working
// directory.
func (sh *Shell) writeNotes(w io.Writer, err error) {
	var src []byte
	if file, _, ok := strings.Cut(err.Error(), ":"); ok {
		src = sh.files[path.Join(Dir, path.Base(file))]
	}
	for _, n := range kruntime.ErrorNotes(err, src) {
		if s := n.In(sh.Lang); s != "" {
			fmt.Fprintln(w, "kscript: "+s)
		}
	}
}

func (sh *Shell) exitStatus() int {
	if sh.exited {
		return sh.exit
	}
	return sh.status
}

// needsMore reports whether a parse error only says the text is incomplete.
func needsMore(err error) bool {
	var se *SyntaxError
	return errors.As(err, &se) && (strings.HasPrefix(se.Msg, "unexpected EOF") ||
		se.Msg == "syntax error: unexpected end of file")
}

// addHistory appends a line typed at the prompt to the history that
// `history` lists; as with bash's HISTCONTROL=ignoreboth (Debian's
// .bashrc), blank lines, lines starting with a space and repeats are not
// kept.
func (sh *Shell) addHistory(line string) bool {
	if strings.TrimSpace(line) == "" || strings.HasPrefix(line, " ") {
		return false
	}
	if n := len(sh.history); n > 0 && sh.history[n-1] == line {
		return false
	}
	sh.history = append(sh.history, line)
	return true
}

// historian is a LineReader that keeps its own Up/Down history.
type historian interface{ AddHistory(line string) }

// SetHistory sets the history from before this session (the history file).
func (sh *Shell) SetHistory(lines []string) { sh.history = append([]string(nil), lines...) }

// History returns the lines typed so far, oldest first.
func (sh *Shell) History() []string { return sh.history }
