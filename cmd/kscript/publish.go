package main

import (
	"fmt"
	"os"
	"path/filepath"

	"kscript.dev/kscript/runtime/lesson"
)

func (a *app) publishCommand() *command {
	return &command{
		use:   "publish DIR [PATH…]",
		short: "Write the public form of lessons (what students get) into DIR",
		long: `publish writes the public form of each lesson (default: every lesson in
lessons/; a folder stands for its lesson files) into DIR: the lesson file
without its hidden checks (every visibility but visible), its solution, its
expectations and its full-line comments, marked public: true, and beside it
the files students may read: the exercise's starter and the lesson's programs
files, at the same relative paths. The lesson's own script and the reference
solution stay on the grading host.

A public form lints clean and grades a student's work on the visible checks
(kscript grade --lesson DIR/NN_name.yaml mine.star); kscript test refuses it.
DIR must not be a lesson's own folder. Exit 3 when a lesson has no public form
(a visible check that needs a hidden one, a check not written as a block item).`,
		example: "  kscript publish public/\n  kscript publish handout/ lessons/08_copy_from_user.yaml",
		args:    minimumNArgs(1),
		run:     func(_ *command, args []string) error { return a.publish(args[0], args[1:]) },
	}
}

func (a *app) publish(dir string, paths []string) error {
	files, err := lessonArgs(paths)
	if err != nil {
		return err
	}
	out, err := filepath.Abs(dir)
	if err != nil {
		return fail(exitUsage, "kscript: publish: %v", err)
	}
	for _, f := range files {
		if src, _ := filepath.Abs(filepath.Dir(f)); src == out {
			return fail(exitUsage, "kscript: publish: %s is the folder of %s: write the public form elsewhere", dir, f)
		}
	}
	for _, f := range files {
		if err := a.publishOne(dir, f); err != nil {
			return err
		}
	}
	return nil
}

// publishOne writes the public form of lesson file f into dir.
func (a *app) publishOne(dir, f string) error {
	l, err := lesson.Load(f)
	if err != nil {
		return inputError(err)
	}
	src, names, err := l.PublicForm()
	if err != nil {
		return fail(exitInput, "%v", err)
	}
	if err := a.writePublic(filepath.Join(dir, filepath.Base(f)), src); err != nil {
		return err
	}
	for _, n := range names {
		data, err := os.ReadFile(l.Rel(n))
		if err != nil {
			return fail(exitUsage, "kscript: publish: %s", fileError(err))
		}
		if err := a.writePublic(filepath.Join(dir, n), data); err != nil {
			return err
		}
	}
	return nil
}

// writePublic writes one file of a public form and names it on stdout.
func (a *app) writePublic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fail(exitUsage, "kscript: publish: %v", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fail(exitUsage, "kscript: publish: %v", err)
	}
	fmt.Fprintln(a.stdout, path)
	return nil
}
