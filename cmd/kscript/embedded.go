package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"kscript.dev/kscript/lessons"
)

// The lessons travel inside the binary (package lessons). When the lessons
// folder kscript would read is not there — kscript installed with go install
// and run from any folder — they are written once to a folder of the user's
// cache, named by their content, and read from there like any other lessons
// folder. A lessons folder on disk always wins, so an instructor's course
// folder (--dir, or a path argument) and a repository checkout are used as
// they are.

// embeddedLessonsDir returns the folder holding the embedded lessons,
// writing it first if this build's lessons are not there yet. The folder
// is named by the lessons' hash (lessons.Sum).
func embeddedLessonsDir() (string, error) {
	var dir string
	var err error
	name := "lessons-" + lessons.Sum()[:12]
	var bases []string
	if c, err := os.UserCacheDir(); err == nil {
		bases = append(bases, filepath.Join(c, "kscript"))
	}
	// Without a usable cache folder (no HOME, a read-only one), the
	// system's temporary folder serves.
	bases = append(bases, filepath.Join(os.TempDir(), "kscript-"+strconv.Itoa(os.Getuid())))
	for _, base := range bases {
		if dir, err = writeLessons(filepath.Join(base, name)); err == nil {
			return dir, nil
		}
	}
	return "", err
}

// writeLessons writes the embedded lessons to dir, unless a complete copy
// is there already.
func writeLessons(dir string) (string, error) {
	if st, err := os.Stat(filepath.Join(dir, ".complete")); err == nil && st.Mode().IsRegular() {
		return dir, nil
	}
	// Write into a fresh folder beside it and rename, so that two kscripts
	// starting at once never read a half-written lessons folder.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".lessons-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	err = fs.WalkDir(lessons.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		out := filepath.Join(tmp, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		b, err := fs.ReadFile(lessons.FS(), p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o644)
	})
	if err == nil {
		err = os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644)
	}
	if err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another kscript won the race: its folder is as good as ours.
		if _, serr := os.Stat(filepath.Join(dir, ".complete")); serr == nil {
			return dir, nil
		}
		return "", err
	}
	return dir, nil
}

// resolveLessonsDir returns dir if it exists, else — for the default
// lessons folder only — the embedded lessons.
func resolveLessonsDir(dir string) string {
	if _, err := os.Stat(dir); err == nil || dir != lessonsDir {
		return dir
	}
	if d, err := embeddedLessonsDir(); err == nil {
		return d
	}
	return dir
}

// embeddedPath maps a path under the default lessons folder
// ("lessons/03_atomic.star") that does not exist on disk to the embedded
// copy, when there is one; other paths come back as they are.
func embeddedPath(p string) string {
	rel, ok := strings.CutPrefix(filepath.ToSlash(filepath.Clean(p)), lessonsDir+"/")
	if !ok {
		return p
	}
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if _, err := fs.Stat(lessons.FS(), rel); err != nil {
		return p
	}
	d, err := embeddedLessonsDir()
	if err != nil {
		return p
	}
	return filepath.Join(d, filepath.FromSlash(rel))
}

// lessonArg resolves a lesson or script named on the command line: a file
// that exists; a path under lessons/ that only the embedded lessons have;
// or a lesson id or number ("03_atomic", "03"), which stands for the
// lesson's module script (with ext ".star") or its lesson file (".yaml").
func lessonArg(name, ext string) (string, error) {
	p, _, err := resolveLessonArg(name, ext)
	return p, err
}

// resolveLessonArg is lessonArg, also telling whether the file it returns
// was found to exist (kscript run need not look for it again).
func resolveLessonArg(name, ext string) (path string, exists bool, err error) {
	if _, err := os.Stat(name); err == nil {
		return name, true, nil
	}
	if p := embeddedPath(name); p != name {
		return p, false, nil
	}
	if filepath.Ext(name) != "" || strings.ContainsRune(name, filepath.Separator) {
		return name, false, nil // the caller reports the missing file
	}
	y, err := findLesson(lessonsDir, name)
	if err != nil {
		return "", false, err
	}
	return strings.TrimSuffix(y, filepath.Ext(y)) + ext, false, nil
}
