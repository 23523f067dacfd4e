package runtime

import (
	"testing"

	"kscript.dev/kscript/kernelsim"
)

// TestReadLog: a read() delivers the bytes its handler wrote into the
// buffer during that read, up to what it returned; bytes it returned
// without writing them are counted as forged.
func TestReadLog(t *testing.T) {
	const buf = kernelsim.Addr(0x10000)
	tests := []struct {
		name   string
		writes func(tr *readTrace)
		count  uint64
		ret    int64
		data   string
		forged int
	}{
		{"whole copy", func(tr *readTrace) { tr.wrote(buf, []byte("Data\n")) }, 8, 5, "Data\n", 0},
		{"count caps", func(tr *readTrace) { tr.wrote(buf, []byte("Data from kernel\n")) }, 5, 17, "Data ", 0},
		{"returned more than written", func(tr *readTrace) { tr.wrote(buf, []byte("D")) }, 5, 5, "D\x00\x00\x00\x00", 4},
		{"in two pieces", func(tr *readTrace) { tr.wrote(buf+2, []byte("ta")); tr.wrote(buf, []byte("Da")) }, 4, 4, "Data", 0},
		{"outside the buffer", func(tr *readTrace) { tr.wrote(buf+8, []byte("x")); tr.wrote(buf-1, []byte("y")) }, 4, 0, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l readLog
			f := &kernelsim.File{Path: "/dev/x"}
			prev := l.begin(buf, tt.count)
			tt.writes(l.cur)
			l.end(f, tt.ret, 3, prev)
			if len(l.files) != 1 {
				t.Fatalf("%d files recorded, want 1", len(l.files))
			}
			r := l.files[0]
			if string(r.Data) != tt.data || r.Forged != tt.forged || r.Path != "/dev/x" || r.Step != 3 {
				t.Errorf("got %+v, want data %q, %d forged", *r, tt.data, tt.forged)
			}
		})
	}
}
