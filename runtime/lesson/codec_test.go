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
