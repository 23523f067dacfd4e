package scenario

import (
	"os"
	"testing"

	kruntime "kscript.dev/kscript/runtime"
	"kscript.dev/kscript/runtime/lesson"
	"kscript.dev/kscript/runtime/scenario/scenariotest"
)

func TestSmoke(t *testing.T) {
	l, err := lesson.Load("testdata/hello.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile("testdata/hello.star")
	cfg := Config{NewMachine: func(o kruntime.Options) (Machine, error) { return scenariotest.New(o) }}
	res, err := Run(cfg, Input{Script: "testdata/hello.star", Src: src, Lesson: l})
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString(res.Transcript)
	res.WriteSummary(os.Stdout, "en", nil)
	res.WriteSummary(os.Stdout, "th", nil)
	t.Log(res.ExitCode(), res.Stopped)
}
