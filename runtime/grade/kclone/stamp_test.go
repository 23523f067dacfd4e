package kclone

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kscript.dev/kscript/kernelsim"
)

// TestImageFileStamp: a file the cache writes bears its stamp; what a
// process checks on every open (the lists and the arenas copied into the
// heap) is checked even then; a file that lost its stamp is checked whole,
// damage in its mapped arenas refused, and stamped again when intact.
func TestImageFileStamp(t *testing.T) {
	snap, dir, c := defaultSnapshotAndCache(t)
	c.Put(snap)
	file := c.file(snap.Config())
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	stamp := stampOf(data)
	modNsec := func() int {
		st, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		return st.ModTime().Nanosecond()
	}
	if got := modNsec(); got != stamp {
		t.Fatalf("a written file's modification time has %d ns past the second, want its stamp %d", got, stamp)
	}
	mapStart := int(binary.LittleEndian.Uint64(data[len(data)-trailerSize:]))
	if mapStart >= len(data)-trailerSize {
		t.Fatal("no mapped arenas: the test tests nothing")
	}
	open := func() error {
		im, err := openImage(file, c.key)
		if err == nil {
			im.file.Close()
		}
		return err
	}
	// damaged writes data with one byte flipped at off, its modification
	// time the stamped one (keep) or another.
	damaged := func(off int, keep bool) {
		t.Helper()
		bad := append([]byte(nil), data...)
		bad[off] ^= 0x10
		if _, err := ParseImage(bad); err == nil {
			t.Fatalf("bytes damaged at %d parsed", off)
		}
		if err := os.WriteFile(file, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		mod := time.Unix(time.Now().Unix(), 0)
		if keep {
			mod = mod.Add(time.Duration(stamp))
		}
		if err := os.Chtimes(file, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	for _, off := range []int{len(imageMagic) + 3, mapStart / 2, mapStart - 1, len(data) - 1} {
		damaged(off, true)
		if open() == nil {
			t.Errorf("a stamped file damaged at %d (before the mapped arenas, or the trailer) opened", off)
		}
	}
	damaged(mapStart+(len(data)-mapStart)/2, false)
	if open() == nil {
		t.Error("a file damaged in its mapped arenas, without its stamp, opened")
	}
	// Intact, touched: checked whole and stamped again.
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if modNsec() == stamp {
		t.Fatal("a rewritten file kept its stamp")
	}
	if err := open(); err != nil {
		t.Fatal(err)
	}
	if got := modNsec(); got != stamp {
		t.Errorf("a file checked whole has %d ns past the second, want its stamp %d", got, stamp)
	}
	if err := open(); err != nil {
		t.Fatal(err)
	}
	// A copy that kept the stamped time of a file stamped an hour ago (cp
	// -p, rsync -a, tar x): its ctime is now, so it is checked whole,
	// refused if damaged in its mapped arenas, and stamped anew if not.
	if changeTimeKnown(t, file) {
		old := time.Unix(time.Now().Add(-time.Hour).Unix(), int64(stamp))
		copied := func(b []byte) {
			t.Helper()
			if err := os.WriteFile(file, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(file, old, old); err != nil {
				t.Fatal(err)
			}
			if modNsec() != stamp {
				t.Fatal("the copy's time lost its stamp")
			}
		}
		bad := append([]byte(nil), data...)
		bad[mapStart+(len(data)-mapStart)/2] ^= 0x10
		copied(bad)
		if open() == nil {
			t.Error("a copy damaged in its mapped arenas, with the stamped time of an hour ago, opened")
		}
		copied(data)
		if err := open(); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if !stamped(st) || st.ModTime().Nanosecond() != stamp || st.ModTime().Before(old.Add(time.Minute)) {
			t.Errorf("an intact copy checked whole: modification time %v, want now with its stamp %d", st.ModTime(), stamp)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "boot-*.img")); len(files) != 1 {
		t.Errorf("image files %v, want one", files)
	}
}

// changeTimeKnown reports whether this system tells a file's ctime.
func changeTimeKnown(t *testing.T, file string) bool {
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	_, ok := changeTime(st)
	return ok
}

// defaultSnapshotAndCache takes a snapshot of the default configuration
// and opens a cache in a folder of the test's own (skipping the test when
// the binary cannot be named, as then nothing is cached).
func defaultSnapshotAndCache(t *testing.T) (*Snapshot, string, *Cache) {
	t.Helper()
	snap, err := Take(kernelsim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := OpenCache(dir)
	if c.exe == "" {
		t.Skip("no binary identity: no cache")
	}
	return snap, dir, c
}
