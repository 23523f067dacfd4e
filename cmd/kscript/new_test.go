package main

import (
	"strings"
	"testing"
	"text/template"
)

// TestScaffoldFillSameAsTemplate: kscript new's templates come out as
// text/template wrote them.
func TestScaffoldFillSameAsTemplate(t *testing.T) {
	for _, id := range []string{"11_krealloc", "01_intro", "x", "99_a_b_c"} {
		d := scaffoldData{ID: id, Module: moduleFor(id)}
		for _, tmpl := range []string{newLessonStar, newLessonYAML, newStarter} {
			var b strings.Builder
			if err := template.Must(template.New("t").Parse(tmpl)).Execute(&b, d); err != nil {
				t.Fatal(err)
			}
			if got := d.fill(tmpl); got != b.String() {
				t.Errorf("%s: fill and text/template differ:\n%s\n---- text/template:\n%s", id, got, b.String())
			}
		}
	}
}
