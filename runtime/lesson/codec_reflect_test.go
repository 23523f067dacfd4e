package lesson

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// The reflection decoder: what appendValue writes, read back for any type
// by walking it. unmarshalLesson reads with the lesson types' own decoder
// (codec_lesson.go); this one is the reference it is checked against.

// value decodes into v, which is settable and zero.
func (d *decoder) value(v reflect.Value) error {
	switch v.Kind() {
	case reflect.Bool:
		c, err := d.byte()
		if err != nil || c > 1 {
			return errCodec
		}
		v.SetBool(c == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		u, err := d.uvarint()
		if err != nil {
			return err
		}
		x := int64(u >> 1)
		if u&1 != 0 {
			x = ^x
		}
		if v.OverflowInt(x) {
			return errCodec
		}
		v.SetInt(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u, err := d.uvarint()
		if err != nil {
			return err
		}
		if v.OverflowUint(u) {
			return errCodec
		}
		v.SetUint(u)
	case reflect.String:
		u, err := d.uvarint()
		if err != nil || u > uint64(len(d.s)-d.off) {
			return errCodec
		}
		v.SetString(d.s[d.off : d.off+int(u)])
		d.off += int(u)
	case reflect.Pointer:
		c, err := d.byte()
		if err != nil || c > 1 {
			return errCodec
		}
		if c == 1 {
			p := reflect.New(v.Type().Elem())
			if err := d.value(p.Elem()); err != nil {
				return err
			}
			v.Set(p)
		}
	case reflect.Slice:
		n, isNil, err := d.length()
		if err != nil || isNil {
			return err
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte(d.s[d.off : d.off+n]))
			d.off += n
			return nil
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			if err := d.value(s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			if err := d.value(v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		n, isNil, err := d.length()
		if err != nil || isNil {
			return err
		}
		t := v.Type()
		if t.Key().Kind() != reflect.String {
			return errCodec
		}
		m := reflect.MakeMapWithSize(t, n)
		for range n {
			k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
			if err := d.value(k); err != nil {
				return err
			}
			if err := d.value(e); err != nil {
				return err
			}
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		for _, i := range exportedFields(v.Type()) {
			if err := d.value(v.Field(i)); err != nil {
				return err
			}
		}
	default:
		return errCodec
	}
	return nil
}

// unmarshalLessonReflect is unmarshalLesson by reflection.
func unmarshalLessonReflect(b []byte) (*Lesson, error) {
	l := &Lesson{}
	d := &decoder{s: string(b)}
	if err := d.value(reflect.ValueOf(l).Elem()); err != nil {
		return nil, err
	}
	if d.off != len(d.s) {
		return nil, errCodec
	}
	return l, nil
}

// repoLessonEncodings returns every lesson file of the repository (the
// lessons, their public forms, the exercises) as the cache keeps it.
func repoLessonEncodings(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("../../lessons/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../../lessons/*/*.yaml")
	deeper, _ := filepath.Glob("../../lessons/*/*/*.yaml")
	files = append(append(files, more...), deeper...)
	out := map[string][]byte{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		l := &Lesson{}
		if err := yaml.UnmarshalWithOptions(src, l, strict()...); err != nil {
			continue // not a lesson file, or one with problems: never cached
		}
		b, err := marshalLesson(l)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = b
	}
	if len(out) < 12 {
		t.Fatalf("found %d lesson files", len(out))
	}
	return out
}

// sameDecoding checks that the lesson types' decoder reads b as the
// reflection decoder does: both fail, or both give equal lessons. When
// strict is false, a value only the reflection decoder reads (a parsed
// command, which no cache file holds) is allowed.
func sameDecoding(t *testing.T, name string, b []byte, strict bool) {
	t.Helper()
	got, gerr := unmarshalLesson(b)
	want, werr := unmarshalLessonReflect(b)
	switch {
	case gerr == nil && werr == nil:
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: the two decoders read different lessons:\n%+v\n%+v", name, got, want)
		}
	case gerr != nil && werr != nil:
	case gerr != nil && !strict:
	default:
		t.Fatalf("%s: the lesson decoder says %v, the reflection decoder %v", name, gerr, werr)
	}
}

// TestCodecSameAsReflection: every lesson of the repository, with its
// optional parts emptied and filled, every cut of its encoding and every
// byte of it changed, reads the same with the lesson types' decoder as by
// reflection.
func TestCodecSameAsReflection(t *testing.T) {
	for name, b := range repoLessonEncodings(t) {
		sameDecoding(t, name, b, true)
		if _, err := unmarshalLesson(b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// Damaged forms of a few lessons (all of them take minutes).
		if !strings.Contains(name, "01_kmalloc") && !strings.Contains(name, "08_copy") && !strings.Contains(name, "12_frag") {
			continue
		}
		for n := range len(b) {
			sameDecoding(t, name, b[:n], true)
		}
		c := make([]byte, len(b))
		for i := 0; i < len(b); i += 3 {
			for _, x := range []byte{0x00, 0x01, 0xff} {
				copy(c, b)
				c[i] = x
				sameDecoding(t, name, c, false)
			}
		}
	}
	// Every field set: pointers, maps, nil and empty slices apart.
	yes, n, u, s := true, 3, uint64(7), "x"
	ref := &StepRef{N: 2, Cmd: "rmmod", Pos: Pos{4, 5}}
	m := []Matcher{{Text: "a", Re: "b", Pos: Pos{1, 2}}}
	e := &Expect{Dmesg: m, DmesgNot: []Matcher{}, Stdout: m, Insmod: &m[0], ExitCode: map[string]int{"insmod": -1, "./a": 3},
		Clean: &yes, NoLeaks: &yes, NoBugs: &yes, MemoryRestored: &yes,
		Bugs:    []BugExpect{{Class: "double-free", Line: 9, Title: "t", Pos: Pos{1, 1}}},
		Proc:    []ProcExpect{{File: "/proc/x", Step: 2, Re: "r", Has: m, NotHas: []Matcher{}, Pos: Pos{3, 3}}},
		Calls:   []CallExpect{{Fn: StringList{"kmalloc"}, GFP: "GFP_KERNEL", Context: "atomic", Size: &u, MinSize: &u, Count: &n, Min: &n, Max: &n, LiveAt: ref, FreedBy: StringList{}, Written: true, Holds: &s, Has: &s, Into: &s, Failed: &yes, Noop: true, MaxTotal: &u, Read: true, Step: ref, Pos: Pos{6, 7}}},
		Reads:   []ReadExpect{{Dev: "/dev/a", Step: ref, Text: &s, Has: "h", Pos: Pos{8, 9}}},
		Objects: []ObjectExpect{{Cache: "c", Step: ref, Has: "h", Pos: Pos{1, 3}}},
		Pos:     Pos{10, 1}}
	steps := []Step{{Run: "insmod a.ko", Capture: []Capture{{Name: "MAJOR", Pattern: `(\d+)`, Pos: Pos{2, 2}}}, Pos: Pos{1, 1}, RunPos: Pos{1, 3}}, {Run: "dmesg", Capture: []Capture{}}}
	l := &Lesson{ID: "99_x", Module: "m", Title: Text{EN: "e", TH: "ท", Pos: Pos{1, 2}, THPos: Pos{3, 4}}, Scenario: steps, Expect: e,
		Programs: StringList{}, Public: true, File: "f", Script: "s",
		Exercise: &Exercise{Starter: "a", Solution: "b", Points: -5, Pos: Pos{2, 1}, Checks: []Check{{ID: "c", Points: 5, Hidden: true, Visibility: "hidden",
			Needs: StringList{"a"}, Fail: StringList{}, FailEach: true, Scenario: []Step{}, Expect: &Expect{}, Pos: Pos{5, 5}}, {}}},
		Machine: &Machine{Kernel: "stock", Cmdline: "kasan_multi_shot", PCP: &yes}}
	b, err := marshalLesson(l)
	if err != nil {
		t.Fatal(err)
	}
	back, err := unmarshalLesson(b)
	if err != nil || !reflect.DeepEqual(l, back) {
		t.Fatalf("a lesson with every field set reads back %v:\n%+v\n%+v", err, l, back)
	}
	for n := range len(b) {
		sameDecoding(t, "every field", b[:n], true)
	}
	l.Exercise.Checks, l.Machine.PCP, l.Expect.ExitCode = nil, nil, map[string]int{}
	if b, err = marshalLesson(l); err != nil {
		t.Fatal(err)
	}
	sameDecoding(t, "every field, some nil", b, true)
}

// BenchmarkUnmarshalLesson01: decoding lesson 01's cache file (the
// lesson types' decoder against reflection).
func BenchmarkUnmarshalLesson01(b *testing.B) {
	enc := repoLessonEncodings(b)["../../lessons/01_kmalloc.yaml"]
	for _, c := range []struct {
		name string
		fn   func([]byte) (*Lesson, error)
	}{{"types", unmarshalLesson}, {"reflect", unmarshalLessonReflect}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.fn(enc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
