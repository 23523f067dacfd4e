package lesson

import (
	"fmt"
	"path/filepath"
	"strings"
)

// The public form of a lesson is what students get: the lesson file without
// what only the grading host may know, and the files it names that students
// may read (the starter, the programs files). kscript publish writes it.
//
//	full form (the grading host)          public form (students)
//	  public: —                             public: true
//	  expect: (the lesson script's)         —
//	  exercise.solution                     —
//	  exercise.points (the total)           — (the visible checks' sum)
//	  checks, every visibility              visible checks only
//	  full-line comments                    —
//	  the lesson's script, the solution     —
//	  the starter, the programs files       the starter, the programs files
//
// The lesson file is rewritten as text: the kept lines are the author's,
// byte for byte, so the public form reads as the author wrote it, and a key
// added to the format later is kept without this code knowing it.

// PublicForm returns the text of the lesson's public form and the files it
// names, relative to the lesson file's folder, that go with it. The text is
// checked: it decodes, and its checks are exactly the visible ones.
func (l *Lesson) PublicForm() ([]byte, []string, error) {
	if l.Public {
		return nil, nil, l.errorAt(l.keyPos("public"), "public: the lesson is already a public form")
	}
	lines := strings.SplitAfter(string(l.src), "\n")
	drop := make([]bool, len(lines))
	hidden := map[string]bool{}
	if x := l.Exercise; x != nil {
		for _, c := range x.Checks {
			if c.VisibilityOf() != "visible" {
				hidden[c.ID] = true
			}
		}
		for i := range x.Checks {
			c := &x.Checks[i]
			for _, n := range c.Needs {
				if hidden[n] && !hidden[c.ID] {
					return nil, nil, l.errorAt(c.Pos, "check %s: needs %s, which is %s: the public form cannot show it; make %s visible or drop the need", c.ID, n, x.Checks[l.checkIndex(n)].VisibilityOf(), n)
				}
			}
			if hidden[c.ID] {
				if err := dropItem(lines, drop, c.Pos.Line-1); err != nil {
					return nil, nil, l.errorAt(c.Pos, "check %s: %v", c.ID, err)
				}
			}
		}
		ex := topKeyLine(lines, "exercise")
		for _, key := range []string{"solution", "points"} {
			if i := childKeyLine(lines, ex, key); i >= 0 {
				dropBlock(lines, drop, i)
			}
		}
	}
	if i := topKeyLine(lines, "expect"); i >= 0 {
		dropBlock(lines, drop, i)
	}
	dropComments(lines, drop)
	var b strings.Builder
	fmt.Fprintf(&b, "# The public form of lesson %s, written by kscript publish: no hidden\n", l.ID)
	b.WriteString("# checks, no solution. Grade with the full form on the grading host.\n")
	b.WriteString("# รูปแบบสาธารณะของบทเรียน: ไม่มี check ที่ซ่อนไว้และไม่มีเฉลย\n")
	b.WriteString("public: true\n")
	for i, line := range lines {
		if !drop[i] {
			b.WriteString(line)
		}
	}
	out := []byte(b.String())
	if err := l.checkPublic(out, hidden); err != nil {
		return nil, nil, err
	}
	files, err := l.publicFiles()
	return out, files, err
}

// checkPublic decodes a public form and checks it holds exactly the
// visible checks: the text rewrite cannot leak what it should not.
func (l *Lesson) checkPublic(src []byte, hidden map[string]bool) error {
	p, err := Decode(l.File, src)
	if err != nil {
		if _, ferr := Decode(l.File, l.src); ferr != nil {
			return nil // the full form's own errors say it
		}
		return fmt.Errorf("%s: the public form does not decode (kscript publish cannot rewrite this file): %v", l.File, err)
	}
	var want, got []string
	if l.Exercise != nil {
		for _, c := range l.Exercise.Checks {
			if !hidden[c.ID] {
				want = append(want, c.ID)
			}
		}
	}
	if p.Exercise != nil {
		for _, c := range p.Exercise.Checks {
			got = append(got, c.ID)
		}
		if p.Exercise.Solution != "" {
			got = append(got, "solution")
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") || p.Expect != nil {
		return fmt.Errorf("%s: the public form holds checks %v, want the visible ones %v (kscript publish cannot rewrite this file)", l.File, got, want)
	}
	return nil
}

// publicFiles are the files a public form names: the starter and the
// programs files, relative to the lesson's folder, which they may not
// leave.
func (l *Lesson) publicFiles() ([]string, error) {
	var files []string
	if x := l.Exercise; x != nil && x.Starter != "" {
		files = append(files, x.Starter)
	}
	files = append(files, l.Programs...)
	for _, f := range files {
		c := filepath.Clean(f)
		if filepath.IsAbs(c) || c == ".." || strings.HasPrefix(c, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("%s: %s: a public form can only name files inside the lesson's folder", l.File, f)
		}
	}
	return files, nil
}

func (l *Lesson) checkIndex(id string) int {
	for i, c := range l.Exercise.Checks {
		if c.ID == id {
			return i
		}
	}
	return 0
}

// indent is the number of leading spaces of a line.
func indent(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

// neutral reports a blank or comment-only line, which belongs to no block.
func neutral(line string) bool {
	t := strings.TrimSpace(line)
	return t == "" || strings.HasPrefix(t, "#")
}

// blockEnd returns the index after the block starting at line i: the
// lines after it that are indented deeper (or, for a mapping key, an
// indentless sequence under it), with the blank and comment lines between
// them. In a block scalar every line is deeper than its key, so its text
// is one with its key.
func blockEnd(lines []string, i int) int {
	in := indent(lines[i])
	isKey := !strings.HasPrefix(strings.TrimSpace(lines[i]), "-")
	end := i + 1
	for j := i + 1; j < len(lines); j++ {
		if neutral(lines[j]) {
			continue
		}
		d := indent(lines[j])
		if d > in || isKey && d == in && strings.HasPrefix(strings.TrimSpace(lines[j]), "- ") {
			end = j + 1
			continue
		}
		break
	}
	return end
}

func dropBlock(lines []string, drop []bool, i int) {
	for j := i; j < blockEnd(lines, i); j++ {
		drop[j] = true
	}
}

// dropItem drops the sequence item whose first key is on line i ("- id: x").
func dropItem(lines []string, drop []bool, i int) error {
	if i < 0 || i >= len(lines) || !strings.HasPrefix(strings.TrimSpace(lines[i]), "- ") {
		return fmt.Errorf("write the check as a block item (- id: ...) so that kscript publish can leave it out")
	}
	dropBlock(lines, drop, i)
	return nil
}

// topKeyLine returns the line of a top-level key, or -1.
func topKeyLine(lines []string, key string) int {
	for i, line := range lines {
		if strings.HasPrefix(line, key+":") {
			return i
		}
	}
	return -1
}

// childKeyLine returns the line of key among the direct children of the
// mapping key on line parent, or -1.
func childKeyLine(lines []string, parent int, key string) int {
	if parent < 0 {
		return -1
	}
	child := -1
	for j := parent + 1; j < blockEnd(lines, parent); j++ {
		if neutral(lines[j]) {
			continue
		}
		if child < 0 {
			child = indent(lines[j])
		}
		if indent(lines[j]) == child && strings.HasPrefix(strings.TrimSpace(lines[j]), key+":") {
			return j
		}
	}
	return -1
}

// dropComments drops full-line comments, which may speak of what the
// public form leaves out, except inside block scalars (explain: |), where
// a '#' line is text.
func dropComments(lines []string, drop []bool) {
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, "#") {
			drop[i] = true
			continue
		}
		if blockScalar(t) {
			i = blockEnd(lines, i) - 1 // keep the text as it is
		}
	}
}

// blockScalar reports a line whose value is a block scalar: "key: |",
// "- key: >-", with an optional comment after the indicator.
func blockScalar(t string) bool {
	if k := strings.Index(t, " #"); k >= 0 {
		t = strings.TrimSpace(t[:k])
	}
	for _, ind := range []string{"|", "|-", "|+", ">", ">-", ">+"} {
		if strings.HasSuffix(t, ": "+ind) || t == "- "+ind {
			return true
		}
	}
	return false
}

// ShippedForm returns the form of the lesson that kscript itself carries
// (the binary's embedded lessons, the playground's bundle): the public
// form with the lesson's own expectations (expect:, which kscript run
// checks the lesson's script against) put back. It holds no hidden check
// and names no solution, which is checked.
func (l *Lesson) ShippedForm() ([]byte, error) {
	pub, _, err := l.PublicForm()
	if err != nil {
		return nil, err
	}
	text := string(pub)
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	text += topBlock(string(l.src), "expect")
	p, err := Decode(l.File, []byte(text))
	if err != nil {
		return nil, fmt.Errorf("%s: the shipped form does not decode: %v", l.File, err)
	}
	var want, got []string
	if l.Exercise != nil {
		for _, c := range l.Exercise.Checks {
			if c.VisibilityOf() == "visible" {
				want = append(want, c.ID)
			}
		}
	}
	if p.Exercise != nil {
		if p.Exercise.Solution != "" {
			return nil, fmt.Errorf("%s: the shipped form names the solution", l.File)
		}
		for _, c := range p.Exercise.Checks {
			got = append(got, c.ID)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		return nil, fmt.Errorf("%s: the shipped form has checks %v, want the visible ones %v", l.File, got, want)
	}
	return []byte(text), nil
}

// topBlock returns the top-level block key: of a YAML text, without its
// full-line comments; "" when there is none.
func topBlock(src, key string) string {
	var b strings.Builder
	in := false
	for _, line := range strings.SplitAfter(src, "\n") {
		top := line != "" && line[0] != ' ' && line[0] != '#' && line[0] != '\n' && line[0] != '\r'
		switch {
		case top && !in && strings.HasPrefix(line, key+":"):
			in = true
		case top && in:
			return b.String()
		case !in, strings.HasPrefix(strings.TrimSpace(line), "#"):
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}
