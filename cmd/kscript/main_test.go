package main

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/scenario"
	"kscript.dev/kscript/runtime/scenario/scenariotest"
)

var update = flag.Bool("update", false, "update the golden files of the testscript scenarios")

func TestMain(m *testing.M) {
	if os.Getenv(ptyChildEnv) != "" { // a child of TestShellTerminal
		os.Exit(testKscript())
	}
	// The boot images of the tests' runs go to a folder of their own, not
	// the user's cache (a test binary's images serve no other binary).
	if os.Getenv("KSCRIPT_BOOT_CACHE") == "" {
		os.Setenv("KSCRIPT_BOOT_CACHE", filepath.Join(os.TempDir(), "kscript-test-boot-"+strconv.Itoa(os.Getuid())))
	}
	testscript.Main(m, map[string]func(){
		"kscript": func() { os.Exit(testKscript()) },
	})
}

// testKscript runs the CLI in a testscript process. It uses the bridge's
// machine when it works, else the stand-in of scenariotest; a scenario can
// ask for the stand-in with KSCRIPT_TEST_MACHINE=fake (its golden
// transcripts must not change when the bridge lands).
func testKscript() int {
	a := newApp(os.Stdin, os.Stdout, os.Stderr)
	if os.Getenv("KSCRIPT_TEST_MACHINE") == "fake" || !bridgeWorks() {
		a.newMachine = func(o kruntime.Options) (scenario.Machine, error) { return scenariotest.New(o) }
	}
	return a.main(os.Args[1:])
}

// bridgeWorks reports whether kruntime.NewMachine is implemented yet.
func bridgeWorks() (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_, err := kruntime.NewMachine(kruntime.Options{})
	return err == nil
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata",
		UpdateScripts:       *update || os.Getenv("KSCRIPT_UPDATE") != "",
		RequireExplicitExec: true,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"kexit": kexit},
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			env.Setenv("LANG", "C.UTF-8")
			return nil
		},
	})
}

// kexit runs kscript and asserts its exit status: "kexit 2 run --bogus x.star".
// Its stdout and stderr are then checked with the stdout and stderr commands.
func kexit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: kexit STATUS ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("kexit: bad status %q", args[0])
	}
	err = ts.Exec("kscript", args[1:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("kscript %s: %v", strings.Join(args[1:], " "), err)
	}
	if got != want {
		ts.Fatalf("kscript %s: exit status %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}
