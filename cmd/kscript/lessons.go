package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"kscript.dev/kscript/runtime/i18n"
	"kscript.dev/kscript/runtime/lesson"
)

// lessonsDir is where kscript looks for lessons by default.
const lessonsDir = "lessons"

func (a *app) lessonsCommand() *command {
	var dir string
	c := &command{
		use:     "lessons",
		short:   "List the lessons",
		long:    "lessons lists the lessons of the lessons folder: id and title, in --lang.",
		example: "  kscript lessons\n  kscript lessons --lang th\n  kscript lessons --dir my_course",
		args:    noArgs,
		run:     func(*command, []string) error { return a.lessons(dir) },
	}
	c.defineFlags = func(fs *flagSet) {
		fs.stringVar(&dir, "dir", lessonsDir, "the lessons folder")
	}
	return c
}

func (a *app) lessons(dir string) error {
	files, err := lessonFiles(dir)
	if err != nil {
		return err
	}
	var bad error
	for _, f := range files {
		l, err := lesson.Load(f)
		if err != nil {
			fmt.Fprintln(a.stderr, err)
			bad = &exitError{code: exitInput}
			continue
		}
		ex := ""
		if x := l.Exercise; x != nil {
			ex = fmt.Sprintf("  [%s]", exerciseSummary(x, a.lang))
		}
		fmt.Fprintf(a.stdout, "%-20s %s%s\n", l.ID, l.Title.In(a.lang), ex)
	}
	return bad
}

// exerciseSummary is "exercise, 10 points" in lang.
func exerciseSummary(x *lesson.Exercise, lang string) string {
	if lang == "th" {
		return fmt.Sprintf("แบบฝึกหัด %d คะแนน", exercisePoints(x))
	}
	return fmt.Sprintf("exercise, %d points", exercisePoints(x))
}

// exercisePoints is the declared total, else the sum of the checks.
func exercisePoints(x *lesson.Exercise) int {
	if x.Points > 0 {
		return x.Points
	}
	n := 0
	for _, c := range x.Checks {
		n += c.Points
	}
	return n
}

// lessonFiles lists the lesson files of a folder, sorted. A folder with no
// lesson file of its own but a lessons/ folder (a repository's root, or the
// folder kscript new scaffolded into) stands for that lessons/ folder.
func lessonFiles(dir string) ([]string, error) {
	dir = resolveLessonsDir(dir)
	if _, err := os.Stat(dir); err != nil {
		return nil, fail(exitUsage, "kscript: %s", fileError(err))
	}
	var files []string
	for _, pat := range []string{"*.yaml", "*.yml"} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		files = append(files, m...)
	}
	sub := filepath.Join(dir, lessonsDir)
	if st, err := os.Stat(sub); len(files) == 0 && err == nil && st.IsDir() {
		return lessonFiles(sub)
	}
	sort.Strings(files)
	return files, nil
}

func (a *app) explainCommand() *command {
	var dir string
	c := &command{
		use:     "explain LESSON",
		short:   "Print a lesson's explanation (--lang th for Thai)",
		example: "  kscript explain 03_atomic\n  kscript explain lessons/03_atomic.yaml --lang th",
		args:    exactArgs(1),
		run:     func(_ *command, args []string) error { return a.explain(dir, args[0]) },
		validArgs: func(*command, []string, string) ([]string, compDirective) {
			return lessonIDs(dir), compNoFileComp
		},
	}
	c.defineFlags = func(fs *flagSet) {
		fs.stringVar(&dir, "dir", lessonsDir, "the lessons folder")
	}
	return c
}

func (a *app) explain(dir, name string) error {
	file, err := findLesson(dir, name)
	if err != nil {
		return err
	}
	l, err := lesson.Load(file)
	if err != nil {
		return inputError(err)
	}
	title := l.Title.In(a.lang)
	fmt.Fprintf(a.stdout, "%s\n%s\n\n%s\n", title, strings.Repeat("=", max(len([]rune(title)), 3)),
		strings.TrimRight(l.Explain.In(a.lang), "\n"))
	if l.Exercise != nil {
		a.explainExercise(l, file)
	}
	return nil
}

// explainExercise lists what the exercise checks (its visible checks; the
// hidden ones are the grader's), where the starter is and how to grade it.
func (a *app) explainExercise(l *lesson.Lesson, file string) {
	x := l.Exercise
	th := a.lang == "th"
	head, grade := "Exercise", "Grade yourself:"
	if th {
		head, grade = "แบบฝึกหัด", "ตรวจงานตัวเอง:"
	}
	points := fmt.Sprintf("%d points", exercisePoints(x))
	if th {
		points = fmt.Sprintf("%d คะแนน", exercisePoints(x))
	}
	fmt.Fprintf(a.stdout, "\n%s (%s): %s\n", head, points, l.Rel(x.Starter))
	hidden := 0
	for _, c := range x.Checks {
		if c.VisibilityOf() != "visible" {
			hidden++
			continue
		}
		fmt.Fprintf(a.stdout, "  - %s (%d): %s\n", c.ID, c.Points, c.Title.In(a.lang))
	}
	if hidden > 0 {
		if th {
			fmt.Fprintf(a.stdout, "  - และการตรวจที่ซ่อนไว้อีก %d รายการ\n", hidden)
		} else {
			fmt.Fprintf(a.stdout, "  - and %d hidden %s\n", hidden, map[bool]string{true: "check", false: "checks"}[hidden == 1])
		}
	}
	fmt.Fprintf(a.stdout, "%s kscript grade --lesson %s YOUR_FILE.star\n", grade, file)
}

// findLesson resolves a lesson named by path (.yaml or .star), by id, or by
// a unique prefix of its file name ("03").
func findLesson(dir, name string) (string, error) {
	name = embeddedPath(name)
	switch filepath.Ext(name) {
	case ".yaml", ".yml":
		return name, nil
	case ".star":
		if y := lesson.ForScript(name); y != "" {
			return y, nil
		}
		return "", fail(exitUsage, "kscript: %s: no lesson file beside it", name)
	}
	files, err := lessonFiles(dir)
	if err != nil {
		return "", err
	}
	var found []string
	for _, f := range files {
		stem := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		if stem == name {
			return f, nil
		}
		if strings.HasPrefix(stem, name) {
			found = append(found, f)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", fail(exitUsage, "kscript: no lesson %q in %s (see kscript lessons)", name, dir)
	}
	return "", fail(exitUsage, "kscript: %q names several lessons: %s", name, strings.Join(found, ", "))
}

func (a *app) lintCommand() *command {
	var strict bool
	c := &command{
		use:   "lint [PATH…]",
		short: "Check lesson files: schema, both languages, regexps, steps, files",
		long: `lint checks lesson files (a folder stands for its *.yaml files; a .star file
for the lesson beside it; default: lessons/) and reports every problem of a
file in one run: unknown keys and wrong types with line:column, both
languages present, regular expressions compile, scenario steps parse and
load the lesson's module, calls: names kernel functions, referenced files
exist, exercise points add up, check dependencies are known and acyclic,
the scripts they name parse. Texts that still say TODO are warnings.
Exit 3 when a problem is found (or, with --strict, a warning).`,
		example: "  kscript lint\n  kscript lint lessons/03_atomic.yaml\n  kscript lint --strict my_course/",
		run:     func(_ *command, args []string) error { return a.lint(args, strict) },
	}
	c.defineFlags = func(fs *flagSet) {
		fs.boolVar(&strict, "strict", false, "fail on warnings too (texts that still say TODO)")
	}
	return c
}

func (a *app) lint(paths []string, strict bool) error {
	files, err := lessonArgs(paths)
	if err != nil {
		return err
	}
	problems, warnings := 0, 0
	for _, f := range files {
		for _, e := range lesson.LintFile(f) {
			fmt.Fprintln(a.stderr, e)
			if e.Warning {
				warnings++
			} else {
				problems++
			}
		}
	}
	if strict {
		problems, warnings = problems+warnings, 0
	}
	summary := fmt.Sprintf("kscript: lint: %d problems in %d files", problems, len(files))
	if warnings > 0 {
		summary += fmt.Sprintf(", %d warnings", warnings)
	}
	if problems > 0 {
		return fail(exitInput, "%s", i18n.Singular(summary))
	}
	if warnings > 0 {
		fmt.Fprintln(a.stdout, i18n.Singular(fmt.Sprintf("kscript: lint: %d files ok, %d warnings", len(files), warnings)))
		return nil
	}
	fmt.Fprintln(a.stdout, i18n.Singular(fmt.Sprintf("kscript: lint: %d files ok", len(files))))
	return nil
}

// lessonArgs resolves lint's and test's arguments to lesson files (default:
// the lessons folder).
func lessonArgs(paths []string) ([]string, error) {
	if len(paths) == 0 {
		paths = []string{lessonsDir}
	}
	var files []string
	for _, p := range paths {
		fs, err := lintTargets(p)
		if err != nil {
			return nil, err
		}
		files = append(files, fs...)
	}
	return files, nil
}

func lintTargets(p string) ([]string, error) {
	p = embeddedPath(resolveLessonsDir(p))
	st, err := os.Stat(p)
	switch {
	case err != nil && filepath.Ext(p) == "" && !strings.ContainsRune(p, filepath.Separator):
		// A lesson id or number: "01_kmalloc", "01".
		if y, ferr := findLesson(lessonsDir, p); ferr == nil {
			return []string{y}, nil
		}
		return nil, fail(exitUsage, "kscript: lint: %s", fileError(err))
	case err != nil:
		return nil, fail(exitUsage, "kscript: lint: %s", fileError(err))
	case st.IsDir():
		return lessonFiles(p)
	case filepath.Ext(p) == ".star":
		if y := lesson.ForScript(p); y != "" {
			return []string{y}, nil
		}
		return nil, fail(exitUsage, "kscript: lint: %s: no lesson file beside it", p)
	}
	return []string{p}, nil
}

// lessonIDs lists the ids (file stems) of the lessons in dir, for shell
// completion.
func lessonIDs(dir string) []string {
	files, err := lessonFiles(dir)
	if err != nil {
		return nil
	}
	ids := make([]string, len(files))
	for i, f := range files {
		ids[i] = strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
	}
	return ids
}
