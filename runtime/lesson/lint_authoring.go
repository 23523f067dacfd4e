package lesson

import (
	"kscript.dev/kscript/runtime/lazyre"
	"strings"

	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/shell"
)

// The checks below catch an author's slips that decode cleanly but make a
// lesson wrong: text left as the scaffold's TODO, a calls: expectation
// naming a function that does not exist (it would never match, so the
// check could never pass, or with count: 0 always would), and a scenario
// that loads or unloads a module under a name other than the lesson's.

// lintTODO reports the texts that still say TODO: a title is an error
// (students see it in kscript lessons and in every grade report), the
// other texts warnings (kscript new writes them so; the scaffold is valid,
// but not finished).
func (l *Lesson) lintTODO() ErrorList {
	var errs ErrorList
	check := func(key string, t Text) {
		for _, lt := range []struct {
			lang, s string
			pos     Pos
		}{{"en", t.EN, t.Pos}, {"th", t.TH, t.THPos}} {
			if strings.Contains(lt.s, "TODO") {
				e := l.errorAt(lt.pos, "%s: %s: still says TODO: write the text", key, lt.lang)
				e.Warning = key != "title"
				errs = append(errs, e)
			}
		}
	}
	check("title", l.Title)
	check("explain", l.Explain)
	if x := l.Exercise; x != nil {
		for _, c := range x.Checks {
			check("check "+c.ID+": title", c.Title)
			check("check "+c.ID+": hint", c.Hint)
		}
	}
	return errs
}

// lintCallNames reports calls: expectations whose fn is not a kernel API
// function, with the nearest name.
func (l *Lesson) lintCallNames() ErrorList {
	var errs ErrorList
	for _, e := range l.expects() {
		for _, c := range e.Calls {
			for _, fn := range c.Fn {
				if api, ok := kruntime.LookupAPI(fn); ok && !api.IsConst() {
					continue
				}
				msg := "calls: fn: " + fn + ": no such kernel function"
				if best := nearestKey(fn, apiFuncNames()); best != "" {
					msg += " (did you mean " + best + "?)"
				}
				errs = append(errs, l.errorAt(c.Pos, "%s", msg))
			}
		}
	}
	return errs
}

// apiFuncNames lists the kernel API's functions.
func apiFuncNames() []string {
	var names []string
	for _, a := range kruntime.APIs() {
		if !a.IsConst() {
			names = append(names, a.Name)
		}
	}
	return names
}

// expects returns the lesson's expectations and every check's.
func (l *Lesson) expects() []*Expect {
	var out []*Expect
	if l.Expect != nil {
		out = append(out, l.Expect)
	}
	if x := l.Exercise; x != nil {
		for i := range x.Checks {
			if e := x.Checks[i].Expect; e != nil {
				out = append(out, e)
			}
		}
	}
	return out
}

// moduleArgRe finds the module a step loads or unloads: insmod X.ko,
// rmmod X, modinfo X.ko.
var moduleArgRe = lazyre.New(`\b(insmod|rmmod|modinfo)\s+(?:-[a-z]+\s+)*([A-Za-z0-9_./-]+)`)

// lintModuleNames reports steps that insmod, rmmod or modinfo a module
// other than the lesson's: "insmod kreallocc.ko" in lesson krealloc.
func (l *Lesson) lintModuleNames() ErrorList {
	want := l.ModuleName()
	var errs ErrorList
	check := func(steps []Step) {
		for i := range steps {
			s := &steps[i]
			for _, m := range moduleArgRe.FindAllStringSubmatchIndex(s.Run, -1) {
				cmd, arg := s.Run[m[2]:m[3]], s.Run[m[4]:m[5]]
				name := strings.TrimSuffix(arg[strings.LastIndex(arg, "/")+1:], ".ko")
				if strings.ContainsAny(name, "$") || strings.ReplaceAll(name, "-", "_") == want {
					continue
				}
				pos := l.stepPos(s, shellPosAt(s.Run, m[4]))
				errs = append(errs, l.errorAt(pos, "scenario step: %s %s: the lesson's module is %s (%s.ko)", cmd, arg, want, want))
			}
		}
	}
	check(l.Scenario)
	if x := l.Exercise; x != nil {
		for i := range x.Checks {
			check(x.Checks[i].Scenario)
		}
	}
	return errs
}

// shellPosAt is the line and column (1-based, in runes) of byte offset off
// in a step's command text.
func shellPosAt(text string, off int) shell.Pos {
	before := text[:off]
	line := strings.Count(before, "\n") + 1
	col := len([]rune(before[strings.LastIndex(before, "\n")+1:])) + 1
	return shell.Pos{Line: line, Col: col}
}
