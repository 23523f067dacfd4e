package shell

import (
	"strings"
	"testing"
)

// words flattens a parsed script to "cmd arg|cmd arg ; next" form, with
// variables as $NAME and quoted parts in «», to compare structure.
func render(s *Script) string {
	var lists []string
	for _, l := range s.Lists {
		var b strings.Builder
		for i, pl := range l.Pipelines {
			if i > 0 {
				b.WriteString(" " + l.Ops[i-1] + " ")
			}
			var cmds []string
			for _, c := range pl.Cmds {
				var ws []string
				for _, w := range c.Words {
					ws = append(ws, renderWord(w))
				}
				for _, r := range c.Redirs {
					ws = append(ws, string(rune('0'+r.Fd))+r.Op+renderWord(r.Target))
				}
				cmds = append(cmds, strings.Join(ws, " "))
			}
			b.WriteString(strings.Join(cmds, "|"))
		}
		lists = append(lists, b.String())
	}
	return strings.Join(lists, " ; ")
}

func renderWord(w Word) string {
	var b strings.Builder
	for _, p := range w.Parts {
		switch {
		case p.Var:
			b.WriteString("$" + p.Text)
		case p.Quoted:
			b.WriteString("«" + p.Text + "»")
		default:
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"words", "insmod hello.ko  buffer_size=64", "insmod hello.ko buffer_size=64"},
		{"pipe", "sudo dmesg | tail -n 3", "sudo dmesg|tail -n 3"},
		{"pipes without spaces", "dmesg|grep a|head", "dmesg|grep a|head"},
		{"semicolons and newlines", "make; insmod a.ko\nlsmod", "make ; insmod a.ko ; lsmod"},
		{"and or", "insmod a.ko && echo ok || echo failed", "insmod a.ko && echo ok || echo failed"},
		{"single quotes", `grep 'major number (\d+)'`, `grep «major number (\d+)»`},
		{"double quotes with a variable", `echo "major $MAJOR."`, `echo «»«major »$MAJOR«.»`},
		{"braced variable and status", `echo ${MAJOR}0 $?`, `echo $MAJOR0 $?`},
		{"dollar alone is literal", `echo cost: $ 5`, `echo cost: $ 5`},
		{"backslash escapes", `echo a\ b \$HOME`, `echo a« »b «$»HOME`},
		{"redirections", "echo hi > /dev/x 2>&1", "echo hi 1>/dev/x 2>&1"},
		{"append and stderr", "echo a >>log 2>/dev/null", "echo a 1>>log 2>/dev/null"},
		{"input", "grep a < /proc/modules", "grep a 0</proc/modules"},
		{"hash comment", "dmesg # show the log\nlsmod", "dmesg ; lsmod"},
		{"hash inside a word", "echo a#b", "echo a#b"},
		{"workshop dash comment", "-- build kernel\nmake", "make"},
		{"dash dash as an argument", "grep -- -x", "grep -- -x"},
		{"line continuation", "echo a \\\n b", "echo a b"},
		{"newline after pipe", "dmesg |\n tail", "dmesg|tail"},
		{"empty", "  \n ; \n", ""},
		{"thai text", `echo "สวัสดี ครับ"`, `echo «»«สวัสดี ครับ»`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.src, err)
			}
			if got := render(s); got != tt.want {
				t.Errorf("Parse(%q) = %s, want %s", tt.src, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"double pipe gap", "dmesg | | tail", "1:9: syntax error near unexpected token `|'"},
		{"leading pipe", "| tail", "1:1: syntax error near unexpected token `|'"},
		{"trailing pipe", "dmesg |", "1:8: syntax error: unexpected end of file"},
		{"unterminated single quote", "grep 'abc", "1:6: unexpected EOF while looking for matching `''"},
		{"unterminated double quote", "echo a\necho \"x", "2:6: unexpected EOF while looking for matching `\"'"},
		{"redirect without file", "echo a >", "1:9: syntax error: unexpected end of file"},
		{"redirect then pipe", "echo a > | b", "1:10: syntax error near unexpected token `|'"},
		{"background", "insmod a.ko &", "1:13: background jobs (&) are not supported"},
		{"command substitution", "echo $(uname -r)", "1:6: command substitution ($(…)) is not supported"},
		{"backticks", "echo `uname`", "1:6: command substitution (`…`) is not supported"},
		{"subshell", "(make)", "1:1: subshells and ( ) are not supported"},
		{"here document", "cat << EOF", "1:5: here-documents (<<) are not supported"},
		{"bad fd duplication", "echo a >&3", "1:10: only >&1 and >&2 are supported"},
		{"bad substitution", "echo ${A-B}", "1:6: ${…}: bad substitution"},
		{"unterminated brace", "echo ${A", "1:6: unexpected EOF while looking for matching `}'"},
		{"and without right side", "make &&", "1:8: syntax error: unexpected end of file"},
		{"columns count characters", "echo 'ไทย' | | x", "1:14: syntax error near unexpected token `|'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.src)
			if err == nil {
				t.Fatalf("Parse(%q): no error, want %q", tt.src, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse(%q) error = %q, want %q", tt.src, err, tt.want)
			}
		})
	}
}

// FuzzParse checks that any text parses or fails with a positioned error,
// never panics, and that positions stay inside the text.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"make", "sudo dmesg | tail -n 3", `echo "a $B" 'c' > /dev/x`,
		"a && b || c; d\n-- note\n# c", "${A} $? \\\n x", "grep -E 'a|b' < f 2>&1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Parse(src)
		if err != nil {
			se, ok := err.(*SyntaxError)
			if !ok {
				t.Fatalf("Parse(%q): error %T, want *SyntaxError", src, err)
			}
			lines := strings.Count(src, "\n") + 1
			if se.Pos.Line < 1 || se.Pos.Line > lines || se.Pos.Col < 1 {
				t.Fatalf("Parse(%q): position %v outside the text", src, se.Pos)
			}
			return
		}
		sh := &Shell{vars: map[string]string{"A": "x y"}}
		for _, l := range s.Lists {
			for _, pl := range l.Pipelines {
				for _, c := range pl.Cmds {
					for _, w := range c.Words {
						sh.expandWord(w)
					}
				}
			}
		}
	})
}
