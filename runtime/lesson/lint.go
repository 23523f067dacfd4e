package lesson

import (
	"os"
	"path/filepath"
	"strings"
)

// Lint checks what an author should fix beyond what Decode requires: both
// languages present, the files the lesson names exist and parse, the id
// matches the file name, exercise points add up, check dependencies are
// known and acyclic. It returns every problem: the lesson file's in file
// order, then the scripts'.
func (l *Lesson) Lint() ErrorList {
	var errs ErrorList
	errs = append(errs, l.lintText("title", l.Title, true)...)
	errs = append(errs, l.lintText("explain", l.Explain, true)...)
	if stem := strings.TrimSuffix(filepath.Base(l.File), filepath.Ext(l.File)); l.ID != "" && l.ID != stem {
		errs = append(errs, l.errorAt(l.keyPos("id"), "id: %q differs from the file name %q", l.ID, stem))
	}
	if !exists(l.Script) && !l.Public {
		errs = append(errs, l.errorAt(Pos{1, 1}, "module script %s: no such file", l.Script))
	}
	for _, p := range l.ProgramFiles() {
		if !exists(p) {
			errs = append(errs, l.errorAt(l.keyPos("programs"), "programs: %s: no such file", p))
		}
	}
	if x := l.Exercise; x != nil {
		errs = append(errs, l.lintExercise(x)...)
	}
	errs = append(errs, l.lintTODO()...)
	errs = append(errs, l.lintCallNames()...)
	errs = append(errs, l.lintModuleNames()...)
	sortErrors(errs)
	// Script errors come after the lesson file's own, in file order.
	return append(errs, l.lintScripts()...)
}

// lintText reports a missing language (or a missing text when required).
func (l *Lesson) lintText(key string, t Text, required bool) ErrorList {
	if t.EN == "" && t.TH == "" && !required {
		return nil
	}
	var errs ErrorList
	if strings.TrimSpace(t.EN) == "" {
		errs = append(errs, l.errorAt(t.Pos, "%s: en: missing: write the English text", key))
	}
	if strings.TrimSpace(t.TH) == "" {
		errs = append(errs, l.errorAt(t.Pos, "%s: th: missing: write the Thai text", key))
	}
	return errs
}

func (l *Lesson) lintExercise(x *Exercise) ErrorList {
	var errs ErrorList
	for _, f := range []struct{ key, path string }{{"starter", x.Starter}, {"solution", x.Solution}} {
		switch {
		case l.Public && f.key == "solution" && f.path != "":
			errs = append(errs, l.errorAt(x.Pos, "exercise: solution: a public form has no solution: kscript publish leaves it out"))
		case l.Public && f.key == "solution":
		case f.path == "":
			errs = append(errs, l.errorAt(x.Pos, "exercise: %s: missing", f.key))
		case !exists(l.Rel(f.path)):
			errs = append(errs, l.errorAt(x.Pos, "exercise: %s: %s: no such file", f.key, l.Rel(f.path)))
		}
	}
	if len(x.Checks) == 0 {
		errs = append(errs, l.errorAt(x.Pos, "exercise: checks: missing: an exercise needs at least one check"))
	}
	sum := 0
	for i := range x.Checks {
		c := &x.Checks[i]
		sum += c.Points
		if l.Public && c.VisibilityOf() != "visible" {
			errs = append(errs, l.errorAt(c.Pos, "check %s: %s in a public form: kscript publish leaves such checks out", c.ID, c.VisibilityOf()))
		}
		errs = append(errs, l.lintText("check "+c.ID+": title", c.Title, true)...)
		errs = append(errs, l.lintText("check "+c.ID+": hint", c.Hint, false)...)
	}
	if x.Points > 0 && sum != x.Points {
		errs = append(errs, l.errorAt(x.Pos, "exercise: points: the checks add up to %d, not %d", sum, x.Points))
	}
	errs = append(errs, l.lintNeeds(x.Checks)...)
	if !l.Public {
		errs = append(errs, l.lintPublic()...)
	}
	return errs
}

// lintNeeds checks that needs: names known checks and has no cycle.
func (l *Lesson) lintNeeds(checks []Check) ErrorList {
	byID := map[string]*Check{}
	for i := range checks {
		byID[checks[i].ID] = &checks[i]
	}
	var errs ErrorList
	for i := range checks {
		for _, n := range checks[i].Needs {
			if byID[n] == nil {
				errs = append(errs, l.errorAt(checks[i].Pos, "check %s: needs: no check is called %q", checks[i].ID, n))
			}
		}
	}
	// Depth-first search; state 1 = on the current path, 2 = done.
	state := map[string]int{}
	var visit func(c *Check) bool
	visit = func(c *Check) bool {
		switch state[c.ID] {
		case 1:
			return false
		case 2:
			return true
		}
		state[c.ID] = 1
		for _, n := range c.Needs {
			if d := byID[n]; d != nil && !visit(d) {
				return false
			}
		}
		state[c.ID] = 2
		return true
	}
	for i := range checks {
		if state[checks[i].ID] == 0 && !visit(&checks[i]) {
			errs = append(errs, l.errorAt(checks[i].Pos, "check %s: needs: the checks' needs form a cycle", checks[i].ID))
		}
	}
	return errs
}

// Rel resolves a path the lesson names relative to the lesson file.
func (l *Lesson) Rel(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(l.File), p)
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// sortErrors orders errors by position, stably.
func sortErrors(errs ErrorList) {
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && less(errs[j].Pos, errs[j-1].Pos); j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}

func less(a, b Pos) bool { return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col }

// lintPublic checks that the lesson has a public form (kscript publish):
// no visible check needs a hidden one, and the rewritten file decodes with
// exactly the visible checks.
func (l *Lesson) lintPublic() ErrorList {
	_, _, err := l.PublicForm()
	switch e := err.(type) {
	case nil:
		return nil
	case *Error:
		return ErrorList{e}
	}
	return ErrorList{l.errorAt(l.Exercise.Pos, "public form: %v", err)}
}
