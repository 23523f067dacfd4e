package lesson

import (
	"path/filepath"
	"testing"
)

func TestRepoLessons(t *testing.T) {
	files, _ := filepath.Glob("../../lessons/*.yaml")
	for _, f := range files {
		l, err := Load(f)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		for _, e := range l.Lint() {
			t.Errorf("lint: %v", e)
		}
	}
}
