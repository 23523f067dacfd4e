package plainfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestReadFileAsOS: ReadFile gives what os.ReadFile gives, data and error
// text, for the files a run may be pointed at: regular files of every
// size around its buffer's steps, an empty one, files whose size stat does
// not tell (/proc), a directory, a missing file, a path through a file,
// symbolic links (good and dangling) and /dev/null (a named pipe:
// TestReadFIFOAsOS).
func TestReadFileAsOS(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	add := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
		return p
	}
	for _, n := range []int{0, 1, 511, 512, 513, 4095, 4096, 4097, 1 << 16, 1<<20 + 1} {
		add(fmt.Sprint("f", n), bytes.Repeat([]byte{'a' + byte(n%26)}, n))
	}
	regular := add("regular.star", []byte("MODULE_LICENSE(\"GPL\")\n"))
	link := filepath.Join(dir, "link.star")
	if err := os.Symlink(regular, link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling.star")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	paths = append(paths, link, dangling, sub, filepath.Join(dir, "missing"),
		filepath.Join(regular, "x"), os.DevNull, "")
	if runtime.GOOS == "linux" {
		paths = append(paths, "/proc/self/cmdline", "/proc/version")
	}
	for _, p := range paths {
		got, gotErr := ReadFile(p)
		want, wantErr := os.ReadFile(p)
		if !bytes.Equal(got, want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("%s: %d bytes, %v; os.ReadFile: %d bytes, %v", p, len(got), gotErr, len(want), wantErr)
		}
	}
}
