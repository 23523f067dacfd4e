package lesson

import "regexp"

// The lesson types' own decoder: what decoder.value does by reflection
// (codec.go), written out type by type, for the cache file a lesson run
// reads. Walking the value by reflection cost a run of lesson 01 some
// 180,000 instructions and a few hundred allocations (a reflect.New per
// pointer, a MakeSlice per slice, a map entry through reflect) and the
// reflect code's pages; this reads the same bytes in a fraction of that.
//
// It must read exactly what appendValue writes, field by field in
// declaration order; the reflection decoder stays the reference:
// TestCodecSameAsReflection decodes every lesson of the repository and
// damaged and changed encodings with both, and a type that gains or
// loses an exported field without this file following is found there
// (and by encodeCached, which keeps a lesson only when it reads back
// equal through this decoder: a decoder out of step caches nothing,
// it never misreads).

// lesson decodes a Lesson.
func (d *decoder) lesson(l *Lesson) (err error) {
	if l.ID, err = d.str(); err != nil {
		return err
	}
	if l.Module, err = d.str(); err != nil {
		return err
	}
	if err = d.text(&l.Title); err != nil {
		return err
	}
	if err = d.text(&l.Explain); err != nil {
		return err
	}
	if l.Scenario, err = d.steps(); err != nil {
		return err
	}
	if l.Expect, err = d.expectPtr(); err != nil {
		return err
	}
	if l.Programs, err = d.strs(); err != nil {
		return err
	}
	if ok, err := d.ptr(); err != nil {
		return err
	} else if ok {
		l.Exercise = &Exercise{}
		if err := d.exercise(l.Exercise); err != nil {
			return err
		}
	}
	if ok, err := d.ptr(); err != nil {
		return err
	} else if ok {
		m := &Machine{}
		if m.Kernel, err = d.str(); err != nil {
			return err
		}
		if m.Cmdline, err = d.str(); err != nil {
			return err
		}
		if m.PCP, err = d.boolPtr(); err != nil {
			return err
		}
		l.Machine = m
	}
	if l.Public, err = d.bool(); err != nil {
		return err
	}
	if l.File, err = d.str(); err != nil {
		return err
	}
	l.Script, err = d.str()
	return err
}

// ptr reads a pointer's flag: whether a value follows.
func (d *decoder) ptr() (bool, error) {
	c, err := d.byte()
	if err != nil || c > 1 {
		return false, errCodec
	}
	return c == 1, nil
}

func (d *decoder) bool() (bool, error) { return d.ptr() }

func (d *decoder) int() (int, error) {
	u, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return int(x), nil
}

func (d *decoder) str() (string, error) {
	u, err := d.uvarint()
	if err != nil || u > uint64(len(d.s)-d.off) {
		return "", errCodec
	}
	s := d.s[d.off : d.off+int(u)]
	d.off += int(u)
	return s, nil
}

func (d *decoder) pos(p *Pos) (err error) {
	if p.Line, err = d.int(); err != nil {
		return err
	}
	p.Col, err = d.int()
	return err
}

func (d *decoder) text(t *Text) (err error) {
	if t.EN, err = d.str(); err != nil {
		return err
	}
	if t.TH, err = d.str(); err != nil {
		return err
	}
	if err = d.pos(&t.Pos); err != nil {
		return err
	}
	return d.pos(&t.THPos)
}

func (d *decoder) boolPtr() (*bool, error) {
	if ok, err := d.ptr(); !ok || err != nil {
		return nil, err
	}
	b, err := d.bool()
	if err != nil {
		return nil, err
	}
	return &b, nil
}

func (d *decoder) intPtr() (*int, error) {
	if ok, err := d.ptr(); !ok || err != nil {
		return nil, err
	}
	n, err := d.int()
	if err != nil {
		return nil, err
	}
	return &n, nil
}

func (d *decoder) uint64Ptr() (*uint64, error) {
	if ok, err := d.ptr(); !ok || err != nil {
		return nil, err
	}
	u, err := d.uvarint()
	if err != nil {
		return nil, err
	}
	return &u, nil
}

func (d *decoder) strPtr() (*string, error) {
	if ok, err := d.ptr(); !ok || err != nil {
		return nil, err
	}
	s, err := d.str()
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// strs decodes a StringList (nil and empty kept apart, as every slice).
func (d *decoder) strs() (StringList, error) {
	n, isNil, err := d.length()
	if err != nil || isNil {
		return nil, err
	}
	l := make(StringList, n)
	for i := range l {
		if l[i], err = d.str(); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (d *decoder) steps() ([]Step, error) {
	n, isNil, err := d.length()
	if err != nil || isNil {
		return nil, err
	}
	steps := make([]Step, n)
	for i := range steps {
		s := &steps[i]
		if s.Run, err = d.str(); err != nil {
			return nil, err
		}
		if s.Capture, err = d.captures(); err != nil {
			return nil, err
		}
		if err = d.pos(&s.Pos); err != nil {
			return nil, err
		}
		if err = d.pos(&s.RunPos); err != nil {
			return nil, err
		}
		// The parsed command is made by validation, after the cache file
		// is written: a file holding one is not one of ours.
		if ok, err := d.ptr(); err != nil || ok {
			return nil, errCodec
		}
	}
	return steps, nil
}

func (d *decoder) captures() ([]Capture, error) {
	n, isNil, err := d.length()
	if err != nil || isNil {
		return nil, err
	}
	cs := make([]Capture, n)
	for i := range cs {
		c := &cs[i]
		if c.Name, err = d.str(); err != nil {
			return nil, err
		}
		if c.Pattern, err = d.str(); err != nil {
			return nil, err
		}
		// A regexp.Regexp has no exported field: the encoding of one is
		// its pointer's flag alone, read back as the reflection decoder
		// reads it (validation compiles the pattern, after the cache).
		if ok, err := d.ptr(); err != nil {
			return nil, err
		} else if ok {
			c.Re = new(regexp.Regexp)
		}
		if err = d.pos(&c.Pos); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

func (d *decoder) matcher(m *Matcher) (err error) {
	if m.Text, err = d.str(); err != nil {
		return err
	}
	if m.Re, err = d.str(); err != nil {
		return err
	}
	return d.pos(&m.Pos)
}

func (d *decoder) matchers() ([]Matcher, error) {
	n, isNil, err := d.length()
	if err != nil || isNil {
		return nil, err
	}
	ms := make([]Matcher, n)
	for i := range ms {
		if err := d.matcher(&ms[i]); err != nil {
			return nil, err
		}
	}
	return ms, nil
}

func (d *decoder) stepRef() (*StepRef, error) {
	if ok, err := d.ptr(); !ok || err != nil {
		return nil, err
	}
	r := &StepRef{}
	var err error
	if r.N, err = d.int(); err != nil {
		return nil, err
	}
	if r.Cmd, err = d.str(); err != nil {
		return nil, err
	}
	if err = d.pos(&r.Pos); err != nil {
		return nil, err
	}
	return r, nil
}

func (d *decoder) expectPtr() (*Expect, error) {
	if ok, err := d.ptr(); !ok || err != nil {
		return nil, err
	}
	e := &Expect{}
	if err := d.expect(e); err != nil {
		return nil, err
	}
	return e, nil
}

func (d *decoder) expect(e *Expect) (err error) {
	if e.Dmesg, err = d.matchers(); err != nil {
		return err
	}
	if e.DmesgNot, err = d.matchers(); err != nil {
		return err
	}
	if e.Stdout, err = d.matchers(); err != nil {
		return err
	}
	if ok, err := d.ptr(); err != nil {
		return err
	} else if ok {
		e.Insmod = &Matcher{}
		if err := d.matcher(e.Insmod); err != nil {
			return err
		}
	}
	if err = d.exitCodes(e); err != nil {
		return err
	}
	for _, b := range []**bool{&e.Clean, &e.NoLeaks, &e.NoBugs, &e.MemoryRestored} {
		if *b, err = d.boolPtr(); err != nil {
			return err
		}
	}
	if err = d.bugs(e); err != nil {
		return err
	}
	if err = d.procs(e); err != nil {
		return err
	}
	if err = d.calls(e); err != nil {
		return err
	}
	if err = d.reads(e); err != nil {
		return err
	}
	if err = d.objects(e); err != nil {
		return err
	}
	if e.NoDangling, err = d.stepRef(); err != nil {
		return err
	}
	return d.pos(&e.Pos)
}

func (d *decoder) exitCodes(e *Expect) error {
	n, isNil, err := d.length()
	if err != nil || isNil {
		return err
	}
	m := make(map[string]int, n)
	for range n {
		k, err := d.str()
		if err != nil {
			return err
		}
		if m[k], err = d.int(); err != nil {
			return err
		}
	}
	e.ExitCode = m
	return nil
}

func (d *decoder) bugs(e *Expect) error {
	n, isNil, err := d.length()
	if err != nil || isNil {
		return err
	}
	e.Bugs = make([]BugExpect, n)
	for i := range e.Bugs {
		b := &e.Bugs[i]
		if b.Class, err = d.str(); err != nil {
			return err
		}
		if b.Line, err = d.int(); err != nil {
			return err
		}
		if b.Title, err = d.str(); err != nil {
			return err
		}
		if err = d.pos(&b.Pos); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) procs(e *Expect) error {
	n, isNil, err := d.length()
	if err != nil || isNil {
		return err
	}
	e.Proc = make([]ProcExpect, n)
	for i := range e.Proc {
		p := &e.Proc[i]
		if p.File, err = d.str(); err != nil {
			return err
		}
		if p.Step, err = d.int(); err != nil {
			return err
		}
		if p.Re, err = d.str(); err != nil {
			return err
		}
		if p.Has, err = d.matchers(); err != nil {
			return err
		}
		if p.NotHas, err = d.matchers(); err != nil {
			return err
		}
		if err = d.pos(&p.Pos); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) calls(e *Expect) error {
	n, isNil, err := d.length()
	if err != nil || isNil {
		return err
	}
	e.Calls = make([]CallExpect, n)
	for i := range e.Calls {
		c := &e.Calls[i]
		if c.Fn, err = d.strs(); err != nil {
			return err
		}
		if c.GFP, err = d.str(); err != nil {
			return err
		}
		if c.Context, err = d.str(); err != nil {
			return err
		}
		if c.Size, err = d.uint64Ptr(); err != nil {
			return err
		}
		if c.MinSize, err = d.uint64Ptr(); err != nil {
			return err
		}
		for _, p := range []**int{&c.Count, &c.Min, &c.Max} {
			if *p, err = d.intPtr(); err != nil {
				return err
			}
		}
		if c.LiveAt, err = d.stepRef(); err != nil {
			return err
		}
		if c.FreedBy, err = d.strs(); err != nil {
			return err
		}
		if c.Written, err = d.bool(); err != nil {
			return err
		}
		if c.Holds, err = d.strPtr(); err != nil {
			return err
		}
		if c.Has, err = d.strPtr(); err != nil {
			return err
		}
		if c.Into, err = d.strPtr(); err != nil {
			return err
		}
		if c.Failed, err = d.boolPtr(); err != nil {
			return err
		}
		if c.Noop, err = d.bool(); err != nil {
			return err
		}
		if c.MaxTotal, err = d.uint64Ptr(); err != nil {
			return err
		}
		if c.Read, err = d.bool(); err != nil {
			return err
		}
		if c.Step, err = d.stepRef(); err != nil {
			return err
		}
		if err = d.pos(&c.Pos); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) reads(e *Expect) error {
	n, isNil, err := d.length()
	if err != nil || isNil {
		return err
	}
	e.Reads = make([]ReadExpect, n)
	for i := range e.Reads {
		r := &e.Reads[i]
		if r.Dev, err = d.str(); err != nil {
			return err
		}
		if r.Step, err = d.stepRef(); err != nil {
			return err
		}
		if r.Text, err = d.strPtr(); err != nil {
			return err
		}
		if r.Has, err = d.str(); err != nil {
			return err
		}
		if err = d.pos(&r.Pos); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) objects(e *Expect) error {
	n, isNil, err := d.length()
	if err != nil || isNil {
		return err
	}
	e.Objects = make([]ObjectExpect, n)
	for i := range e.Objects {
		o := &e.Objects[i]
		if o.Cache, err = d.str(); err != nil {
			return err
		}
		if o.Step, err = d.stepRef(); err != nil {
			return err
		}
		if o.Has, err = d.str(); err != nil {
			return err
		}
		if err = d.pos(&o.Pos); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) exercise(x *Exercise) (err error) {
	if x.Starter, err = d.str(); err != nil {
		return err
	}
	if x.Solution, err = d.str(); err != nil {
		return err
	}
	if x.Points, err = d.int(); err != nil {
		return err
	}
	n, isNil, err := d.length()
	if err != nil {
		return err
	}
	if !isNil {
		x.Checks = make([]Check, n)
		for i := range x.Checks {
			if err := d.check(&x.Checks[i]); err != nil {
				return err
			}
		}
	}
	return d.pos(&x.Pos)
}

func (d *decoder) check(c *Check) (err error) {
	if c.ID, err = d.str(); err != nil {
		return err
	}
	if c.Points, err = d.int(); err != nil {
		return err
	}
	if err = d.text(&c.Title); err != nil {
		return err
	}
	if err = d.text(&c.Hint); err != nil {
		return err
	}
	if c.Hidden, err = d.bool(); err != nil {
		return err
	}
	if c.Visibility, err = d.str(); err != nil {
		return err
	}
	if c.Needs, err = d.strs(); err != nil {
		return err
	}
	if c.Fail, err = d.strs(); err != nil {
		return err
	}
	if c.FailEach, err = d.bool(); err != nil {
		return err
	}
	if c.FailKept, err = d.bool(); err != nil {
		return err
	}
	if c.Scenario, err = d.steps(); err != nil {
		return err
	}
	if c.Expect, err = d.expectPtr(); err != nil {
		return err
	}
	return d.pos(&c.Pos)
}
