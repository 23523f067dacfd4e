package main

import (
	"bytes"
	"testing"
	"time"

	"kscript.dev/kscript/runtime/grade"
)

// TestDrawBar: the bar counts what is done, and names the submission it
// waits on once that one has been graded for slowAfter, in the user's
// language; each drawing ends by clearing the rest of the line.
func TestDrawBar(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    grade.Progress
		lang string
		want string
	}{
		{"counting", grade.Progress{Done: 150, Total: 301}, "en",
			"\r[##############                ] 150/301\033[K"},
		{"not slow yet", grade.Progress{Done: 300, Total: 301, Waiting: "subs/alice.star", For: slowAfter - time.Millisecond}, "en",
			"\r[############################# ] 300/301\033[K"},
		{"slow", grade.Progress{Done: 300, Total: 301, Waiting: "subs/alice.star", For: 22*time.Second + 400*time.Millisecond}, "en",
			"\r[############################# ] 300/301  still grading subs/alice.star (22 s)\033[K"},
		{"slow in Thai", grade.Progress{Done: 3, Total: 10, Waiting: "subs/บุญมี.star", For: slowAfter}, "th",
			"\r[#########                     ]  3/10  ยังตรวจ subs/บุญมี.star อยู่ (2 วินาที)\033[K"},
		{"long path", grade.Progress{Done: 1, Total: 2, Waiting: "/srv/course/2026/submissions/6412345678_somchai/lab03/krealloc.star", For: 3 * time.Second}, "en",
			"\r[###############               ] 1/2  still grading …/lab03/krealloc.star (3 s)\033[K"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			drawBar(&b, tc.p, tc.lang)
			if b.String() != tc.want {
				t.Errorf("drawBar:\n got %q\nwant %q", b.String(), tc.want)
			}
		})
	}
}
