package picture

import (
	"fmt"
	"html"
	"io"
	"strings"

	"kscript.dev/kscript/runtime/i18n"
)

// Report is what `kscript run --report` writes: a run's steps with their
// pictures, in one self-contained HTML file (inline SVG, no scripts, no
// links out), readable offline.
type Report struct {
	Lang    string
	Title   string // the lesson's title, or the script's name
	Script  string // the script as named on the command line
	Explain string // the lesson's explanation, in Lang; may be empty
	Steps   []*Step
	Summary string // the health summary and expectations, as text
	Machine string // the machine's banner line (RAM, seed, options)
}

var htmlTexts = i18n.Lazy(htmlTextsTable)

func htmlTextsTable() i18n.Catalog {
	return i18n.Catalog{
		"heading":  {"kscript report: %s", "รายงาน kscript: %s"},
		"script":   {"script", "สคริปต์"},
		"machine":  {"machine", "เครื่องจำลอง"},
		"steps":    {"Steps", "ขั้นตอน"},
		"step":     {"Step %d", "ขั้นที่ %d"},
		"output":   {"What the terminal showed", "สิ่งที่เทอร์มินัลแสดง"},
		"log":      {"Kernel log during this step (%d lines)", "kernel log ระหว่างขั้นนี้ (%d บรรทัด)"},
		"summary":  {"Summary", "สรุป"},
		"explain":  {"About this lesson", "เกี่ยวกับบทเรียนนี้"},
		"nooutput": {"(no output)", "(ไม่มีข้อความ)"},
		"foot":     {"Drawn by kscript from the simulated kernel's own state, not from /proc text. Outlined blocks: allocated in the step (solid) or freed (dashed).", "วาดโดย kscript จากสถานะภายในของ Kernel จำลองโดยตรง ไม่ได้แปลงจากข้อความใน /proc กรอบทึบคือบล็อกที่จองในขั้นนั้น กรอบประคือบล็อกที่คืน"},
	}
}

// Style is the report's style sheet (also used by the playground).
const Style = `
:root{--fg:#1d1d1f;--muted:#5a5a5f;--line:#ddd;--bg:#fff;--code:#f6f6f4}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,"Noto Sans Thai","Sarabun",sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1000px;margin:0 auto;padding:16px 20px 40px}
h1{font-size:1.5em;margin:.2em 0}
h2{font-size:1.15em;margin:1.6em 0 .4em;border-top:1px solid var(--line);padding-top:.8em}
h3{font-size:1em;margin:1em 0 .3em;color:var(--muted)}
pre{background:var(--code);padding:8px 10px;border-radius:4px;overflow-x:auto;font:12.5px/1.45 ui-monospace,"DejaVu Sans Mono",monospace;white-space:pre-wrap}
pre.explain{font:inherit;background:none;padding:0;white-space:pre-wrap}
.cmd{font:600 14px ui-monospace,"DejaVu Sans Mono",monospace}
.meta{color:var(--muted);font-size:.9em}
nav ol{columns:2;font-size:.92em}
figure{margin:12px 0;overflow-x:auto}
figcaption{font-weight:600;margin-bottom:4px}
.kasan{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start}
.kasan pre{flex:1 1 420px;margin:0;font-size:11px}
.bad{color:#b00020;font-weight:600}
.warn{color:#8a5a00}
details summary{cursor:pointer;color:var(--muted)}
svg.pic{max-width:100%;height:auto;background:#fff}
footer{margin-top:2em;color:var(--muted);font-size:.85em}
`

// WriteHTML writes the report.
func WriteHTML(w io.Writer, r Report) error {
	t := func(key string, args ...any) string { return htmlTexts.T(key, args...).In(r.Lang) }
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">", esc(r.Lang))
	b.WriteString(`<meta name="viewport" content="width=device-width,initial-scale=1">`)
	fmt.Fprintf(&b, "<title>%s</title><style>%s</style></head><body><main>\n", esc(t("heading", r.Title)), Style)
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p class=\"meta\">%s: <code>%s</code>", esc(t("heading", r.Title)), t("script"), esc(r.Script))
	if r.Machine != "" {
		fmt.Fprintf(&b, "<br>%s: <code>%s</code>", t("machine"), esc(r.Machine))
	}
	b.WriteString("</p>\n")
	if r.Explain != "" {
		fmt.Fprintf(&b, "<details open><summary>%s</summary><pre class=\"explain\">%s</pre></details>\n", t("explain"), esc(r.Explain))
	}
	fmt.Fprintf(&b, "<nav><h3>%s</h3><ol>", t("steps"))
	for _, st := range r.Steps {
		fmt.Fprintf(&b, `<li><a href="#step-%d"><code>%s</code></a></li>`, st.N, esc(firstLine(st.Run)))
	}
	b.WriteString("</ol></nav>\n")
	for _, st := range r.Steps {
		writeStep(&b, st, r.Lang)
	}
	if r.Summary != "" {
		fmt.Fprintf(&b, "<h2 id=\"summary\">%s</h2><pre>%s</pre>\n", t("summary"), markLines(r.Summary))
	}
	fmt.Fprintf(&b, "<footer>%s</footer>\n</main></body></html>\n", t("foot"))
	_, err := io.WriteString(w, b.String())
	return err
}

// writeStep writes one step: its command, its output, its kernel log and
// its pictures.
func writeStep(b *strings.Builder, st *Step, lang string) {
	t := func(key string, args ...any) string { return htmlTexts.T(key, args...).In(lang) }
	fmt.Fprintf(b, "<section class=\"step\" id=\"step-%d\"><h2>%s · <span class=\"cmd\">$ %s</span></h2>\n",
		st.N, t("step", st.N), esc(st.Run))
	out := st.Output
	if strings.TrimSpace(out) == "" {
		out = t("nooutput")
	}
	fmt.Fprintf(b, "<h3>%s</h3><pre class=\"out\">%s</pre>\n", t("output"), markLines(out))
	if len(st.Log) > 0 {
		var lines strings.Builder
		for _, rec := range st.Log {
			lines.WriteString(rec.String())
			lines.WriteByte('\n')
		}
		open := ""
		if len(st.Reports) > 0 {
			open = " open"
		}
		fmt.Fprintf(b, "<details%s><summary>%s</summary><pre class=\"log\">%s</pre></details>\n", open, t("log", len(st.Log)), markLines(lines.String()))
	}
	pics := st.Pictures(lang)
	if len(pics) == 0 {
		fmt.Fprintf(b, "<p class=\"meta\">%s</p>\n", stepTexts.T("nochange").In(lang))
	}
	for _, p := range pics {
		if p.Kind == "kasan" {
			fmt.Fprintf(b, "<figure class=\"pic-%s\"><figcaption>%s</figcaption><div class=\"kasan\"><pre class=\"log\">%s</pre>%s</div></figure>\n",
				p.Kind, esc(p.Caption), markLines(p.Text), p.SVG)
			continue
		}
		fmt.Fprintf(b, "<figure class=\"pic-%s\"><figcaption>%s</figcaption>%s</figure>\n", p.Kind, esc(p.Caption), p.SVG)
	}
	b.WriteString("</section>\n")
}

// markLines escapes text and marks the lines of kernel reports.
func markLines(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		e := html.EscapeString(l)
		switch {
		case strings.Contains(l, "none ("):
			b.WriteString(e)
		case strings.Contains(l, "BUG:") || strings.Contains(l, "Oops") || strings.Contains(l, "KASAN") || strings.Contains(l, "FAIL"):
			fmt.Fprintf(&b, `<span class="bad">%s</span>`, e)
		case strings.Contains(l, "WARNING:") || strings.Contains(l, "kmemleak"):
			fmt.Fprintf(&b, `<span class="warn">%s</span>`, e)
		default:
			b.WriteString(e)
		}
	}
	return b.String()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
