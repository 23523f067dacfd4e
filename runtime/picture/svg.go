package picture

import (
	"fmt"
	"html"
	"strings"
)

// svg builds an SVG document as text. Coordinates are in CSS pixels.
type svg struct {
	b    strings.Builder
	w, h float64
}

func newSVG(w, h float64, label string) *svg {
	s := &svg{w: w, h: h}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" class="pic" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-label="%s" font-family="system-ui,'Noto Sans Thai',sans-serif" font-size="12">`,
		num(w), num(h), num(w), num(h), esc(label))
	return s
}

// String closes the document and returns it.
func (s *svg) String() string { return s.b.String() + "</svg>" }

func (s *svg) raw(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

// rect draws a filled rectangle; extra holds more attributes.
func (s *svg) rect(x, y, w, h float64, fill string, extra string) {
	fmt.Fprintf(&s.b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s/>`, num(x), num(y), num(w), num(h), fill, extra)
}

// text writes a label; anchor is start, middle or end.
func (s *svg) text(x, y float64, anchor, extra, str string) {
	fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="%s"%s>%s</text>`, num(x), num(y), anchor, extra, esc(str))
}

func (s *svg) line(x1, y1, x2, y2 float64, stroke string, extra string) {
	fmt.Fprintf(&s.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"%s/>`, num(x1), num(y1), num(x2), num(y2), stroke, extra)
}

// title adds a tooltip to the element opened before it by open.
func (s *svg) open(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

// num formats a coordinate with at most two decimals.
func num(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

func esc(s string) string { return html.EscapeString(s) }
