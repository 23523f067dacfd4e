package runtime

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"kscript.dev/kscript/kernelsim"
)

// loadFile loads testdata/modules/NAME.star into m.
func loadFile(t *testing.T, m *Machine, name string) {
	t.Helper()
	path := "testdata/modules/" + name + ".star"
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.LoadScript(path, src, ""); err != nil {
		t.Fatalf("LoadScript(%s): %v", path, err)
	}
}

// loadSource loads a script given as text under the file name path.
func loadSource(t *testing.T, m *Machine, path, src string) error {
	t.Helper()
	return m.LoadScript(path, []byte(src), "")
}

// logText returns the texts of the records logged since seq.
func logText(m *Machine, seq uint64) []string {
	var out []string
	for _, r := range m.k.LogSince(seq) {
		out = append(out, r.Text)
	}
	return out
}

// matchLines checks that each pattern matches a line, in order.
func matchLines(t *testing.T, lines []string, patterns ...string) {
	t.Helper()
	i := 0
	for _, p := range patterns {
		re := regexp.MustCompile("^" + p + "$")
		for i < len(lines) && !re.MatchString(lines[i]) {
			i++
		}
		if i == len(lines) {
			t.Fatalf("no line matches %q after the earlier ones in:\n%s", p, strings.Join(lines, "\n"))
		}
		i++
	}
}

// freeCounts returns /proc/buddyinfo and the free pages in total, those on
// the per-CPU lists included: after rmmod the total is what it was before
// insmod, while buddyinfo moves by per-CPU batches, as on Linux.
func freeCounts(t *testing.T, m *Machine) (buddyinfo string, total int64) {
	t.Helper()
	s, err := m.k.ReadProc("/proc/buddyinfo")
	if err != nil {
		t.Fatal(err)
	}
	mi, _ := m.k.ReadProc("/proc/meminfo")
	var kb int64
	fmt.Sscanf(mi[strings.Index(mi, "MemFree:")+len("MemFree:"):], "%d", &kb)
	return s, kb/4 + m.k.FreePCPPages()
}

// TestSeedModules runs the Starlark ports of the workshop's modules through
// insmod and rmmod and checks the seed's dmesg lines.
func TestSeedModules(t *testing.T) {
	tests := []struct {
		name       string
		insmod, rm []string // dmesg patterns
	}{
		{"hello_kmalloc",
			[]string{`hello_kmalloc: loading out-of-tree module taints kernel\.`,
				`hello_kmalloc: module verification failed: signature and/or required key missing - tainting kernel`,
				`Loading hello_kmalloc module\.\.\.`,
				`Allocated buffer contains: Hello from the kernel!`},
			[]string{`Memory freed\. Exiting module\.`}},
		{"page_alloc_test",
			[]string{`Loading page_alloc_test module\.\.\.`,
				`Successfully allocated 4 pages \(16384 bytes\) at virtual address 00000000[0-9a-f]{8}`,
				`Buffer content: Hello from a large contiguous buffer!`},
			[]string{`Successfully freed allocated pages\. Module unloaded\.`}},
		{"vmalloc_test",
			[]string{`Loading vmalloc_test module\.\.\.`,
				`Attempting to allocate 32 MB of memory with vmalloc\.`,
				`vmalloc successful! Virtual address: 00000000[0-9a-f]{8}`,
				`Content at the start of the buffer: Hello from a 32MB vmalloc'd buffer!`},
			[]string{`vfree called\. Memory has been freed\.`, `vmalloc_test module unloaded\.`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTestMachine(t)
			loadFile(t, m, tt.name)
			before, beforeTotal := freeCounts(t, m)
			seq := m.k.NextSeq()
			if err := m.Insmod(tt.name+".ko", nil); err != nil {
				t.Fatalf("insmod: %v\n%s", err, dmesgTail(m, 30))
			}
			matchLines(t, logText(m, seq), tt.insmod...)
			if got := m.Loaded(); len(got) != 1 || got[0] != tt.name {
				t.Errorf("Loaded() = %v, want [%s]", got, tt.name)
			}
			seq = m.k.NextSeq()
			if err := m.Rmmod(tt.name); err != nil {
				t.Fatalf("rmmod: %v\n%s", err, dmesgTail(m, 30))
			}
			matchLines(t, logText(m, seq), tt.rm...)
			if after, total := freeCounts(t, m); total != beforeTotal {
				t.Errorf("%d pages free after rmmod, %d before insmod; /proc/buddyinfo after:\n%s\nbefore:\n%s", total, beforeTotal, after, before)
			}
			if err := m.k.CheckInvariants(); err != nil {
				t.Errorf("CheckInvariants: %v", err)
			}
			if len(m.Loaded()) != 0 {
				t.Errorf("Loaded() = %v after rmmod", m.Loaded())
			}
		})
	}
}

// TestSeedFreePagesMistake: the seed's free_pages(my_pages, order) is
// refused as a compiler would refuse it, naming __free_pages and the line.
func TestSeedFreePagesMistake(t *testing.T) {
	m := newTestMachine(t)
	loadFile(t, m, "page_alloc_wrong")
	if err := m.Insmod("page_alloc_wrong.ko", nil); err != nil {
		t.Fatal(err)
	}
	err := m.Rmmod("page_alloc_wrong")
	var se *ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("rmmod: %v (%T), want *ScriptError", err, err)
	}
	want := "free_pages: for parameter addr: got struct page *, want an address (unsigned long): use __free_pages(page, order) for a struct page *"
	if se.Pos != "testdata/modules/page_alloc_wrong.star:34:19" || se.Msg != want {
		t.Errorf("error = %q at %q, want %q at testdata/modules/page_alloc_wrong.star:34:19", se.Msg, se.Pos, want)
	}
}

// TestHashedPointersFollowSeed: %p hashes with the seed's key.
func TestHashedPointersFollowSeed(t *testing.T) {
	line := func(seed uint64) string {
		m, err := NewMachine(Options{Kernel: kernelsim.Config{Seed: seed}})
		if err != nil {
			t.Fatal(err)
		}
		loadFile(t, m, "page_alloc_test")
		seq := m.k.NextSeq()
		if err := m.Insmod("page_alloc_test.ko", nil); err != nil {
			t.Fatal(err)
		}
		for _, l := range logText(m, seq) {
			if strings.HasPrefix(l, "Successfully allocated") {
				return l
			}
		}
		t.Fatal("no allocation line")
		return ""
	}
	if a, b := line(7), line(7); a != b {
		t.Errorf("same seed, different lines:\n%s\n%s", a, b)
	}
	if a, b := line(7), line(8); a == b {
		t.Errorf("different seeds, same hashed pointer: %s", a)
	}
}

// TestDeterministic: the same scripts and seed give the same kernel log,
// byte for byte, timestamps and hashed pointers included.
func TestDeterministic(t *testing.T) {
	run := func() string {
		m := newTestMachine(t)
		loadFile(t, m, "page_alloc_test")
		loadFile(t, m, "atomic_kmalloc_test")
		for _, ko := range []string{"page_alloc_test.ko", "atomic_kmalloc_test.ko"} {
			if err := m.Insmod(ko, nil); err != nil {
				t.Fatal(err)
			}
			if err := m.RunDeferred(); err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range []string{"atomic_kmalloc_test", "page_alloc_test"} {
			if err := m.Rmmod(name); err != nil {
				t.Fatal(err)
			}
		}
		var b strings.Builder
		for _, r := range m.k.Log() {
			b.WriteString(r.String() + "\n")
		}
		return b.String()
	}
	if a, b := run(), run(); a != b {
		t.Errorf("two runs differ:\n%s\n---\n%s", a, b)
	}
}
