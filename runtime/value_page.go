package runtime

import (
	"fmt"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"kscript.dev/kscript/kernelsim"
)

// Page is a struct page *: the handle of one page frame (or the first of a
// 2^order block), as alloc_pages returns it. It holds the pfn only; the
// frame's state is read live from kernelsim. Like C, page + n is the
// struct page of the frame n further on.
type Page struct {
	e   *env
	pfn kernelsim.PFN
}

var (
	_ starlark.Comparable = Page{}
	_ starlark.HasBinary  = Page{}
)

// PFN returns the page frame number of p.
func (p Page) PFN() kernelsim.PFN { return p.pfn }

// String formats the struct page * as a C pointer into the vmemmap.
func (p Page) String() string {
	return fmt.Sprintf("(struct page *)0x%016x", uint64(kernelsim.PageStructAddr(p.pfn)))
}

func (p Page) Type() string          { return "struct page *" }
func (p Page) Freeze()               {}
func (p Page) Truth() starlark.Bool  { return true }
func (p Page) Hash() (uint32, error) { return uint32(p.pfn) * 2654435761, nil }

func (p Page) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	return compareAddr(op, uint64(p.pfn), uint64(y.(Page).pfn)), nil
}

// Binary implements struct page pointer arithmetic: page + n, page - n,
// page - page (in pages).
func (p Page) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	if q, ok := y.(Page); ok && op == syntax.MINUS && side == starlark.Left {
		return starlark.MakeInt64(int64(p.pfn - q.pfn)), nil
	}
	n, ok := y.(starlark.Int)
	if !ok || (op != syntax.PLUS && op != syntax.MINUS) || (op == syntax.MINUS && side == starlark.Right) {
		return nil, nil
	}
	d, ok := n.Int64()
	if !ok {
		return nil, fmt.Errorf("struct page arithmetic: offset %v out of range", n)
	}
	if op == syntax.MINUS {
		d = -d
	}
	return Page{e: p.e, pfn: p.pfn + kernelsim.PFN(d)}, nil
}

// Module is THIS_MODULE: the struct module * of the script it appears in.
type Module struct {
	s *script
}

var _ starlark.HasAttrs = Module{}

func (m Module) String() string        { return "THIS_MODULE" }
func (m Module) Type() string          { return "struct module *" }
func (m Module) Freeze()               {}
func (m Module) Truth() starlark.Bool  { return true }
func (m Module) Hash() (uint32, error) { return starlark.String(m.s.name).Hash() }

// Attr gives THIS_MODULE->name.
func (m Module) Attr(name string) (starlark.Value, error) {
	if name == "name" {
		return starlark.String(m.s.name), nil
	}
	return nil, nil
}

func (m Module) AttrNames() []string { return []string{"name"} }

// Cache is a struct kmem_cache *, as kmem_cache_create returns it.
type Cache struct {
	e *env
	c *kernelsim.KmemCache
}

var _ starlark.HasAttrs = Cache{}

func (c Cache) String() string        { return fmt.Sprintf("(struct kmem_cache *)%s", c.c.Name) }
func (c Cache) Type() string          { return "struct kmem_cache *" }
func (c Cache) Freeze()               {}
func (c Cache) Truth() starlark.Bool  { return true }
func (c Cache) Hash() (uint32, error) { return starlark.String(c.c.Name).Hash() }

// Attr gives cache->name.
func (c Cache) Attr(name string) (starlark.Value, error) {
	if name == "name" {
		return starlark.String(c.c.Name), nil
	}
	return nil, nil
}

func (c Cache) AttrNames() []string { return []string{"name"} }
