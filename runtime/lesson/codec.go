package lesson

import (
	"encoding/binary"
	"errors"
	"reflect"
	"slices"
	"sync"
)

// The cache files' codec: a lesson as the YAML decoder left it, in a
// compact binary form. encoding/json, which the cache used first, spent
// most of a cached lesson run's Load working out its field tables by
// reflection (once per type and process: a run has only one) and scanning
// text; this codec walks the value by reflection too, but has nothing to
// look up and nothing to parse.
//
// What it keeps is what JSON kept: every exported field, in declaration
// order, recursively; unexported fields (what validation fills in) are left
// out. Values carry no type information: a cache file is only ever read by
// the binary that wrote it (its name hashes the binary's identity), so both
// sides walk the same types. Nil and empty slices and maps stay apart, as
// reflect.DeepEqual tells them apart (encodeCached checks that a value reads
// back equal before it is kept). A damaged file is an error, never a panic
// or a huge allocation: every length is checked against the bytes left.
//
//	bool          one byte, 0 or 1
//	int kinds     zig-zag varint
//	uint kinds    varint
//	string        varint length, bytes
//	pointer       0 for nil, else 1 and the value
//	slice, map    0 for nil, else 1+length and the elements (a map's
//	              keys sorted, each key then its value)
//	array         the elements
//	struct        the exported fields

var errCodec = errors.New("lesson cache: bad data")

// exported lists the indices of a struct type's exported fields.
var exported sync.Map // reflect.Type → []int

func exportedFields(t reflect.Type) []int {
	if f, ok := exported.Load(t); ok {
		return f.([]int)
	}
	var f []int
	for i := range t.NumField() {
		if t.Field(i).IsExported() {
			f = append(f, i)
		}
	}
	exported.Store(t, f)
	return f
}

// appendValue appends v's encoding to b.
func appendValue(b []byte, v reflect.Value) ([]byte, error) {
	var err error
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			return append(b, 1), nil
		}
		return append(b, 0), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return binary.AppendVarint(b, v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return binary.AppendUvarint(b, v.Uint()), nil
	case reflect.String:
		s := v.String()
		return append(binary.AppendUvarint(b, uint64(len(s))), s...), nil
	case reflect.Pointer:
		if v.IsNil() {
			return append(b, 0), nil
		}
		return appendValue(append(b, 1), v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return append(b, 0), nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return append(binary.AppendUvarint(b, uint64(v.Len())+1), v.Bytes()...), nil
		}
		b = binary.AppendUvarint(b, uint64(v.Len())+1)
		for i := range v.Len() {
			if b, err = appendValue(b, v.Index(i)); err != nil {
				return nil, err
			}
		}
		return b, nil
	case reflect.Array:
		for i := range v.Len() {
			if b, err = appendValue(b, v.Index(i)); err != nil {
				return nil, err
			}
		}
		return b, nil
	case reflect.Map:
		if v.IsNil() {
			return append(b, 0), nil
		}
		if v.Type().Key().Kind() != reflect.String {
			return nil, errCodec
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			if a.String() < b.String() {
				return -1
			}
			return 1
		})
		b = binary.AppendUvarint(b, uint64(len(keys))+1)
		for _, k := range keys {
			if b, err = appendValue(b, k); err != nil {
				return nil, err
			}
			if b, err = appendValue(b, v.MapIndex(k)); err != nil {
				return nil, err
			}
		}
		return b, nil
	case reflect.Struct:
		for _, i := range exportedFields(v.Type()) {
			if b, err = appendValue(b, v.Field(i)); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	return nil, errCodec // interfaces, functions, channels, floats: not in a lesson
}

// decoder reads a value appendValue wrote (codec_lesson.go; the
// reflection form, the reference, is in the tests). Strings are slices of one
// string holding the whole input: one copy for all of them.
type decoder struct {
	s   string
	off int
}

func (d *decoder) byte() (byte, error) {
	if d.off >= len(d.s) {
		return 0, errCodec
	}
	c := d.s[d.off]
	d.off++
	return c, nil
}

func (d *decoder) uvarint() (uint64, error) {
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		c, err := d.byte()
		if err != nil {
			return 0, err
		}
		if c < 0x80 {
			return x | uint64(c)<<shift, nil
		}
		x |= uint64(c&0x7f) << shift
	}
	return 0, errCodec
}

// length reads a slice's or map's 1+length (0 for nil), at most the bytes
// left: every element takes at least one byte.
func (d *decoder) length() (n int, isNil bool, err error) {
	u, err := d.uvarint()
	if err != nil {
		return 0, false, err
	}
	if u == 0 {
		return 0, true, nil
	}
	if u-1 > uint64(len(d.s)-d.off) {
		return 0, false, errCodec
	}
	return int(u - 1), false, nil
}

// marshalLesson encodes l for a cache file.
func marshalLesson(l *Lesson) ([]byte, error) {
	return appendValue(nil, reflect.ValueOf(l).Elem())
}

// unmarshalLesson decodes what marshalLesson wrote, all of it, with the
// lesson types' own decoder (codec_lesson.go).
func unmarshalLesson(b []byte) (*Lesson, error) {
	l := &Lesson{}
	d := &decoder{s: string(b)}
	if err := d.lesson(l); err != nil {
		return nil, err
	}
	if d.off != len(d.s) {
		return nil, errCodec
	}
	return l, nil
}
