package runtime

import (
	"reflect"
	"testing"

	"kscript.dev/kscript/kernelsim"
)

// callsOf returns the records of fn, keyed by their position.
func callsOf(m *Machine, fn string) map[string]Call {
	out := map[string]Call{}
	for _, c := range m.Calls() {
		if c.Fn == fn {
			out[c.Pos] = c
		}
	}
	return out
}

// TestCallCountsExact: counts stay exact past the old log's 65,536
// records, and the record stays small (one entry per kind of call).
func TestCallCountsExact(t *testing.T) {
	m := newTestMachine(t)
	err := insmodSrc(t, m, `
def i():
    for n in range(70000):
        kfree(NULL)
    for n in range(70000):
        kfree(kmalloc(8, GFP_KERNEL))
    return 0
module_init(i)
`)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.env.calls.keys); n > 10 {
		t.Errorf("%d keys for 3 kinds of call, want a handful", n)
	}
	free := callsOf(m, "kfree")
	if c := free["x.star:4:14"]; c.Count != 70000 || !c.Noop {
		t.Errorf("kfree(NULL): %+v, want 70000 calls that did nothing", c)
	}
	if c := free["x.star:6:14"]; c.Count != 70000 || c.Noop {
		t.Errorf("kfree(p): %+v, want 70000 calls that did work", c)
	}
	if c := callsOf(m, "kmalloc")["x.star:6:22"]; c.Count != 70000 || !c.Object || !c.Freed || c.FreedBy != "kfree" || !c.FreeMatch {
		t.Errorf("kmalloc: %+v, want 70000 objects freed by kfree", c)
	}
}

// TestCallKeysBounded: a script that makes ever new kinds of calls (a new
// size each time) keeps exact counts per function and position in a
// bounded record.
func TestCallKeysBounded(t *testing.T) {
	m := newTestMachine(t)
	err := insmodSrc(t, m, `
def i():
    for n in range(1, 20001):
        kfree(kmalloc(n, GFP_KERNEL))
    return 0
module_init(i)
`)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.env.calls.keys); n > maxCallKeys+100 {
		t.Errorf("%d keys, want at most about %d", n, maxCallKeys)
	}
	total, folded := 0, 0
	for _, c := range m.Calls() {
		if c.Fn == "kmalloc" && c.Pos == "x.star:4:22" {
			total += c.Count
			if c.Folded {
				folded += c.Count
			}
		}
	}
	if total != 20000 || folded == 0 {
		t.Errorf("kmalloc at line 4: %d calls, %d folded; want 20000, some folded", total, folded)
	}
}

// TestCallFates: what became of each object (live, freed by what, with the
// right order or cache), and which calls did nothing.
func TestCallFates(t *testing.T) {
	m := newTestMachine(t)
	m.SetStep(2)
	err := insmodSrc(t, m, `
g = static(p = NULL, c = NULL)
def i():
    g.p = vmalloc(8192)
    pg = alloc_pages(GFP_KERNEL, 2)
    __free_pages(pg, 1)
    g.c = kmem_cache_create("x", 32)
    o = kmem_cache_alloc(g.c, GFP_KERNEL)
    kmem_cache_free(g.c, o)
    z = kmalloc(0, GFP_KERNEL)
    kfree(z)
    return 0
def e():
    vfree(g.p)
    kmem_cache_destroy(g.c)
module_init(i)
module_exit(e)
`)
	if err != nil {
		t.Fatal(err)
	}
	if c := callsOf(m, "vmalloc")["x.star:4:18"]; !c.Object || c.Freed || c.Step != 2 {
		t.Errorf("vmalloc before rmmod: %+v, want a live object made in step 2", c)
	}
	m.SetStep(5)
	if err := m.Rmmod("x"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		fn, pos string
		want    Call
	}{
		{"vmalloc", "x.star:4:18", Call{Object: true, Freed: true, FreedStep: 5, FreedBy: "vfree", FreeMatch: true}},
		{"alloc_pages", "x.star:5:21", Call{Object: true, Freed: true, FreedStep: 2, FreedBy: "__free_pages", FreeMatch: false}},
		{"kmem_cache_alloc", "x.star:8:25", Call{Object: true, Freed: true, FreedStep: 2, FreedBy: "kmem_cache_free", FreeMatch: true}},
		{"kmalloc", "x.star:10:16", Call{Noop: true}},
		{"kfree", "x.star:11:10", Call{Noop: true}},
	}
	for _, tt := range tests {
		c := callsOf(m, tt.fn)[tt.pos]
		got := Call{Object: c.Object, Freed: c.Freed, FreedStep: c.FreedStep, FreedBy: c.FreedBy, FreeMatch: c.FreeMatch, Noop: c.Noop}
		if got != tt.want || c.Count != 1 {
			t.Errorf("%s at %s: %+v (count %d), want %+v", tt.fn, tt.pos, got, c.Count, tt.want)
		}
	}
	if n := m.env.calls.liveCount(); n != 0 {
		t.Errorf("%d objects still followed after rmmod, want 0", n)
	}
}

// TestCallLogLive: the objects the log follows, the newest outside the
// map, are found once each whatever the order of frees, and a new
// allocation at an address replaces the object that was there.
func TestCallLogLive(t *testing.T) {
	var l callLog
	fn := new(string)
	rec := l.add(callKey{fn: fn, object: true})
	release := func(a kernelsim.Addr) bool { return l.release(a, fn, 0, nil, false) }
	l.track(0x10, rec, nil)
	l.track(0x20, rec, nil)
	l.track(0x10, rec, nil) // 0x10 again (its free was not seen): one object
	if n := l.liveCount(); n != 2 {
		t.Fatalf("following %d objects, want 2", n)
	}
	for _, step := range []struct {
		a    kernelsim.Addr
		want bool
	}{{0x10, true}, {0x10, false}, {0x20, true}, {0x20, false}, {0x30, false}} {
		if got := release(step.a); got != step.want {
			t.Errorf("release(%#x) = %v, want %v", uint64(step.a), got, step.want)
		}
	}
	l.track(0x40, rec, nil)
	l.track(0x40, rec, nil)
	if !release(0x40) || release(0x40) || l.liveCount() != 0 {
		t.Errorf("an object allocated twice at one address: want one release, nothing left (%d left)", l.liveCount())
	}
}

// TestCallWrittenPages: a page block the module wrote into (past its
// first page too) is recorded as written when it is freed; one it never
// wrote is not (page allocations come back zeroed, init_on_alloc=1).
func TestCallWrittenPages(t *testing.T) {
	m := newTestMachine(t)
	err := insmodSrc(t, m, `
def i():
    a = alloc_pages(GFP_KERNEL, 2)
    strcpy(page_address(a), "used")
    __free_pages(a, 2)
    b = alloc_pages(GFP_KERNEL, 2)
    __free_pages(b, 2)
    c = __get_free_pages(GFP_KERNEL, 1)
    memset(c + PAGE_SIZE - 1, 7, 1)
    free_pages(c, 1)
    d = __get_free_pages(GFP_KERNEL, 1)
    free_pages(d, 1)
    return 0
module_init(i)
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		fn, pos string
		want    bool
	}{
		{"alloc_pages", "x.star:3:20", true},
		{"alloc_pages", "x.star:6:20", false},
		{"__get_free_pages", "x.star:8:25", true},
		{"__get_free_pages", "x.star:11:25", false},
	} {
		c := callsOf(m, tt.fn)[tt.pos]
		if !c.Object || !c.Freed || c.Written != tt.want {
			t.Errorf("%s at %s: %+v, want freed with Written %v", tt.fn, tt.pos, c, tt.want)
		}
	}
}

// TestCallKeySame: callKey.same tells apart two keys that differ in any
// one field, as == does.
func TestCallKeySame(t *testing.T) {
	var a callKey
	v := reflect.ValueOf(&a).Elem()
	for i := 0; i < v.NumField(); i++ {
		b := a
		f := reflect.ValueOf(&b).Elem().Field(i)
		f = reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem() // settable though unexported
		switch f.Kind() {
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		case reflect.Bool:
			f.SetBool(true)
		case reflect.String:
			f.SetString("x")
		case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
			f.SetInt(1)
		case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
			f.SetUint(1)
		default:
			t.Fatalf("callKey.%s: a %s, which the test cannot vary", v.Type().Field(i).Name, f.Kind())
		}
		if a.same(&b) || a == b {
			t.Errorf("callKey.same does not see field %s", v.Type().Field(i).Name)
		}
		if !b.same(&b) {
			t.Errorf("a key differing in %s is not the same as itself", v.Type().Field(i).Name)
		}
	}
}

// TestCallWrittenKmalloc: a kmalloc object is recorded as written, with
// the string it holds, when the module wrote into it, and as not written
// (holding "") when it did not; its zero fill is still pending then
// (kernelsim's PeekZeroFill), which wrote must read as zeros.
func TestCallWrittenKmalloc(t *testing.T) {
	m := newTestMachine(t)
	err := insmodSrc(t, m, `
def i():
    a = kmalloc(64, GFP_KERNEL)
    strcpy(a, "used")
    kfree(a)
    b = kmalloc(64, GFP_KERNEL)
    kfree(b)
    c = kzalloc(64, GFP_KERNEL)
    memset(c + 63, 7, 1)
    kfree(c)
    for n in range(100):
        kfree(kmalloc(32, GFP_KERNEL))
    return 0
module_init(i)
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		fn, pos string
		want    bool
		held    string
		count   int
	}{
		{"kmalloc", "x.star:3:16", true, "used", 1},
		{"kmalloc", "x.star:6:16", false, "", 1},
		{"kzalloc", "x.star:8:16", true, "", 1},
		{"kmalloc", "x.star:12:22", false, "", 100},
	} {
		c := callsOf(m, tt.fn)[tt.pos]
		if !c.Object || !c.Freed || c.Written != tt.want || c.Held != tt.held || c.Count != tt.count {
			t.Errorf("%s at %s: %+v, want %d freed with Written %v, Held %q", tt.fn, tt.pos, c, tt.count, tt.want, tt.held)
		}
	}
}

// TestCallWriteInto: a memory or string helper's record names the
// static_buffer global its destination lay in (calls: into:), anywhere
// within the array, and "" for other memory; what it left there is Held.
func TestCallWriteInto(t *testing.T) {
	m := newTestMachine(t)
	err := insmodSrc(t, m, `
name_buf = static_buffer(16, "x")
other = static_buffer(32)
def i():
    strscpy(name_buf, "a name far too long!", 16)
    memcpy(other + 4, "abc", 3)
    a = kmalloc(16, GFP_KERNEL)
    strscpy(a, "a name", 16)
    kfree(a)
    memset(name_buf, 0, 0)
    return 0
module_init(i)
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		fn, pos    string
		into, held string
	}{
		{"strscpy", "x.star:5:12", "name_buf", "a name far too \x00"},
		{"memcpy", "x.star:6:11", "other", "abc"},
		{"strscpy", "x.star:8:12", "", "a name\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"},
		{"memset", "x.star:10:11", "", ""}, // count 0: wrote nothing, anywhere
	} {
		c, ok := callsOf(m, tt.fn)[tt.pos]
		if !ok || c.Into != tt.into || c.Held != tt.held {
			t.Errorf("%s at %s: %+v, want Into %q, Held %q", tt.fn, tt.pos, c, tt.into, tt.held)
		}
	}
}

// TestCallVmallocToPFN: vmalloc_to_pfn and vmalloc_to_page are recorded
// (lesson 12 asks that the pfns it prints were looked up), failed where
// nothing is mapped.
func TestCallVmallocToPFN(t *testing.T) {
	m := newTestMachine(t)
	err := insmodSrc(t, m, `
def i():
    v = vmalloc(2 * PAGE_SIZE)
    vmalloc_to_pfn(v)
    vmalloc_to_page(v + PAGE_SIZE)
    vmalloc_to_pfn(NULL)
    vfree(v)
    return 0
module_init(i)
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		fn, pos string
		failed  bool
	}{
		{"vmalloc_to_pfn", "x.star:4:19", false},
		{"vmalloc_to_page", "x.star:5:20", false},
		{"vmalloc_to_pfn", "x.star:6:19", true},
	} {
		c, ok := callsOf(m, tt.fn)[tt.pos]
		if !ok || c.Count != 1 || c.Failed != tt.failed {
			t.Errorf("%s at %s: %+v (recorded %v), want 1 call, failed %v", tt.fn, tt.pos, c, ok, tt.failed)
		}
	}
}

// TestCallRead: an allocation's record says Read when the module read its
// object before freeing it (an index, a slice inside it, %s of the
// pointer, memcpy from it), whether the object was the newest one followed
// or an older one; not when it was only written, copied from with 0
// bytes, or read after it was freed (no object then).
func TestCallRead(t *testing.T) {
	m := newTestMachine(t)
	err := insmodSrc(t, m, `
def i():
    a = kmalloc(64, GFP_KERNEL)
    b = kmalloc(64, GFP_KERNEL)
    c = kmalloc(64, GFP_KERNEL)
    d = kmalloc(64, GFP_KERNEL)
    e = kmalloc(64, GFP_KERNEL)
    f = kmalloc(64, GFP_KERNEL)
    strcpy(a, "abc")
    x = a[0]
    y = b[10:12]
    pr_info("%s\n", c)
    memcpy(f, d, 4)
    memcpy(f, e, 0)
    kfree(a)
    kfree(b)
    kfree(c)
    kfree(d)
    kfree(e)
    kfree(f)
    return 0
module_init(i)
`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"x.star:3:16": true, "x.star:4:16": true, "x.star:5:16": true,
		"x.star:6:16": true, "x.star:7:16": false, "x.star:8:16": false}
	got := callsOf(m, "kmalloc")
	for pos, read := range want {
		if c, ok := got[pos]; !ok || !c.Freed || c.Read != read {
			t.Errorf("kmalloc at %s: %+v, want freed, Read %v", pos, c, read)
		}
	}
}
