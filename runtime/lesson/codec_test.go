package lesson

import (
	"os"
	"reflect"
	"testing"

	"github.com/goccy/go-yaml"
)

// undecoded is lesson 08 as the YAML decoder leaves it, before
// validation: what the cache keeps.
func undecoded(t *testing.T) *Lesson {
	t.Helper()
	src, err := os.ReadFile("../../lessons/08_copy_from_user.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l := &Lesson{}
	if err := yaml.UnmarshalWithOptions(src, l, strict()...); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestCodecRoundTrip: a lesson reads back equal, nil and empty slices and
// maps apart.
func TestCodecRoundTrip(t *testing.T) {
	l := undecoded(t)
	l.Programs = StringList{}
	l.Expect = &Expect{ExitCode: map[string]int{"insmod": 1, "./user_app": -3}, DmesgNot: []Matcher{}}
	b, err := marshalLesson(l)
	if err != nil {
		t.Fatal(err)
	}
	back, err := unmarshalLesson(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(l, back) {
		t.Fatalf("lesson 08 reads back different:\n%+v\n%+v", l, back)
	}
	if back.Programs == nil || back.Expect.DmesgNot == nil || back.Expect.Dmesg != nil {
		t.Error("nil and empty slices not kept apart")
	}
}

// TestCodecDamaged: every cut of an encoding, and every third byte of it
// changed, decodes to an error or a value, never a panic.
func TestCodecDamaged(t *testing.T) {
	b, err := marshalLesson(undecoded(t))
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(b) {
		if _, err := unmarshalLesson(b[:n]); err == nil {
			t.Fatalf("cut to %d of %d bytes: no error", n, len(b))
		}
	}
	c := make([]byte, len(b))
	for i := 0; i < len(b); i += 3 {
		for _, x := range []byte{0x00, 0x80, 0xff} {
			copy(c, b)
			c[i] = x
			unmarshalLesson(c)
		}
	}
}

// FuzzCodec: whatever bytes a cache file holds (a disk error, another
// program's file, a hostile one), decoding them is an error or a lesson,
// never a panic or a runaway allocation, and a lesson decoded from them
// encodes and decodes back to itself.
func FuzzCodec(f *testing.F) {
	for _, name := range []string{"01_kmalloc", "08_copy_from_user", "12_fragmentation"} {
		src, err := os.ReadFile("../../lessons/" + name + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		l := &Lesson{}
		if err := yaml.UnmarshalWithOptions(src, l, strict()...); err != nil {
			f.Fatal(err)
		}
		b, err := marshalLesson(l)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := unmarshalLesson(b)
		if err != nil {
			return
		}
		again, err := marshalLesson(l)
		if err != nil {
			t.Fatalf("a decoded lesson does not encode: %v", err)
		}
		back, err := unmarshalLesson(again)
		if err != nil {
			t.Fatalf("a re-encoded lesson does not decode: %v", err)
		}
		if !reflect.DeepEqual(l, back) {
			t.Fatalf("a decoded lesson reads back different:\n%+v\n%+v", l, back)
		}
	})
}
