package kclone

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"kscript.dev/kscript/kernelsim"
	"kscript.dev/kscript/runtime/cachefile"
	"kscript.dev/kscript/runtime/exeid"
)

// A Cache keeps boot images in a folder, one file per kernel
// configuration and kscript binary, so that a process whose configuration
// was booted before (by earlier processes of the same binary) copies the
// image instead of booting: `kscript run` boots its kernel a couple of
// times per configuration and build, not once per run. A configuration
// without an image is booted as before; Save writes its image the second
// time, paying once for planning it.
//
// A file names the binary that wrote it (path, size, modification time),
// since an image holds function addresses and type layouts that are only
// meaningful there, and ends with checksums (see trailerSize for what each
// run checks); one that does not match is ignored (the machine boots) and
// removed. The folder keeps the latest maxImages files.
type Cache struct {
	dir string
	exe string // the binary's identity; "" when unknown (no cache)
	// key is the CRC-32 of exe, which the files' header checksum is
	// taken xor with: a file is named by the binary that wrote it, but
	// its bytes did not say so, and a file of another build of kscript
	// (same configuration) copied or renamed onto this one's name was
	// read, its function values only checked to be some function's entry
	// and its types by name and size, not by layout.
	key uint32

	// Warm, when set, is run on a copy of each image Save writes, before
	// it is written: a module's load and unload, say (kscript's is the
	// default scenario of a small module). The pages of the mapped arenas
	// it writes are the image's hot pages, which every copy makes its own
	// of when it maps the file, before anything reads them (see
	// populateHot): a run writes most of them too, and a page written
	// after it was read costs a copy-on-write fault with a TLB flush.
	// What Warm does to its copy goes nowhere else.
	Warm func(*kernelsim.Kernel)

	mu     sync.Mutex
	images map[kernelsim.Config]*Image
	tried  map[kernelsim.Config]bool
	missed []kernelsim.Config
}

// maxImages is how many image files a cache folder keeps, maxMarks how
// many marks of configurations booted once.
const (
	maxImages = 12
	maxMarks  = 256
)

// DefaultCacheDir is the folder of the boot images of the user's cache
// folder, or "" when there is none.
func DefaultCacheDir() string {
	c, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(c, "kscript", "boot")
}

// OpenCache returns the cache of the images in dir; "" is a cache that
// never has an image and saves none.
func OpenCache(dir string) *Cache {
	c := &Cache{dir: dir, images: map[kernelsim.Config]*Image{}, tried: map[kernelsim.Config]bool{}}
	if dir != "" {
		c.exe = exeid.Identity()
		c.key = crc32.ChecksumIEEE([]byte(c.exe))
	}
	return c
}

// Dir returns the cache's folder ("" for none, and for a nil cache).
func (c *Cache) Dir() string {
	if c == nil {
		return ""
	}
	return c.dir
}

// file is the path of cfg's image: named by the SHA-256 of the format,
// the binary and the configuration, written as fmt's
// "%s\x00%s\x00%d\x00%d\x00%t\x00%t\x00%q" of them (TestCacheFileName),
// with strconv into one buffer: fmt writing to the hash cost every run
// an interface conversion the binary has no table entry for, and fmt's
// code's pages.
func (c *Cache) file(cfg kernelsim.Config) string {
	b := make([]byte, 0, len(imageMagic)+len(c.exe)+len(cfg.Cmdline)+64)
	b = append(append(b, imageMagic...), 0)
	b = append(append(b, c.exe...), 0)
	b = append(strconv.AppendUint(b, cfg.RAM, 10), 0)
	b = append(strconv.AppendUint(b, cfg.Seed, 10), 0)
	b = append(strconv.AppendBool(b, cfg.Stock), 0)
	b = append(strconv.AppendBool(b, cfg.NoPCP), 0)
	b = strconv.AppendQuote(b, cfg.Cmdline)
	sum := sha256.Sum256(b)
	return filepath.Join(c.dir, "boot-"+hex.EncodeToString(sum[:12])+".img")
}

// Image returns the image of cfg: read before in this process, or from
// its file; nil when there is none.
func (c *Cache) Image(cfg kernelsim.Config) *Image {
	if c == nil || c.exe == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if im := c.images[cfg]; im != nil || c.tried[cfg] {
		return im
	}
	c.tried[cfg] = true
	im, err := openImage(c.file(cfg), c.key)
	if err != nil || im.Config() != cfg {
		// None, damaged or stale: written anew. A file that is there but
		// cannot serve goes, or Save would take it for one another
		// process has just written and never replace it.
		if !errors.Is(err, fs.ErrNotExist) {
			os.Remove(c.file(cfg))
		}
		c.missed = append(c.missed, cfg)
		return nil
	}
	c.images[cfg] = im
	return im
}

// NewKernel returns a copy of cfg's image, or a freshly booted kernel when
// there is none (Save then writes it): the signature of
// runtime.Options.NewKernel.
func (c *Cache) NewKernel(cfg kernelsim.Config) (*kernelsim.Kernel, error) {
	if im := c.Image(cfg); im != nil {
		if k, err := im.NewKernel(cfg); err == nil {
			return k, nil
		}
	}
	return kernelsim.New(cfg)
}

// Put keeps the image of a snapshot taken in this process, and writes it
// to its file when there was none: a grading worker's snapshot serves
// the next batch's processes.
func (c *Cache) Put(s *Snapshot) {
	if c == nil || c.exe == "" {
		return
	}
	cfg := s.Config()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.images[cfg] != nil {
		return
	}
	if !c.tried[cfg] {
		c.tried[cfg] = true
		if _, err := os.Stat(c.file(cfg)); err == nil {
			return
		}
	}
	im, err := s.Image()
	if err != nil {
		return
	}
	c.images[cfg] = im
	_ = c.write(im)
	c.missed = slices.DeleteFunc(c.missed, func(m kernelsim.Config) bool { return m == cfg })
}

// Save writes the image of every configuration this process booted afresh
// for want of one the second time the configuration is met (a first boot
// leaves an empty mark file): writing one boots again to plan it, a cost
// of a few boots, paid once per configuration and binary, that a seed
// tried once should not pay. It returns the first error.
func (c *Cache) Save() error {
	if c == nil || c.exe == "" {
		return nil
	}
	c.mu.Lock()
	missed := c.missed
	c.missed = nil
	c.mu.Unlock()
	if len(missed) == 0 {
		return nil
	}
	// A folder that cannot be written is found out before planning.
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	var first error
	for _, cfg := range missed {
		if _, err := os.Stat(c.file(cfg)); err == nil {
			continue // another process wrote it meanwhile (a grading worker)
		}
		mark := strings.TrimSuffix(c.file(cfg), ".img") + ".seen"
		if _, err := os.Stat(mark); err != nil {
			if f, err := os.Create(mark); err == nil {
				f.Close()
			}
			c.prune()
			continue
		}
		os.Remove(mark)
		snap, err := Take(cfg)
		if err == nil {
			var im *Image
			if im, err = snap.Image(); err == nil {
				if c.Warm != nil {
					im.hot = im.hotPages(c.Warm)
				}
				err = c.write(im)
			}
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}

// write writes im's file, whole or not at all (a temporary file renamed),
// and removes the oldest files beyond maxImages.
func (c *Cache) write(im *Image) error {
	data, err := im.MarshalBinary()
	if err != nil {
		return err
	}
	sum := data[len(data)-4:] // the header's checksum (see Cache.key)
	binary.LittleEndian.PutUint32(sum, binary.LittleEndian.Uint32(sum)^c.key)
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(c.dir, ".boot-*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		// Written whole from the image: checked (see trailerSize).
		stampFile(f, time.Now(), stampOf(data))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), c.file(im.Config()))
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	c.prune()
	return nil
}

// prune removes the oldest image files beyond maxImages (marks beyond
// maxMarks), and temporary
// files left an hour ago by a process that died writing.
func (c *Cache) prune() {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	type file struct {
		name string
		mod  time.Time
	}
	var images, marks []file
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			continue
		}
		switch name := e.Name(); {
		case strings.HasPrefix(name, "boot-") && strings.HasSuffix(name, ".img"):
			images = append(images, file{name, info.ModTime()})
		case strings.HasPrefix(name, "boot-") && strings.HasSuffix(name, ".seen"):
			marks = append(marks, file{name, info.ModTime()})
		case strings.HasPrefix(name, ".boot-") && time.Since(info.ModTime()) > time.Hour:
			os.Remove(filepath.Join(c.dir, name))
		}
	}
	for _, l := range []struct {
		files []file
		keep  int
	}{{images, maxImages}, {marks, maxMarks}} {
		slices.SortFunc(l.files, func(a, b file) int { return b.mod.Compare(a.mod) })
		for _, f := range l.files[min(len(l.files), l.keep):] {
			os.Remove(filepath.Join(c.dir, f.name))
		}
	}
}

// openImage reads an image file, kept open (and mapped, where files can be
// mapped) for the copies' arenas of plain data. A file checked whole (one
// without its stamp: see trailerSize) is stamped.
// key is the Cache.key of the binary the file must come from.
func openImage(name string, key uint32) (*Image, error) {
	f, size, err := cachefile.Open(name) // a regular file, or an error
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	data, err := readFile(f, size)
	if err != nil {
		f.Close()
		return nil, err
	}
	stamp := -1 // none: the file is checked whole
	if stamped(st) {
		stamp = st.ModTime().Nanosecond()
	}
	im, err := parseImage(data, stamp, key)
	if err != nil {
		f.Close()
		return nil, err
	}
	if s := stampOf(data); stamp != s {
		stampFile(f, time.Now(), s)
	}
	im.file, im.data = f, data
	return im, nil
}

// stamped reports whether a file's modification time may bear a stamp:
// its status change time (ctime, which the kernel sets on every write and
// change of the times, and no program can set) is within the second or so
// after the second of its modification time, as stampFile leaves it.
// A file written in place keeps its modification time's stamp only if the
// writer sets the old time back: cp -p, rsync -a and tar x do, and a file
// damaged and then copied so would have its mapped arenas believed
// unchecked (a run of lesson 12 on such a copy ended in an internal error,
// index out of range); their ctime is the time of the copy, far from the
// stamped second, and the file is checked whole. The slack before the
// second is the coarse clock file times are taken from, which may lag the
// time stampFile read by a few milliseconds.
func stamped(st os.FileInfo) bool {
	mod := st.ModTime()
	ct, ok := changeTime(st)
	if !ok {
		return true
	}
	sec := time.Unix(mod.Unix(), 0)
	return !ct.Before(sec.Add(-time.Second)) && ct.Before(sec.Add(3*time.Second))
}

// stampFile sets the modification time of f to the second of t and stamp
// nanoseconds past it (see trailerSize). It may fail (a file of another
// user, a read-only folder): the file is then checked whole each time.
func stampFile(f *os.File, t time.Time, stamp int) {
	setModTime(f, time.Unix(t.Unix(), int64(stamp)))
}

// A CacheLane hands out copies of a cache's images one at a time, each in
// the memory of the lane's copy before it of the same configuration (an
// ImageLane per configuration): `kscript run` of several files restores
// each file's kernel over the previous file's, whose mapped pages are the
// process's own already and whose heap arenas are reused, instead of
// faulting in fresh memory for every file. As with a Lane, the kernel a
// lane returned last is overwritten by its next NewKernel of the same
// configuration, so nothing of it may be in use by then.
type CacheLane struct {
	c     *Cache
	lanes map[kernelsim.Config]*ImageLane
}

// Lane returns a new lane of c, for one goroutine at a time.
func (c *Cache) Lane() *CacheLane { return &CacheLane{c: c} }

// NewKernel is Cache.NewKernel for a lane: a copy of cfg's image in the
// memory of the lane's previous copy of cfg, or a fresh boot when cfg has
// no image.
func (l *CacheLane) NewKernel(cfg kernelsim.Config) (*kernelsim.Kernel, error) {
	im := l.c.Image(cfg)
	if im == nil {
		return kernelsim.New(cfg)
	}
	il := l.lanes[cfg]
	if il == nil {
		if l.lanes == nil {
			l.lanes = map[kernelsim.Config]*ImageLane{}
		}
		il = im.Lane()
		l.lanes[cfg] = il
	}
	if k, err := il.NewKernel(cfg); err == nil {
		return k, nil
	}
	delete(l.lanes, cfg) // its arenas may be half written
	return kernelsim.New(cfg)
}
