package main

import (
	"testing"

	"github.com/fatih/color"

	"kscript.dev/kscript/runtime/scenario"
)

// TestPainterSameAsFatihColor: the summary's colours are the escape
// sequences github.com/fatih/color wrote for them, and none when colour is
// off.
func TestPainterSameAsFatihColor(t *testing.T) {
	want := map[scenario.Style]*color.Color{
		scenario.Heading: color.New(color.Bold, color.FgCyan),
		scenario.Good:    color.New(color.FgGreen),
		scenario.Bad:     color.New(color.Bold, color.FgRed),
		scenario.Detail:  color.New(color.FgYellow),
	}
	defer func(saved bool) { noColor = saved }(noColor)
	for _, off := range []bool{false, true} {
		noColor = off
		paint := painter()
		for s := scenario.Plain; s <= scenario.Detail+1; s++ {
			text := "== kscript: health summary =="
			expected := text
			if c, ok := want[s]; ok {
				if off {
					c.DisableColor()
				} else {
					c.EnableColor()
				}
				expected = c.Sprint(text)
			}
			if got := paint(s, text); got != expected {
				t.Errorf("style %d, noColor=%v: %q, want %q", s, off, got, expected)
			}
		}
	}
}
