package shell

import (
	"strconv"
	"strings"
)

// expandWord expands a word's variables as bash does for a simple command's
// arguments: quoted parts stay one field; unquoted variable values are split
// on blanks (field splitting); a word that expands to nothing unquoted
// disappears. Unlike bash, there is no globbing: '*' and '?' stay literal.
func (sh *Shell) expandWord(w Word) []string {
	var fields []string
	var cur strings.Builder
	have := false // cur holds a field, possibly empty but quoted
	for _, part := range w.Parts {
		text := part.Text
		if part.Var {
			text = sh.lookup(part.Text)
		}
		if !part.Var || part.Quoted {
			cur.WriteString(text)
			have = have || part.Quoted || text != ""
			continue
		}
		pieces := strings.Fields(text)
		if len(pieces) == 0 {
			continue
		}
		startsBlank := text[0] == ' ' || text[0] == '\t' || text[0] == '\n'
		if startsBlank && have {
			fields = append(fields, cur.String())
			cur.Reset()
		}
		for i, piece := range pieces {
			if i > 0 {
				fields = append(fields, cur.String())
				cur.Reset()
			}
			cur.WriteString(piece)
		}
		have = true
		if last := text[len(text)-1]; last == ' ' || last == '\t' || last == '\n' {
			fields = append(fields, cur.String())
			cur.Reset()
			have = false
		}
	}
	if have {
		fields = append(fields, cur.String())
	}
	return fields
}

// expandOne expands a word that must be one field, as a redirection target.
func (sh *Shell) expandOne(w Word) string {
	return strings.Join(sh.expandWord(w), " ")
}

// lookup returns a variable's value: $? is the last status; other names are
// the shell's variables (scenario captures), empty when unset as in bash.
func (sh *Shell) lookup(name string) string {
	if name == "?" {
		return strconv.Itoa(sh.status)
	}
	return sh.vars[name]
}
