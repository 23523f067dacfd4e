package grade

import (
	"os"
	"runtime/debug"
	"testing"
	"time"

	"kscript.dev/kscript/runtime/grade/kclone"
	"kscript.dev/kscript/runtime/internal/cputime"
)

// cpuTime is the process's CPU time (cputime.Now).
func cpuTime() time.Duration { return cputime.Now() }

// benchGrade grades b.N copies of a lesson's reference solution, jobs at a
// time, with kscript grade's GC setting, and reports submissions per second
// of wall time, the throughput a course sees (issue 5's target: 500/s for
// lesson 03 with --jobs 2 on two cores), and CPU time per submission.
func benchGrade(b *testing.B, lessonFile string, jobs int) { benchGradeWith(b, lessonFile, jobs, nil) }

// benchGradeWith is benchGrade with the boot images of boot (nil: none).
func benchGradeWith(b *testing.B, lessonFile string, jobs int, boot *kclone.Cache) {
	l := loadLesson(b, lessonFile)
	src, err := os.ReadFile(l.Rel(l.Exercise.Solution))
	if err != nil {
		b.Fatal(err)
	}
	cfg := realConfig()
	cfg.Jobs = jobs
	cfg.Boot = boot
	g := newGrader(b, cfg, lessonFile)
	g.faultInjection() // the probe runs once per batch, not per submission
	subs := make([]Submission, b.N)
	for i := range subs {
		subs[i] = Submission{Path: "student.star", Src: src}
	}
	defer debug.SetGCPercent(debug.SetGCPercent(400)) // as kscript grade does
	b.ResetTimer()
	start := cpuTime()
	batch := g.Grade(subs)
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/sub")
	if r := batch.Results[0]; !r.FullMarks() {
		b.Fatalf("the solution does not earn full marks: %s", checkStatuses(r))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "subs/s")
}

func BenchmarkGradeLesson01Jobs2(b *testing.B) { benchGrade(b, "../../lessons/01_kmalloc.yaml", 2) }
func BenchmarkGradeLesson01Jobs1(b *testing.B) { benchGrade(b, "../../lessons/01_kmalloc.yaml", 1) }
func BenchmarkGradeLesson03Jobs2(b *testing.B) { benchGrade(b, "../../lessons/03_atomic.yaml", 2) }
func BenchmarkGradeLesson03Jobs1(b *testing.B) { benchGrade(b, "../../lessons/03_atomic.yaml", 1) }

// benchGradeImage is benchGrade with the lesson kernel's boot image read
// from a file (Config.Boot), as kscript grade's workers read it once an
// earlier batch wrote it.
func benchGradeImage(b *testing.B, lessonFile string, jobs int) {
	dir := b.TempDir()
	l := loadLesson(b, lessonFile)
	snap, err := kclone.Take(l.KernelConfig(realConfig().Options.Kernel))
	if err != nil {
		b.Fatal(err)
	}
	kclone.OpenCache(dir).Put(snap)
	benchGradeWith(b, lessonFile, jobs, kclone.OpenCache(dir))
}

func BenchmarkGradeLesson03Jobs1Image(b *testing.B) {
	benchGradeImage(b, "../../lessons/03_atomic.yaml", 1)
}
func BenchmarkGradeLesson03Jobs2Image(b *testing.B) {
	benchGradeImage(b, "../../lessons/03_atomic.yaml", 2)
}
