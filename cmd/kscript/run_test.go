package main

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunSeveralFiles: kscript run A B C prints exactly what kscript run A,
// kscript run B and kscript run C print one after another (each file on a
// fresh machine), and exits with the first non-zero status of the three.
func TestRunSeveralFiles(t *testing.T) {
	lessons, _ := filepath.Glob("../../lessons/*.star")
	if len(lessons) < 10 {
		t.Fatalf("%d lessons, want at least 10", len(lessons))
	}
	tests := []struct {
		name  string
		flags []string
		files []string
	}{
		{"every lesson", []string{"--seed", "3"}, lessons},
		{"Thai, another seed", []string{"--lang", "th", "--seed", "11"}, lessons[:5]},
		{"fault injection, some fail", []string{"--fail", "kmalloc:nth=2"}, lessons},
		{"a missing file between two", nil, []string{lessons[0], "no-such.star", lessons[2]}},
		{"a lesson file named", []string{"--seed", "1"}, []string{strings.TrimSuffix(lessons[1], ".star") + ".yaml", lessons[3]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wantOut, wantErr bytes.Buffer
			wantCode := 0
			for _, f := range tt.files {
				code := kscriptMain(append(append([]string{"run"}, tt.flags...), f), strings.NewReader(""), &wantOut, &wantErr)
				if wantCode == 0 {
					wantCode = code
				}
			}
			var out, errOut bytes.Buffer
			code := kscriptMain(append(append([]string{"run"}, tt.flags...), tt.files...), strings.NewReader(""), &out, &errOut)
			if code != wantCode {
				t.Errorf("exit status %d, want %d (the first non-zero one of the separate runs)", code, wantCode)
			}
			if out.String() != wantOut.String() {
				t.Errorf("stdout differs from the separate runs'\n%s", firstDiff(out.Bytes(), wantOut.Bytes()))
			}
			if errOut.String() != wantErr.String() {
				t.Errorf("stderr differs from the separate runs'\n%s", firstDiff(errOut.Bytes(), wantErr.Bytes()))
			}
		})
	}
}

// TestRunSeveralFilesOneReport: --report writes one file's run.
func TestRunSeveralFilesOneReport(t *testing.T) {
	var out, errOut bytes.Buffer
	code := kscriptMain([]string{"run", "--report", filepath.Join(t.TempDir(), "r.html"), "../../lessons/01_kmalloc.star", "../../lessons/02_kfree.star"},
		strings.NewReader(""), &out, &errOut)
	if code != exitUsage || !strings.Contains(errOut.String(), "--report writes the run of one FILE, got 2 files") {
		t.Errorf("exit %d, stderr %q; want a usage error", code, errOut.String())
	}
}

// TestRunBootImage: the first two runs of a configuration boot, the second
// writes its image to the cache folder; the next runs copy the image. The output is
// the same each way, with the cache off too, and another seed (another
// boot) gets an image of its own.
func TestRunBootImage(t *testing.T) {
	dir := t.TempDir()
	run := func(cache string, args ...string) string {
		var out, errOut bytes.Buffer
		a := newApp(strings.NewReader(""), &out, &errOut)
		a.getenv = func(k string) string {
			switch k {
			case "NO_COLOR":
				return "1"
			case "KSCRIPT_BOOT_CACHE":
				return cache
			}
			return ""
		}
		code := a.main(append([]string{"run"}, args...))
		return fmt.Sprintf("exit %d\n%s--- stderr:\n%s", code, out.String(), errOut.String())
	}
	images := 0
	for _, args := range [][]string{
		{"../../lessons/01_kmalloc.star"},
		{"--seed", "7", "../../lessons/04_alloc_pages.star", "../../lessons/11_memory_bugs.star"},
	} {
		want := run("off", args...)
		for _, what := range []string{"first run (boots)", "second run (boots, writes the image)", "third run (copies the image)"} {
			if got := run(dir, args...); got != want {
				t.Fatalf("%v, %s: differs from a run without the cache\n%s", args, what, firstDiff([]byte(got), []byte(want)))
			}
		}
		// One image per configuration: lesson 11's machine is a lesson's own.
		files, _ := filepath.Glob(filepath.Join(dir, "boot-*.img"))
		if len(files) <= images {
			t.Fatalf("after %v: %d image files, want more than %d", args, len(files), images)
		}
		images = len(files)
	}
	// The lessons' decodes are kept beside the images, and the runs above
	// after the first of each read them: the transcripts are the same.
	if files, _ := filepath.Glob(filepath.Join(dir, "lesson-*.bin")); len(files) != 3 {
		t.Errorf("%d lesson cache files, want 3 (lessons 01, 04 and 11): %q", len(files), files)
	}
}

// BenchmarkRunFiveModules runs the five workshop modules in one kscript run
// in this process, boot images on (TestMain's folder): what a file of a
// several-file run costs beyond the process's start.
func BenchmarkRunFiveModules(b *testing.B) {
	five := []string{"run", "../../lessons/01_kmalloc.star", "../../lessons/03_atomic.star",
		"../../lessons/04_alloc_pages.star", "../../lessons/06_vmalloc.star", "../../lessons/08_copy_from_user.star"}
	if code := kscriptMain(five, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
		b.Fatalf("exit %d", code)
	}
	b.ResetTimer()
	for range b.N {
		kscriptMain(five, strings.NewReader(""), io.Discard, io.Discard)
	}
}
