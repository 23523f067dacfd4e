package runtime

import (
	"slices"
	"testing"
)

// TestDangling: Dangling names the static() fields, and the list, tuple
// and dict entries kept in them, that point into freed memory (a kfree'd
// object, freed pages, a vfree'd area), and nothing that is NULL, still
// allocated, or not a pointer.
func TestDangling(t *testing.T) {
	m := newTestMachine(t)
	err := insmodSrc(t, m, `
g = static(freed = NULL, nulled = NULL, live = NULL, n = 0, l = [], d = {}, t = (), pg = NULL, v = NULL)
def i():
    g.freed = kmalloc(64, GFP_KERNEL)
    kfree(g.freed)
    g.nulled = kmalloc(64, GFP_KERNEL)
    kfree(g.nulled)
    g.nulled = NULL
    g.live = kmalloc(32, GFP_KERNEL)
    g.n = 7
    a = kmalloc(16, GFP_KERNEL)
    b = kmalloc(16, GFP_KERNEL)
    g.l.append(a)
    g.l.append(b)
    kfree(b)
    g.d["x"] = a
    g.d["y"] = [b]
    g.t = (a, b)
    g.pg = alloc_pages(GFP_KERNEL, 0)
    __free_pages(g.pg, 0)
    g.v = vmalloc(8192)
    vfree(g.v)
    return 0
module_init(i)
`)
	if err != nil {
		t.Fatal(err)
	}
	got := m.Dangling()
	want := []string{"g.d[\"y\"][0]", "g.freed", "g.l[1]", "g.pg", "g.t[1]", "g.v"}
	if !slices.Equal(got, want) {
		t.Errorf("Dangling() = %q, want %q", got, want)
	}
}
