package runtime

import "testing"

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
	if n := len(m.env.calls.live); n != 0 {
		t.Errorf("%d objects still followed after rmmod, want 0", n)
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
