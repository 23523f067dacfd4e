package main

import (
	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/grade"
)

func (a *app) testCommand() *command {
	return &command{
		use:   "test [PATH…]",
		short: "Self-check lessons: each script against its lesson, each solution and starter against its checks",
		long: `test is the lesson author's self-check (default: every lesson in lessons/; a
folder stands for its lesson files, a .star file for the lesson beside it).
For each lesson it runs the lesson's script through its scenario, which must
meet every expectation with a healthy kernel; for an exercise it grades the
reference solution, which must earn full marks, and the starter, which must
not. Output is KTAP (Documentation/dev-tools/ktap.rst): a test per lesson,
a subtest per part, the kernel log and any failed expectation as "# "
diagnostics. Checks this kscript cannot run (fault injection, on a build
without it) are named in the diagnostics and do not count against a solution.
Exit 0 when every lesson passes.`,
		example: "  kscript test\n  kscript test lessons/01_kmalloc.yaml lessons/03_atomic.yaml\n  kscript test my_lessons/",
		run:     func(_ *command, args []string) error { return a.test(args) },
	}
}

func (a *app) test(paths []string) error {
	files, err := lessonArgs(paths)
	if err != nil {
		return err
	}
	applyGCPolicy(a.getenv)
	kruntime.SetProgramCacheDir(a.boot.Dir()) // as kscript run keeps them
	cfg := grade.Config{Options: a.opts, NewMachine: a.newMachine}
	var tests []*grade.LessonTest
	ok := true
	for _, f := range files {
		t := grade.TestLesson(cfg, f, a.lang)
		ok = ok && t.OK()
		tests = append(tests, t)
	}
	if err := grade.WriteKTAP(a.stdout, tests); err != nil {
		return a.lost("test", err)
	}
	if !ok {
		return &exitError{code: exitFailed}
	}
	return nil
}
