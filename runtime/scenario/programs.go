package scenario

import (
	"fmt"
	"os"

	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/plainfile"
)

// ProgramFile is a programs file to load beside a run's script: a lesson's
// harness, the user programs its scenario and checks run.
type ProgramFile struct {
	Path string // as the lesson names it, resolved; positions use it
	Src  []byte
}

// ReadPrograms reads the programs files of lesson l. A file that cannot be
// read is a *kruntime.ScriptError naming it, as a script that does not
// load is.
func ReadPrograms(l *lesson.Lesson) ([]ProgramFile, error) {
	var out []ProgramFile
	for _, p := range l.ProgramFiles() {
		src, err := plainfile.ReadFile(p)
		if err != nil {
			return nil, &kruntime.ScriptError{Pos: p, Msg: fmt.Sprintf("programs file: %v", unwrapPath(err))}
		}
		out = append(out, ProgramFile{Path: p, Src: src})
	}
	return out, nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		if os.IsNotExist(err) {
			return fmt.Errorf("no such file")
		}
		return pe.Err
	}
	return err
}

// programLoader is a machine that loads programs files beside module
// scripts (*kruntime.Machine does).
type programLoader interface {
	LoadPrograms(path string, src []byte) error
	ShadowedPrograms() []string
}

// LoadPrograms loads programs files on m, as a run does, and returns the
// user programs of m's scripts that they replace: a grader checks a
// lesson's programs this way once, before any submission runs.
func LoadPrograms(m Machine, files []ProgramFile) ([]string, error) { return loadPrograms(m, files) }

// loadPrograms loads the run's programs files and returns the user
// programs of the script that they replace.
func loadPrograms(m Machine, files []ProgramFile) ([]string, error) {
	if len(files) == 0 {
		return nil, nil
	}
	pl, ok := m.(programLoader)
	if !ok {
		return nil, fmt.Errorf("this machine cannot load programs files (%s)", files[0].Path)
	}
	for _, f := range files {
		if err := pl.LoadPrograms(f.Path, f.Src); err != nil {
			return nil, err
		}
	}
	return pl.ShadowedPrograms(), nil
}
