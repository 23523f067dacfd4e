package kernelsim

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func scriptModule(name string) ModuleSpec {
	return ModuleSpec{Name: name, License: "GPL", Author: "Your Name", HasInit: true, HasExit: true, InitFunc: name + "_init"}
}

// insmod loads spec and runs a successful init.
func insmod(t *testing.T, k *Kernel, spec ModuleSpec, args ...string) *Module {
	t.Helper()
	m, err := k.LoadModule(spec, args)
	if err != nil {
		t.Fatalf("LoadModule(%s): %v", spec.Name, err)
	}
	if err := k.ModuleInitReturned(m, 0); err != nil {
		t.Fatal(err)
	}
	return m
}

// rmmod unloads m with an exit that does nothing.
func rmmod(t *testing.T, k *Kernel, m *Module) {
	t.Helper()
	if err := k.ModuleUnload(m); err != nil {
		t.Fatalf("ModuleUnload(%s): %v", m.Name, err)
	}
	k.ModuleFree(m)
}

func TestModuleTaintLines(t *testing.T) {
	const (
		oot    = "%s: loading out-of-tree module taints kernel."
		verify = "%s: module verification failed: signature and/or required key missing - tainting kernel"
		lic    = "%s: module license '%s' taints kernel."
		lockd  = "Disabling lock debugging due to kernel taint"
	)
	type load struct {
		name, license string
		want          []string // log lines, %s is the name (and license)
	}
	cases := []struct {
		name   string
		loads  []load
		taints string // print_tainted letters at the end
	}{
		{"first module prints both lines", []load{{"hello", "GPL", []string{oot, verify}}}, "G           OE     "},
		{"only once per boot", []load{{"hello", "GPL", []string{oot, verify}}, {"second", "GPL", nil}}, "G           OE     "},
		{"again after an unload", []load{{"hello", "GPL", []string{oot, verify}}, {"hello", "GPL", nil}}, "G           OE     "},
		{"proprietary license", []load{{"blob", "Proprietary", []string{oot, lic, lockd, verify}}}, "P           OE     "},
		{"dual license is GPL-compatible", []load{{"dual", "Dual MIT/GPL", []string{oot, verify}}}, "G           OE     "},
		{"no license at all", []load{{"nolic", "", []string{oot, lic, lockd, verify}}}, "P           OE     "},
		{"license line once, lock debugging once", []load{
			{"a", "Proprietary", []string{oot, lic, lockd, verify}}, {"b", "MIT", nil}}, "P           OE     "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := newVMTestKernel(t)
			for _, l := range tc.loads {
				spec := scriptModule(l.name)
				spec.License = l.license
				seq := k.NextSeq()
				m := insmod(t, k, spec)
				var want []string
				for _, w := range l.want {
					license := l.license
					if license == "" {
						license = "unspecified"
					}
					if strings.Count(w, "%s") == 2 {
						w = fmt.Sprintf(w, l.name, license)
					} else if strings.Contains(w, "%s") {
						w = fmt.Sprintf(w, l.name)
					}
					want = append(want, w)
				}
				if got := vmLogSince(k, seq); strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("loading %s logged:\n%s\nwant:\n%s", l.name, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				rmmod(t, k, m)
			}
			if got := k.TaintString(); got != "Tainted: "+tc.taints {
				t.Errorf("%q, want %q", got, "Tainted: "+tc.taints)
			}
		})
	}
}

func TestModuleTaintLevels(t *testing.T) {
	k := newVMTestKernel(t)
	seq := k.NextSeq()
	insmod(t, k, scriptModule("hello"))
	recs := k.LogSince(seq)
	if len(recs) != 2 || recs[0].Level != LogWarning || recs[1].Level != LogNotice {
		t.Errorf("levels %+v: want pr_warn then pr_notice", recs)
	}
}

func TestProcModules(t *testing.T) {
	k := newVMTestKernel(t)
	m, err := k.LoadModule(scriptModule("hello"), nil)
	if err != nil {
		t.Fatal(err)
	}
	line := func() string { return strings.SplitN(k.procModules(), "\n", 2)[0] }
	base := m.Base()
	steps := []struct {
		name string
		do   func()
		want string
	}{
		{"loading: init layout counted, init holds a reference", func() {}, "hello 20480 1 - Loading 0x%016x (OE+)"},
		{"live", func() { k.ModuleInitReturned(m, 0) }, "hello 16384 0 - Live 0x%016x (OE)"},
		{"in use", func() { k.ModuleGet(m) }, "hello 16384 1 - Live 0x%016x (OE)"},
		{"released", func() { k.ModulePut(m) }, "hello 16384 0 - Live 0x%016x (OE)"},
		{"unloading", func() { k.ModuleUnload(m) }, "hello 16384 -1 - Unloading 0x%016x (OE-)"},
	}
	for _, s := range steps {
		s.do()
		if want := fmt.Sprintf(s.want, uint64(base)); line() != want {
			t.Errorf("%s: %q, want %q", s.name, line(), want)
		}
	}
	k.ModuleFree(m)
	if k.FindModule("hello") != nil || strings.Contains(k.procModules(), "hello") {
		t.Error("hello still listed after ModuleFree")
	}
	if got := k.printModules(); !strings.HasSuffix(got, " [last unloaded: hello(OE)]") {
		t.Errorf("print_modules: %q", got)
	}
	// A boot module with holders, untainted.
	if !strings.Contains(k.procModules(), "\nlibata 409600 2 ata_generic,ata_piix, Live 0xffffffffc") {
		t.Errorf("libata line missing:\n%s", k.procModules())
	}
}

func TestProcModulesPermanent(t *testing.T) {
	k := newVMTestKernel(t)
	spec := scriptModule("noexit")
	spec.HasExit = false
	m := insmod(t, k, spec)
	if want := fmt.Sprintf("noexit 16384 0 [permanent], Live 0x%016x (OE)\n", uint64(m.Base())); !strings.HasPrefix(k.procModules(), want) {
		t.Errorf("got %q, want %q", strings.SplitN(k.procModules(), "\n", 2)[0], want)
	}
}

func TestLsmod(t *testing.T) {
	k := newVMTestKernel(t)
	insmod(t, k, scriptModule("hello_kmalloc"))
	lines := strings.Split(k.Lsmod(), "\n")
	want := []string{
		"Module                  Size  Used by",
		"hello_kmalloc          16384  0", // measured on Debian 12's 6.1.0-28
		"binfmt_misc            28672  1", // kmod prints no blank after the count
	}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("line %d: %q, want %q", i, lines[i], w)
		}
	}
	if !strings.Contains(k.Lsmod(), "\nvirtio_ring            45056  3 virtio_blk,virtio_net,virtio_pci\n") {
		t.Errorf("holders not listed:\n%s", k.Lsmod())
	}
	if !strings.Contains(k.Lsmod(), "\nvirtio_pci_modern_dev    16384  1 virtio_pci\n") {
		t.Errorf("a long name must push the size right, as %%-19s %%8ld does")
	}
}

func TestModuleUnloadRefused(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(t *testing.T, k *Kernel) *Module
		inUse   bool
		holders []string
	}{
		{"open file holds a reference", func(t *testing.T, k *Kernel) *Module {
			m := insmod(t, k, scriptModule("dev"))
			k.ModuleGet(m)
			return m
		}, true, nil},
		{"used by other modules", func(t *testing.T, k *Kernel) *Module { return k.FindModule("libata") }, true, []string{"ata_generic", "ata_piix"}},
		{"init Oopsed: stuck loading, init's reference held", func(t *testing.T, k *Kernel) *Module {
			m, _ := k.LoadModule(scriptModule("oops"), nil)
			return m
		}, true, nil},
		{"no exit function", func(t *testing.T, k *Kernel) *Module {
			spec := scriptModule("noexit")
			spec.HasExit = false
			return insmod(t, k, spec)
		}, false, nil},
		{"exit Oopsed: stuck unloading", func(t *testing.T, k *Kernel) *Module {
			m := insmod(t, k, scriptModule("badexit"))
			if err := k.ModuleUnload(m); err != nil {
				t.Fatal(err)
			}
			return m
		}, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := newVMTestKernel(t)
			m := tc.setup(t, k)
			state := m.State
			err := k.ModuleUnload(m)
			var ue *UnloadError
			if !errors.As(err, &ue) || !errors.Is(err, EBUSY) {
				t.Fatalf("ModuleUnload = %v, want *UnloadError with EBUSY", err)
			}
			if ue.InUse != tc.inUse || strings.Join(ue.Holders, " ") != strings.Join(tc.holders, " ") {
				t.Errorf("InUse %v holders %q, want %v %q", ue.InUse, ue.Holders, tc.inUse, tc.holders)
			}
			if m.State != state || k.FindModule(m.Name) != m {
				t.Errorf("a refused unload changed the module: state %v", m.State)
			}
		})
	}
}

func TestModuleInitFailed(t *testing.T) {
	k := newVMTestKernel(t)
	insmod(t, k, scriptModule("first")) // the taint lines, once
	buddy, used := k.procBuddyinfo(), k.VmallocNrPages()
	seq := k.NextSeq()
	m, err := k.LoadModule(scriptModule("failing"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.ModuleInitReturned(m, -int(ENOMEM)); err != ENOMEM {
		t.Fatalf("ModuleInitReturned(-ENOMEM) = %v, want ENOMEM", err)
	}
	if k.FindModule("failing") != nil {
		t.Error("module still listed")
	}
	if got := vmLogSince(k, seq); len(got) != 0 {
		t.Errorf("Linux prints nothing for a failed init; logged %q", got)
	}
	if k.procBuddyinfo() != buddy || k.VmallocNrPages() != used {
		t.Errorf("module memory not freed")
	}
	if strings.Contains(k.printModules(), "last unloaded") {
		t.Error("a failed load is not an unload")
	}
	checkInvariants(t, k)
}

func TestModuleExists(t *testing.T) {
	k := newVMTestKernel(t)
	insmod(t, k, scriptModule("hello"))
	buddy := k.procBuddyinfo()
	if _, err := k.LoadModule(scriptModule("hello"), nil); err != EEXIST {
		t.Fatalf("second load: %v, want EEXIST", err)
	}
	if _, err := k.LoadModule(scriptModule("ext4"), nil); err != EEXIST {
		t.Fatalf("loading over a boot module: %v, want EEXIST", err)
	}
	if k.procBuddyinfo() != buddy {
		t.Error("the refused module's memory was not freed")
	}
	checkInvariants(t, k)
}

func TestModuleMemory(t *testing.T) {
	k := newVMTestKernel(t)
	buddy := k.procBuddyinfo()
	spec := scriptModule("buffers")
	spec.DataSize = 32
	m := insmod(t, k, spec)
	if m.Base() < ModulesVaddr || m.Base()&(PageSize-1) != 0 {
		t.Fatalf("base %#x not a page in the module space", m.Base())
	}
	buf := make([]byte, 32)
	if err := k.ReadMem(m.DataAddr(0), buf); err != nil || string(buf) != string(make([]byte, 32)) {
		t.Fatalf("data section: %v %q, want zeroes", err, buf)
	}
	if err := k.WriteMem(m.DataAddr(0), []byte("Initial kernel message.\n")); err != nil {
		t.Fatal(err)
	}
	if m.ThisModule() != m.DataAddr(64) {
		t.Errorf("THIS_MODULE at %#x, want right after the data (%#x)", m.ThisModule(), m.DataAddr(64))
	}
	data := m.DataAddr(0)
	rmmod(t, k, m)
	var oops *Oops
	if err := k.ReadMem(data, buf); !errors.As(err, &oops) {
		t.Errorf("reading an unloaded module's data: %v, want an Oops", err)
	}
	if k.procBuddyinfo() != buddy {
		t.Error("module memory not returned")
	}
	checkInvariants(t, k)
}

func TestModuleInitSymbol(t *testing.T) {
	k := newVMTestKernel(t)
	m, _ := k.LoadModule(scriptModule("hello"), nil)
	init := Frame{Func: "hello_init", File: "hello.star", Line: 12, Col: 3, Module: "hello"}
	helper := Frame{Func: "fill", File: "hello.star", Line: 30, Col: 9, Module: "hello"}
	c := vmCaller{frame: init, mod: m}
	if s := c.String(); !strings.HasPrefix(s, "hello_init+0x") || !strings.HasSuffix(s, "/0x1000 [hello]") {
		t.Errorf("init caller %q", s)
	}
	h := vmCaller{frame: helper, mod: m}
	before := h.String()
	k.ModuleInitReturned(m, 0)
	if s := c.String(); s != fmt.Sprintf("0x%x", uint64(m.frameAddr(init))) {
		t.Errorf("after init, the freed init code prints as an address; got %q", s)
	}
	if h.String() != before || !strings.HasSuffix(before, " [hello]") {
		t.Errorf("a core function keeps its symbol: %q then %q", before, h.String())
	}
}

func TestModuleParams(t *testing.T) {
	params := func() []ModuleParam {
		return []ModuleParam{
			{Name: "count", Type: "int", Value: "1"},
			{Name: "size", Type: "ulong", Value: "128"},
			{Name: "debug", Type: "bool", Value: "N"},
			{Name: "quiet", Type: "invbool", Value: "N"},
			{Name: "name", Type: "charp", Value: "world"},
			{Name: "small", Type: "byte", Value: "0"},
			{Name: "buf_size", Type: "uint", Value: "32"},
		}
	}
	cases := []struct {
		name string
		args []string
		err  error
		want map[string]string
		log  []string
	}{
		{"defaults", nil, nil, map[string]string{"count": "1", "name": "world"}, nil},
		{"decimal, hex, octal", []string{"count=-42", "size=0x10", "small=017"}, nil, map[string]string{"count": "-42", "size": "16", "small": "15"}, nil},
		{"bool forms", []string{"debug", "quiet=y"}, nil, map[string]string{"debug": "Y", "quiet": "N"}, nil},
		{"dash equals underscore", []string{"buf-size=64"}, nil, map[string]string{"buf_size": "64"}, nil},
		{"unknown parameter ignored", []string{"bogus=1", "count=2"}, nil, map[string]string{"count": "2"},
			[]string{"m: unknown parameter 'bogus' ignored"}},
		{"not a number", []string{"count=abc"}, EINVAL, nil, []string{"m: `abc' invalid for parameter `count'"}},
		{"out of range", []string{"small=256"}, ERANGE, nil, []string{"m: `256' invalid for parameter `small'"}},
		{"negative unsigned", []string{"size=-1"}, EINVAL, nil, []string{"m: `-1' invalid for parameter `size'"}},
		{"int needs a value", []string{"count"}, EINVAL, nil, []string{"m: `' invalid for parameter `count'"}},
		{"every argument is parsed", []string{"count=x", "size=y"}, EINVAL, nil,
			[]string{"m: `x' invalid for parameter `count'", "m: `y' invalid for parameter `size'"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := newVMTestKernel(t)
			insmod(t, k, scriptModule("first"))
			buddy := k.procBuddyinfo()
			spec := scriptModule("m")
			spec.Params = params()
			seq := k.NextSeq()
			m, err := k.LoadModule(spec, tc.args)
			if err != tc.err {
				t.Fatalf("LoadModule = %v, want %v", err, tc.err)
			}
			if got := vmLogSince(k, seq); strings.Join(got, "\n") != strings.Join(tc.log, "\n") {
				t.Errorf("logged %q, want %q", got, tc.log)
			}
			if err != nil {
				if k.FindModule("m") != nil || k.procBuddyinfo() != buddy {
					t.Error("a refused module must be freed")
				}
				return
			}
			for name, want := range tc.want {
				if got := m.param(name).Value; got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if spec.Params[0].Value != "1" {
				t.Error("LoadModule changed the spec's defaults")
			}
		})
	}
}

func TestBootModules(t *testing.T) {
	k := newVMTestKernel(t)
	mods := k.Modules()
	if len(mods) < 20 || mods[len(mods)-1].Name != "scsi_common" || mods[0].Name != "binfmt_misc" {
		t.Fatalf("%d boot modules, oldest %s", len(mods), mods[len(mods)-1].Name)
	}
	for _, m := range mods {
		if m.Taints() != "" || m.State != ModuleLive || m.Base() < ModulesVaddr {
			t.Errorf("%s: taints %q state %v base %#x", m.Name, m.Taints(), m.State, m.Base())
		}
		if m.Refcount() < len(m.users) {
			t.Errorf("%s: refcount %d below its %d users", m.Name, m.Refcount(), len(m.users))
		}
	}
	if k.TaintString() != "Not tainted" {
		t.Errorf("boot modules taint the kernel: %s", k.TaintString())
	}
	// An unused boot module can be removed, and its users' counts drop.
	ata := k.FindModule("ata_piix")
	rmmod(t, k, ata)
	if lib := k.FindModule("libata"); lib.Refcount() != 1 || len(lib.users) != 1 {
		t.Errorf("libata after rmmod ata_piix: refcount %d users %d", lib.Refcount(), len(lib.users))
	}
}
