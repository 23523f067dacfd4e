//go:build unix

package grade

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestRefusedFiles: what is not a regular file of a sane size is refused,
// never read, with a message that says what it is.
func TestRefusedFiles(t *testing.T) {
	dir := t.TempDir()
	good := writeSub(t, dir, "good.star", "MODULE_LICENSE(\"GPL\")\n")
	link := filepath.Join(dir, "link.star")
	zero := filepath.Join(dir, "zero.star")
	fifo := filepath.Join(dir, "fifo.star")
	big := writeSub(t, dir, "big.star", strings.Repeat("#", MaxSubmissionBytes+1))
	if os.Symlink("/etc/passwd", link) != nil || os.Symlink("/dev/zero", zero) != nil || syscall.Mkfifo(fifo, 0o644) != nil {
		t.Skip("cannot make links or FIFOs here")
	}
	for _, tc := range []struct{ path, want string }{
		{good, ""},
		{link, "a symbolic link, not a regular file"},
		{zero, "a symbolic link, not a regular file"},
		{fifo, "a named pipe, not a regular file"},
		{"/dev/zero", "a device, not a regular file"},
		{dir, "a folder, not a regular file"},
		{big, "1048577 bytes, more than the 1048576 a submission may have"},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			_, err := ReadRegular(tc.path, MaxSubmissionBytes)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	g := newGrader(t, fakeConfig(), "testdata/hello.yaml")
	r := g.Submission(readSubmission(zero))
	if r.Status != Error || !strings.Contains(r.Message.EN, "cannot grade the submission: "+zero+": a symbolic link") || !strings.Contains(r.Message.TH, "ไม่ใช่ไฟล์ธรรมดา") {
		t.Errorf("%s: %s %q / %q", zero, r.Status, r.Message.EN, r.Message.TH)
	}
}

// TestSubmissionPathsLinks checks that SubmissionPaths follows no symbolic
// link: a link to another student's folder, named on the command line (as
// `submissions/*` names it) or found in a folder, is one submission that
// ReadRegular refuses; "link/" names the folder itself and is followed.
func TestSubmissionPathsLinks(t *testing.T) {
	root := t.TempDir()
	bob := filepath.Join(root, "bob")
	eve := filepath.Join(root, "eve")
	for _, d := range []string{bob, eve} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeSub(t, bob, "a.star", "MODULE_LICENSE(\"GPL\")\n")
	mallory := filepath.Join(root, "mallory")
	if os.Symlink("bob", mallory) != nil || os.Symlink("../bob/a.star", filepath.Join(eve, "a.star")) != nil {
		t.Skip("cannot make links here")
	}
	got := SubmissionPaths([]string{bob, eve, mallory, mallory + "/"})
	want := []string{filepath.Join(bob, "a.star"), filepath.Join(eve, "a.star"), mallory, filepath.Join(mallory, "a.star")}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("SubmissionPaths = %q, want %q", got, want)
	}
	for _, p := range []string{filepath.Join(eve, "a.star"), mallory} {
		if _, err := ReadRegular(p, MaxSubmissionBytes); err == nil || !strings.Contains(err.Error(), "a symbolic link, not a regular file") {
			t.Errorf("ReadRegular(%s) = %v, want a symbolic link refused", p, err)
		}
	}
}

// TestFolderWithoutStar checks that a folder with no .star file directly in
// it is one submission, graded ERROR with what the folder holds, so that a
// Gradescope upload whose module sits in a subfolder gets a results.json
// that says why instead of an empty batch Gradescope cannot read.
func TestFolderWithoutStar(t *testing.T) {
	root := t.TempDir()
	empty := filepath.Join(root, "empty")
	zip := filepath.Join(root, "zip")
	for _, d := range []string{empty, zip, filepath.Join(zip, "hw1")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeSub(t, filepath.Join(zip, "hw1"), "a.star", "MODULE_LICENSE(\"GPL\")\n")
	writeSub(t, zip, "notes.txt", "hi\n")
	subs := Submissions([]string{empty, zip})
	if len(subs) != 2 {
		t.Fatalf("Submissions = %d submissions, want 2", len(subs))
	}
	for i, want := range []string{
		empty + ": an empty folder: kscript grades a module written as one .star file",
		zip + ": a folder with no .star file directly in it (it holds hw1/, notes.txt): kscript grades a module written as one .star file",
	} {
		if subs[i].Err == nil || subs[i].Err.Error() != want {
			t.Errorf("submission %d: %v, want %q", i, subs[i].Err, want)
		}
	}
	g := newGrader(t, fakeConfig(), "testdata/hello.yaml")
	r := g.Submission(subs[1])
	if r.Status != Error || !strings.Contains(r.Message.EN, "cannot grade the submission: "+zip+": a folder with no .star file") || !strings.Contains(r.Message.TH, "ไม่มีไฟล์ .star") {
		t.Errorf("%s: %s %q / %q", zip, r.Status, r.Message.EN, r.Message.TH)
	}
	var b strings.Builder
	if err := Write(&b, &Batch{Lesson: "hello", Results: []*Result{r}}, WriteOptions{Format: "gradescope", Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"score": 0`) || strings.Contains(b.String(), `"submissions"`) {
		t.Errorf("gradescope results of a folder without .star: want one results.json with a score:\n%s", b.String())
	}
}
