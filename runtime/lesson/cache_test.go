package lesson

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withCache points Load at a fresh cache folder for the test.
func withCache(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	SetCacheDir(dir)
	t.Cleanup(func() { SetCacheDir("") })
	return dir
}

// cached lists the lesson cache files of dir.
func cached(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "lesson-*.bin"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// asJSON shows a lesson's exported fields (positions, parsed steps and
// all) for comparing two of them.
func asJSON(t *testing.T, l *Lesson) string {
	t.Helper()
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCacheSameAsDecode: every lesson file of the repository (full and
// shipped forms, and the test's good lesson) loads from its cache file as
// it decodes from YAML, and the second Load does read the cache file.
func TestCacheSameAsDecode(t *testing.T) {
	files, _ := filepath.Glob("../../lessons/*.yaml")
	public, _ := filepath.Glob("../../lessons/public/*.yaml")
	files = append(append(files, public...), "testdata/good/03_atomic.yaml")
	if len(files) < 25 {
		t.Fatalf("found %d lesson files", len(files))
	}
	dir := withCache(t)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Decode(f, src)
		if err != nil {
			t.Fatal(err)
		}
		name := cacheFile(src)
		if _, err := os.Stat(name); err == nil {
			t.Fatalf("%s: a cache file before the first Load", f)
		}
		first, err := Load(f) // decodes and writes the cache file
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(name); err != nil {
			t.Fatalf("%s: no cache file after Load: %v", f, err)
		}
		second, err := Load(f) // reads it
		if err != nil {
			t.Fatal(err)
		}
		w := asJSON(t, want)
		for i, got := range []*Lesson{first, second} {
			if g := asJSON(t, got); g != w {
				t.Errorf("%s: Load %d differs from Decode:\n got %.300s\nwant %.300s", f, i+1, g, w)
			}
			if got.SourceLine(3) != want.SourceLine(3) || got.File != f || got.Script != want.Script {
				t.Errorf("%s: Load %d: file, script or source differ", f, i+1)
			}
			if e := got.Expect; e != nil && len(e.Dmesg) > 0 {
				m, wm := e.Dmesg[0], want.Expect.Dmesg[0]
				if m.lit != wm.lit || m.litWhole != wm.litWhole || len(m.anyOf) != len(wm.anyOf) || (m.re == nil) != (wm.re == nil) {
					t.Errorf("%s: Load %d: dmesg[0] not compiled as Decode's", f, i+1)
				}
			}
		}
	}
	if n := len(cached(t, dir)); n != len(files) {
		t.Errorf("%d cache files for %d lesson files", n, len(files))
	}

	// The second Load reads the cache file: a changed title there shows.
	f := "testdata/good/03_atomic.yaml"
	src, _ := os.ReadFile(f)
	name := cacheFile(src)
	if _, err := os.Stat(name); err != nil {
		t.Fatal(err)
	}
	changed, err := Decode(f, src)
	if err != nil {
		t.Fatal(err)
	}
	changed = &Lesson{ID: changed.ID, Title: Text{EN: changed.Title.EN, TH: "จากแคช"}, Scenario: changed.Scenario[:1]}
	changed.Scenario[0].Script = nil // as the decoder leaves it
	b := encodeCached(changed)
	if b == nil {
		t.Fatal("encodeCached: nil")
	}
	writeCached(name, b)
	if b, err = os.ReadFile(name); err != nil {
		t.Fatal(err)
	}
	if l, err := Load(f); err != nil || l.Title.TH != "จากแคช" {
		t.Fatalf("Load did not read the cache file: %v, %+v", err, l)
	}
	// Another lesson's cache file copied onto this one's name is not
	// believed (it held another lesson's checks), nor is a damaged one: the
	// file is decoded again.
	other := cacheFile([]byte("another lesson file"))
	writeCached(other, encodeCached(changed)) // the changed lesson, kept for other bytes
	ob, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	for _, damaged := range [][]byte{ob, b[:len(b)-1], append(b[:len(b):len(b)], 0), []byte(cacheMagic + "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"), []byte("kscript lesson cache 1\n" + string(b[len(cacheMagic):]))} {
		if err := os.WriteFile(name, damaged, 0o644); err != nil {
			t.Fatal(err)
		}
		if l, err := Load(f); err != nil || l.Title.TH != "อะตอม" {
			t.Fatalf("Load with a damaged cache file: %v, %+v", err, l)
		}
	}
}

// TestCacheNotForProblems: a file with problems is not cached, and Load
// reports them exactly as Decode does, every time.
func TestCacheNotForProblems(t *testing.T) {
	dir := withCache(t)
	files, _ := filepath.Glob("testdata/broken/*.yaml")
	files = append(files, "testdata/multi_problems.yaml")
	if len(files) < 10 {
		t.Fatalf("found %d broken lesson files", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, want := Decode(f, src)
		if want == nil {
			t.Fatalf("%s: decodes without a problem", f)
		}
		for i := 1; i <= 2; i++ {
			if _, err := Load(f); err == nil || err.Error() != want.Error() {
				t.Errorf("%s: Load %d: %v\nwant %v", f, i, err, want)
			}
		}
	}
	if c := cached(t, dir); len(c) != 0 {
		t.Errorf("files with problems were cached: %q", c)
	}
}

// TestCachePrune: the folder keeps the newest maxCached lesson files and
// leaves other files alone.
func TestCachePrune(t *testing.T) {
	dir := t.TempDir()
	for i := range maxCached + 5 {
		name := filepath.Join(dir, "lesson-"+strings.Repeat("0", 3)+string(rune('a'+i%26))+string(rune('a'+i/26))+".bin")
		if err := os.WriteFile(name, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	other := filepath.Join(dir, "boot-1.img")
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	pruneCache(dir)
	if n := len(cached(t, dir)); n != maxCached {
		t.Errorf("%d lesson files kept, want %d", n, maxCached)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("a boot image was removed: %v", err)
	}
}
