package kernelsim

import (
	"regexp"
	"strings"
	"testing"
)

// TestBootLogOrderAndClock pins the boot lines kernelsim prints, in the
// order Linux prints them, with timestamps that never go back.
func TestBootLogOrderAndClock(t *testing.T) {
	k := bootTest(t, Config{Seed: 3})
	recs := k.Log()
	var texts []string
	for i, r := range recs {
		if i > 0 && r.Time < recs[i-1].Time {
			t.Errorf("record %d %q at %d ns, before %q at %d ns", i, r.Text, r.Time, recs[i-1].Text, recs[i-1].Time)
		}
		texts = append(texts, r.Text)
	}
	if recs[0].Time != 0 || !strings.HasPrefix(recs[0].Text, "Linux version 6.1.0-28-amd64 ") {
		t.Errorf("first record %+v, want the banner at 0.000000", recs[0])
	}
	log := strings.Join(texts, "\n")
	order := []string{
		"Zone ranges:",
		"smpboot: Allowing 2 CPUs, 0 hotplug CPUs",
		"Built 1 zonelists, mobility grouping on.",
		"Memory: ",
		"SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=2, Nodes=1",
		"Freeing initrd memory: ",
		"Freeing unused kernel image (initmem) memory: ",
	}
	at := 0
	for _, want := range order {
		i := strings.Index(log[at:], want)
		if i < 0 {
			t.Fatalf("boot log lacks %q after offset %d:\n%s", want, at, log)
		}
		at += i + len(want)
	}
	if k.Now() < bootTime {
		t.Errorf("clock at %d after boot, want at least %d", k.Now(), int64(bootTime))
	}
}

func TestProcCpuinfo(t *testing.T) {
	k := bootTest(t, Config{Seed: 3})
	text, err := k.ReadProc("/proc/cpuinfo")
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(strings.TrimSuffix(text, "\n\n"), "\n\n")
	if len(blocks) != 2 {
		t.Fatalf("%d CPU blocks, want 2:\n%s", len(blocks), text)
	}
	field := regexp.MustCompile(`^[a-zA-Z_ ]+\t+: ?`)
	for cpu, blk := range blocks {
		lines := strings.Split(blk, "\n")
		if lines[0] != "processor\t: "+string(rune('0'+cpu)) {
			t.Errorf("block %d starts %q", cpu, lines[0])
		}
		for _, l := range lines {
			if !field.MatchString(l) && l != "power management:" {
				t.Errorf("line %q not in show_cpuinfo's \"name\\t: value\" layout", l)
			}
		}
		for _, flag := range []string{" smap ", " smep ", " pdpe1gb ", " arch_capabilities\n"} {
			if !strings.Contains(blk+"\n", flag) {
				t.Errorf("CPU %d lacks flag %q that kernelsim's behaviour depends on", cpu, flag)
			}
		}
		if strings.Contains(blk, " pti ") {
			t.Error("pti flag on a machine whose Oops header says NOPTI")
		}
	}
}

func TestProcStatAndTainted(t *testing.T) {
	k := bootTest(t, Config{Seed: 3})
	stat, _ := k.ReadProc("/proc/stat")
	lines := strings.Split(strings.TrimSuffix(stat, "\n"), "\n")
	wantPrefix := []string{"cpu  ", "cpu0 ", "cpu1 ", "intr ", "ctxt ", "btime ", "processes ", "procs_running ", "procs_blocked ", "softirq "}
	if len(lines) != len(wantPrefix) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(wantPrefix), stat)
	}
	for i, p := range wantPrefix {
		if !strings.HasPrefix(lines[i], p) {
			t.Errorf("line %d %q, want prefix %q", i, lines[i], p)
		}
	}
	if n := len(strings.Fields(lines[0])); n != 11 {
		t.Errorf("cpu line has %d fields, want name + 10 times", n)
	}
	if n := len(strings.Fields(lines[9])); n != 2+NRSoftirqs {
		t.Errorf("softirq line has %d fields, want 2 + %d vectors", n, NRSoftirqs)
	}
	if got, _ := k.ReadProc("/proc/sys/kernel/tainted"); got != "0\n" {
		t.Errorf("tainted before any module: %q", got)
	}
	insmod(t, k, scriptModule("hello"))
	if got, _ := k.ReadProc("/proc/sys/kernel/tainted"); got != "12288\n" {
		t.Errorf("tainted after an out-of-tree unsigned module: %q, want 12288 (O|E)", got)
	}
}
