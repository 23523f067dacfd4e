package runtime

import (
	"sort"
	"strings"
	"testing"
	"unicode"

	"go.starlark.net/starlark"
)

// TestAPITable: every predeclared name is documented in both languages
// with its C declaration, once, and is what scripts see.
func TestAPITable(t *testing.T) {
	seen := map[string]bool{}
	groups := map[string]int{}
	for _, a := range APIs() {
		switch {
		case seen[a.Name]:
			t.Errorf("%s: listed twice", a.Name)
		case a.C == "" || a.Group == "":
			t.Errorf("%s: no C declaration or group", a.Name)
		case a.En == "" || a.Th == "":
			t.Errorf("%s: a description is missing (en %d bytes, th %d bytes)", a.Name, len(a.En), len(a.Th))
		case !containsThai(a.Th):
			t.Errorf("%s: the Thai description has no Thai: %q", a.Name, a.Th)
		case a.fn == nil && a.v == nil && a.own == nil:
			t.Errorf("%s: neither a function nor a value", a.Name)
		}
		seen[a.Name] = true
		groups[a.Group]++
	}
	m := newTestMachine(t)
	universe := m.universe()
	for name := range universe {
		if !seen[name] {
			t.Errorf("%s: predeclared but not in the table", name)
		}
	}
	for _, name := range []string{"kmalloc", "__free_pages", "GFP_KERNEL", "ENOMEM", "pr_info", "static_buffer", "tasklet_schedule", "copy_from_user", "printf"} {
		if _, ok := universe[name]; !ok {
			t.Errorf("%s: not predeclared", name)
		}
	}
	if a, ok := LookupAPI("kmalloc"); !ok || a.C != "void *kmalloc(size_t size, gfp_t flags)" || a.IsConst() || !strings.Contains(a.Doc("th"), "slab") {
		t.Errorf("LookupAPI(kmalloc) = %+v, %v", a, ok)
	}
	var names []string
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	t.Logf("%d names in %d groups: %v", len(seen), len(groups), names)
}

func containsThai(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Thai, r) {
			return true
		}
	}
	return false
}

// TestScopes: each kind of name is refused where C would refuse it.
func TestScopes(t *testing.T) {
	m := newTestMachine(t)
	err := insmodSrc(t, m, `
def i():
    printf("hi\n")
    return 0
module_init(i)
`)
	if !strings.Contains(errText(err), "printf: a C library function, not available in kernel code") {
		t.Errorf("printf in init: %v", err)
	}
	m = newTestMachine(t)
	if err := loadSource(t, m, "y.star", "def app():\n    kmalloc(8, GFP_KERNEL)\n    return 0\nuser_program(\"app\", app)\n"); err != nil {
		t.Fatal(err)
	}
	_, err = m.Exec("app", nil, nil)
	if !strings.Contains(errText(err), "kmalloc: a kernel function, called from a user program") {
		t.Errorf("kmalloc in a user program: %v", err)
	}
	var _ starlark.Value = Ptr{}
}
