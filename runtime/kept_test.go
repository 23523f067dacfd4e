package runtime

import (
	"testing"

	"kscript.dev/kscript/kernelsim"
)

// TestKeptWatch follows a module's kmem_cache allocations by their call
// numbers: three throwaways, freed at once, then three kept objects from
// another line and one from a third. The 6th call (the 2nd throwaway:
// kmem_cache_create makes the first four) made an object freed in the
// step it was made in; the first kept call after it is the 8th; each line
// that kept objects has its first kept call.
func TestKeptWatch(t *testing.T) {
	m, err := NewMachine(Options{Fail: []string{"kmalloc:probability=0"}})
	if err != nil {
		t.Fatal(err)
	}
	w := m.WatchKept(kernelsim.FaultSlab, 6, 3)
	src := `MODULE_LICENSE("GPL")
g = static(cache = NULL, objs = [])
def init():
    g.cache = kmem_cache_create("c", 40, 0, 0)
    for i in range(3):
        kmem_cache_free(g.cache, kmem_cache_alloc(g.cache, GFP_KERNEL))
    for i in range(3):
        g.objs.append(kmem_cache_alloc(g.cache, GFP_KERNEL))
    g.objs.append(kmem_cache_zalloc(g.cache, GFP_KERNEL))
    return 0
def exit():
    for p in g.objs:
        kmem_cache_free(g.cache, p)
    kmem_cache_destroy(g.cache)
module_init(init)
module_exit(exit)
`
	if err := m.LoadScript("k.star", []byte(src), "k"); err != nil {
		t.Fatal(err)
	}
	m.SetStep(2)
	if err := m.Insmod("k.ko", nil); err != nil {
		t.Fatal(err)
	}
	m.SetStep(4)
	if err := m.Rmmod("k"); err != nil { // after the watched steps: not a free it sees
		t.Fatal(err)
	}
	if !w.Counted() {
		t.Fatal("not counted")
	}
	nth, ok := w.NthCall()
	if !ok || nth.Nth != 6 || nth.Kept || nth.Freed != 2 || nth.Step != 2 || nth.Pos != "k.star:6:50" {
		t.Errorf("NthCall = %+v, %v; want call 6 at k.star:6:50, made and freed in step 2", nth, ok)
	}
	kept, ok := w.KeptCall()
	if !ok || kept.Nth != 8 || !kept.Kept || kept.Pos != "k.star:8:39" {
		t.Errorf("KeptCall = %+v, %v; want call 8 at k.star:8:39, kept", kept, ok)
	}
	sites := w.KeptSites()
	if len(sites) != 2 || sites[0].Nth != 8 || sites[1].Nth != 11 || sites[1].Pos != "k.star:9:36" {
		t.Errorf("KeptSites = %+v; want calls 8 and 11 (k.star:9:36)", sites)
	}
}
