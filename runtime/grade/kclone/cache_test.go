package kclone

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kscript.dev/kscript/kernelsim"
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
)

// TestCacheSavesAndRestores: a configuration met for the first time boots
// and Save leaves a mark; met a second time, it boots and Save writes its
// image; the next process (another Cache on the folder) copies the image, and its sessions are a fresh boot's, a
// lane's copies too. Another
// seed is another image; a damaged file is ignored and the machine boots.
func TestCacheSavesAndRestores(t *testing.T) {
	dir := t.TempDir()
	l, err := lesson.Load("../../../lessons/01_kmalloc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := run{name: l.ID, script: l.Script, lesson: l}
	for _, cfg := range []kernelsim.Config{{}, {Seed: 7}} {
		fresh := session(t, kruntime.Options{Kernel: cfg}, r)
		first := OpenCache(dir)
		if first.Image(cfg) != nil {
			t.Fatalf("%+v: an image before any was saved", cfg)
		}
		if got := session(t, kruntime.Options{Kernel: cfg, NewKernel: first.NewKernel}, r); got != fresh {
			t.Fatalf("%+v: the first run differs from a fresh boot:\n%s", cfg, firstDiff(got, fresh))
		}
		if err := first.Save(); err != nil {
			t.Fatal(err)
		}
		// A first boot leaves a mark, the second writes the image.
		second := OpenCache(dir)
		if second.Image(cfg) != nil {
			t.Fatalf("%+v: an image after one boot", cfg)
		}
		if got := session(t, kruntime.Options{Kernel: cfg, NewKernel: second.NewKernel}, r); got != fresh {
			t.Fatalf("%+v: the second run differs from a fresh boot:\n%s", cfg, firstDiff(got, fresh))
		}
		if err := second.Save(); err != nil {
			t.Fatal(err)
		}
		next := OpenCache(dir)
		if next.Image(cfg) == nil {
			t.Fatalf("%+v: no image after Save", cfg)
		}
		if got := session(t, kruntime.Options{Kernel: cfg, NewKernel: next.NewKernel}, r); got != fresh {
			t.Fatalf("%+v: the image's run differs from a fresh boot:\n%s", cfg, firstDiff(got, fresh))
		}
		// A lane's copies, each in the memory of the one before it.
		lane := next.Lane()
		for i := range 2 {
			if got := session(t, kruntime.Options{Kernel: cfg, NewKernel: lane.NewKernel}, r); got != fresh {
				t.Fatalf("%+v: lane copy %d differs from a fresh boot:\n%s", cfg, i, firstDiff(got, fresh))
			}
		}
		if err := next.Save(); err != nil { // nothing missed: nothing to do
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "boot-*.img"))
	if len(files) != 2 {
		t.Fatalf("%d image files, want one per seed: %v", len(files), files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x40
	if err := os.WriteFile(files[0], data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseImage(data); err == nil {
		t.Fatal("a damaged image parsed")
	}
	c := OpenCache(dir)
	damaged := 0
	for _, cfg := range []kernelsim.Config{{}, {Seed: 7}} {
		if c.Image(cfg) == nil {
			damaged++
		}
		if _, err := c.NewKernel(cfg); err != nil {
			t.Fatal(err)
		}
	}
	if damaged != 1 {
		t.Errorf("%d configurations without an image, want the damaged one", damaged)
	}
	// The damaged file is replaced: removed when found, marked and
	// written anew by the next two boots.
	if _, err := os.Stat(files[0]); err == nil {
		t.Errorf("the damaged %s is still there", files[0])
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		c := OpenCache(dir)
		for _, cfg := range []kernelsim.Config{{}, {Seed: 7}} {
			c.Image(cfg)
		}
		if err := c.Save(); err != nil {
			t.Fatal(err)
		}
	}
	for _, cfg := range []kernelsim.Config{{}, {Seed: 7}} {
		if OpenCache(dir).Image(cfg) == nil {
			t.Errorf("%+v: no image after the damaged one was written anew", cfg)
		}
	}
}

// TestCachePrunes: the folder keeps the newest maxImages image files.
func TestCachePrunes(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	for i := range maxImages + 3 {
		f := filepath.Join(dir, fmt.Sprintf("boot-%02d.img", i))
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(f, now, now.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	OpenCache(dir).prune()
	files, _ := filepath.Glob(filepath.Join(dir, "boot-*.img"))
	if len(files) != maxImages || filepath.Base(files[0]) != "boot-03.img" {
		t.Errorf("left %v, want the newest %d", files, maxImages)
	}
}

// TestParseImageRefusesAnotherBinary: an image whose function anchor is
// another function's is refused.
func TestParseImageRefusesAnotherBinary(t *testing.T) {
	snap, err := Take(kernelsim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	im, err := snap.Image()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.funcs) == 0 {
		t.Fatal("no function values in the booted kernel: the test tests nothing")
	}
	im.funcs[0].pc++ // no function starts there
	data, err := im.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseImage(data); err == nil {
		t.Error("an image with a function address that is no function's entry parsed")
	}
}

func BenchmarkImageNewKernel(b *testing.B) {
	snap, err := Take(kernelsim.Config{})
	if err != nil {
		b.Fatal(err)
	}
	im := fileImage(b, snap)
	b.ResetTimer()
	for range b.N {
		if _, err := im.NewKernel(im.Config()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkImageLane(b *testing.B) {
	snap, err := Take(kernelsim.Config{})
	if err != nil {
		b.Fatal(err)
	}
	l := fileImage(b, snap).Lane()
	b.ResetTimer()
	for range b.N {
		if _, err := l.NewKernel(snap.Config()); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCacheRefusesAnotherBinarysImage: the image file of another build of
// kscript (same configuration) renamed onto this binary's name is not
// read (its function values and type layouts are that build's): the cache
// has none, and removes the file.
func TestCacheRefusesAnotherBinarysImage(t *testing.T) {
	snap, dir, c := defaultSnapshotAndCache(t)
	other := OpenCache(dir)
	other.exe += " (another build)"
	other.key = crc32.ChecksumIEEE([]byte(other.exe))
	other.Put(snap)
	theirs, ours := other.file(snap.Config()), c.file(snap.Config())
	if theirs == ours {
		t.Fatal("two binaries, one file name")
	}
	if OpenCache(dir).Image(snap.Config()) != nil {
		t.Fatal("an image under another binary's name was read")
	}
	if err := os.Rename(theirs, ours); err != nil {
		t.Fatal(err)
	}
	if c.Image(snap.Config()) != nil {
		t.Error("another binary's image renamed onto this one's name was read")
	}
	if _, err := os.Stat(ours); err == nil {
		t.Error("another binary's image was left in place")
	}
	// This binary's own file is read.
	c = OpenCache(dir)
	c.Put(snap)
	if OpenCache(dir).Image(snap.Config()) == nil {
		t.Error("this binary's image was not read")
	}
}

// TestCacheFileName: an image file's name is the SHA-256 of what fmt
// printed before (the format, the binary, the configuration), whatever
// the configuration holds.
func TestCacheFileName(t *testing.T) {
	c := &Cache{dir: "/d", exe: "/bin/kscript\x00123\x00456\x00go1.26"}
	for _, cfg := range []kernelsim.Config{{}, {RAM: 16 << 30, Seed: 7}, {Seed: 1<<64 - 1, Stock: true, NoPCP: true},
		{Cmdline: `kasan_multi_shot slub_debug=P "quoted" \ back ` + "\x00\t\n\u00e9\xff"}} {
		h := sha256.New()
		fmt.Fprintf(h, "%s\x00%s\x00%d\x00%d\x00%t\x00%t\x00%q", imageMagic, c.exe, cfg.RAM, cfg.Seed, cfg.Stock, cfg.NoPCP, cfg.Cmdline)
		want := filepath.Join(c.dir, "boot-"+hex.EncodeToString(h.Sum(nil))[:24]+".img")
		if got := c.file(cfg); got != want {
			t.Errorf("%+v: %s, want %s", cfg, got, want)
		}
	}
}
