package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fullWriter is a disk with no room left, as /dev/full is.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestWriteErrorReported checks that output that cannot be written is
// reported on stderr with exit status 74, whatever the command would have
// returned, as coreutils report "write error" rather than exit 0.
func TestWriteErrorReported(t *testing.T) {
	subs := t.TempDir()
	src, err := os.ReadFile("../../lessons/exercises/03_atomic.solution.star")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(subs, "s.star"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"grade", "--in-process", "--lesson", "../../lessons/03_atomic.yaml", subs},
		{"grade", "--in-process", "--format", "json", "--lesson", "../../lessons/03_atomic.yaml", subs},
		{"test", "../../lessons/01_kmalloc.yaml"},
		{"--version"},
		{"--help"},
		{"run", "--help"},
		{"doc", "kmalloc"},
		{"lessons"},
		{"run", "../../lessons/01_kmalloc.star"},
		{"run", "../../lessons/exercises/01_kmalloc.star"}, // the starter: exit 1, and 74 on a full disk
	} {
		var stderr bytes.Buffer
		code := kscriptMain(args, strings.NewReader(""), fullWriter{}, &stderr)
		if code != exitIO {
			t.Errorf("kscript %s > full disk: exit %d, want %d; stderr:\n%s", strings.Join(args, " "), code, exitIO, stderr.String())
		}
		if want := "kscript: write error: " + syscall.ENOSPC.Error() + "\n"; !strings.HasSuffix(stderr.String(), want) {
			t.Errorf("kscript %s > full disk: stderr %q, want it to end in %q", strings.Join(args, " "), stderr.String(), want)
		}
	}
}

// TestWriteErrorKeepsUsageStatus checks that a usage error keeps its own
// status (2) when its help could not be printed either.
func TestWriteErrorKeepsUsageStatus(t *testing.T) {
	var stderr bytes.Buffer
	if code := kscriptMain([]string{"--bogus"}, strings.NewReader(""), fullWriter{}, &stderr); code != exitUsage {
		t.Errorf("kscript --bogus: exit %d, want %d", code, exitUsage)
	}
}

func TestOutWriterKeepsFirstError(t *testing.T) {
	first := errors.New("first")
	o := &outWriter{w: errWriter{first}}
	o.Write([]byte("a"))
	o.w = errWriter{errors.New("second")}
	o.Write([]byte("b"))
	if o.writeError() != first {
		t.Errorf("writeError() = %v, want the first error", o.writeError())
	}
	if _, ok := o.file(); ok {
		t.Errorf("file() of a non-file writer reports a file")
	}
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }
