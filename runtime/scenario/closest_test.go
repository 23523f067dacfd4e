package scenario

import (
	"testing"

	"kscript.dev/kscript/runtime/lesson"
)

func TestClosest(t *testing.T) {
	log := []string{
		"hello_kmalloc: loading out-of-tree module taints kernel.",
		"Loading hello_kmalloc module...",
		"Allocated buffer contains: Hello from the kernal!",
		"Memory freed. Exiting module.",
	}
	tests := []struct {
		name  string
		m     lesson.Matcher
		lines []string
		want  string
	}{
		{"a typo", lesson.Matcher{Text: "Allocated buffer contains: Hello from the kernel!"}, log,
			`closest: "Allocated buffer contains: Hello from the kernal!"`},
		{"a placeholder", lesson.Matcher{Text: "Loading hello_kmalloc module {{num}}"}, log,
			`closest: "Loading hello_kmalloc module..."`},
		{"a regexp", lesson.Matcher{Re: `^Memory freed\. Exiting`}, log[:3],
			`none comes close; the last lines: "Loading hello_kmalloc module...", "Allocated buffer contains: Hello from the kernal!"`},
		{"nothing printed", lesson.Matcher{Text: "x"}, nil, "the programs printed nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := closest(&tt.m, tt.lines, "stdout-empty")
			if got.EN != tt.want {
				t.Errorf("got  %s\nwant %s", got.EN, tt.want)
			}
			if got.TH == "" || got.TH == got.EN {
				t.Errorf("no Thai: %q", got.TH)
			}
		})
	}
}

func TestDice(t *testing.T) {
	if d := dice(bigrams("kmalloc"), bigrams("kmalloc")); d != 1 {
		t.Errorf("equal strings: %v, want 1", d)
	}
	if d := dice(bigrams("abc"), bigrams("xyz")); d != 0 {
		t.Errorf("disjoint strings: %v, want 0", d)
	}
	if d := dice(bigrams(""), bigrams("")); d != 0 {
		t.Errorf("empty strings: %v, want 0", d)
	}
}
