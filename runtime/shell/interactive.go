package shell

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Prompt is the simulated shell's prompt: root on the kscript machine.
const Prompt = "root@kscript:~# "

// Interactive reads command lines from in and runs them until `exit` or the
// end of the input, as an interactive bash does: errors are printed and the
// shell goes on; a line with an open quote continues on the next line after
// a "> " prompt. It returns the status of the last command.
//
// Unlike bash there is no line editing or history of its own; a terminal's
// cooked mode still allows editing the current line (and `rlwrap kscript
// shell` adds history).
func (sh *Shell) Interactive(in io.Reader, out, errOut io.Writer) int {
	r := bufio.NewReader(in)
	var pending strings.Builder
	for !sh.exited {
		if pending.Len() == 0 {
			fmt.Fprint(out, Prompt)
		} else {
			fmt.Fprint(out, "> ")
		}
		line, err := r.ReadString('\n')
		pending.WriteString(line)
		if err != nil && line == "" {
			fmt.Fprintln(out, "exit")
			break
		}
		src := pending.String()
		s, perr := Parse(src)
		if perr != nil && err == nil && needsMore(perr) {
			continue
		}
		pending.Reset()
		if perr != nil {
			fmt.Fprintf(errOut, "bash: %s\n", perr.(*SyntaxError).Msg)
			sh.status = 2
			continue
		}
		if _, ferr := sh.RunScript(s, out, errOut); ferr != nil {
			fmt.Fprintln(errOut, ferr)
		}
	}
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
