package scenario

import (
	"bytes"
	"strings"
	"testing"

	"kscript.dev/kscript/kernelsim"
)

func TestWriteReportsCollapsesRepeats(t *testing.T) {
	rep := func(title string, line int) kernelsim.Report {
		return kernelsim.Report{Class: "warning", Title: title, Stack: []kernelsim.Frame{{File: "f.star", Line: line, Func: "f_init"}}}
	}
	flood := func(n int, title string, line int) []kernelsim.Report {
		out := make([]kernelsim.Report, n)
		for i := range out {
			out[i] = rep(title, line)
		}
		return out
	}
	var distinct []kernelsim.Report
	for i := range maxReportLines + 5 {
		distinct = append(distinct, rep("WARNING: x", i+1))
	}
	tests := []struct {
		name  string
		reps  []kernelsim.Report
		lang  string
		want  []string
		lines int
	}{
		{"one", flood(1, "WARNING: a", 3), "en", []string{"warning: WARNING: a (f.star:3 in f_init)"}, 1},
		{"a flood", append(flood(10001, "WARNING: a", 3), rep("WARNING: b", 4)), "en",
			[]string{"warning: WARNING: a (f.star:3 in f_init)", "… the same report 10000 more times", "warning: WARNING: b (f.star:4 in f_init)"}, 3},
		{"one repeat", flood(2, "WARNING: a", 3), "en", []string{"… the same report 1 more time"}, 2},
		{"Thai", flood(5, "WARNING: a", 3), "th", []string{"… รายงานเดิมซ้ำอีก 4 ครั้ง"}, 2},
		{"capped", distinct, "en", []string{"f.star:20 in f_init", "… and 5 more reports not shown"}, maxReportLines + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			line := func(_ Style, s string) { out.WriteString(s + "\n") }
			tr := func(key string, args ...any) string { return messages.T(key, args...).In(tt.lang) }
			writeReports(line, tr, tt.reps)
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("no %q in:\n%s", w, out.String())
				}
			}
			if n := strings.Count(out.String(), "\n"); n != tt.lines {
				t.Errorf("%d lines, want %d:\n%s", n, tt.lines, out.String())
			}
		})
	}
}

func TestUnfinished(t *testing.T) {
	tests := []struct {
		src  string
		want string // English text of the findings, joined by "|"
	}{
		{"def f():\n    # TODO: allocate\n    return 0\n", "the script is unfinished: TODO at line 2. It looks like the exercise's starter; write the missing parts before running it."},
		{"x = 1  # todo later, a TODOS list\n", ""},
		{"def f():\n    NotImplemented()\n", "the script is unfinished: NotImplemented at line 2. Write the missing parts before running it."},
		{"def f():\n    pass  # NotImplemented in a comment only\n", ""},
	}
	for _, tt := range tests {
		var got []string
		for _, f := range unfinished([]byte(tt.src)) {
			got = append(got, f.Text.EN)
		}
		if g := strings.Join(got, "|"); g != tt.want {
			t.Errorf("unfinished(%q) = %q, want %q", tt.src, g, tt.want)
		}
	}
}

func TestCharDevices(t *testing.T) {
	text := "Character devices:\n  1 mem\n246 uaccess_dev\n254 gpiochip\n\nBlock devices:\n  8 sd\n"
	got := strings.Join(charDevices(text), "|")
	if got != "1 mem|246 uaccess_dev|254 gpiochip" {
		t.Errorf("charDevices = %q", got)
	}
}
