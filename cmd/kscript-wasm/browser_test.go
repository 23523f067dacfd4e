//go:build !(js && wasm)

package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The end-to-end test of the playground: scripts/build-web builds the
// static site once, a local server serves it (gzip, as static hosts do),
// and headless Chromium (Debian's chromium package) opens it, runs lessons
// 01, 03 and 08, checks the transcript, the kernel reports and the
// pictures, grades exercises in the grading view, measures the bytes over
// the wire and the time to the first run, and saves screenshots (PNG) in
// _screenshots/ at the top of the repository (KSCRIPT_SCREENSHOTS=DIR
// elsewhere) with the figures in figures.txt beside them.
//
// Without Chromium the test is skipped, saying so; with
// KSCRIPT_REQUIRE_BROWSER=1 (.ci/run sets it) a missing Chromium fails it.

// chromium returns the browser's path, skipping or failing the test when
// there is none.
func chromium(t *testing.T) string {
	require := os.Getenv("KSCRIPT_REQUIRE_BROWSER") == "1" // read first: go test's cache keys on it
	if p := os.Getenv("KSCRIPT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium on this machine (chromium, chromium-browser or google-chrome on PATH, or KSCRIPT_CHROMIUM=PATH): " +
		"the playground's browser test needs it; apt-get install chromium"
	if require {
		t.Fatal(msg + " (KSCRIPT_REQUIRE_BROWSER=1: the test may not be skipped)")
	}
	t.Skip(msg)
	return ""
}

// buildSite builds the playground with scripts/build-web, the one command
// that builds it, into a temporary folder.
func buildSite(t *testing.T) string {
	// The build reads these in another process: read them here too, so that
	// go test's cache knows a change to them means running the test again.
	for _, dir := range []string{filepath.Join("..", "..", "web"), filepath.Join("..", "..", "scripts")} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			os.ReadFile(f)
		}
	}
	dir := t.TempDir()
	cmd := exec.Command("sh", filepath.Join("..", "..", "scripts", "build-web"), dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/build-web: %v\n%s", err, out)
	}
	return dir
}

// siteServer serves the built site as a static host does, gzip-compressed
// (ahead of time) when the browser accepts it, and counts the bytes it
// sends.
type siteServer struct {
	dir  string
	sent atomic.Int64
	mu   sync.Mutex
	gz   map[string][]byte
}

func (s *siteServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := path.Clean(r.URL.Path)
	if name == "/" {
		name = "/index.html"
	}
	body, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(name)))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	types := map[string]string{".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
		".css": "text/css; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json"}
	w.Header().Set("Content-Type", types[path.Ext(name)])
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		body = s.gzipped(name, body)
		w.Header().Set("Content-Encoding", "gzip")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	n, _ := w.Write(body)
	s.sent.Add(int64(n))
}

// gzipped compresses a file once, at gzip's default level.
func (s *siteServer) gzipped(name string, body []byte) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.gz[name]; ok {
		return b
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(body)
	zw.Close()
	s.gz[name] = buf.Bytes()
	return buf.Bytes()
}

// shotDir is where the screenshots go.
func shotDir(t *testing.T) string {
	dir := os.Getenv("KSCRIPT_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "_screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	return abs
}

// page drives one tab.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
}

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression into v.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// wait waits until a JavaScript expression is true.
func (p *page) wait(expr string) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(5*time.Minute),
		chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		status := eval[string](p, `document.getElementById("status").textContent`)
		p.t.Fatalf("waiting for %s: %v (status: %q)", expr, err, status)
	}
}

// shot saves a screenshot of the viewport, with sel scrolled to its top.
func (p *page) shot(name, sel string) {
	p.t.Helper()
	if sel != "" {
		eval[chromedp.Void](p, `document.querySelector(`+strconv.Quote(sel)+`).scrollIntoView()`)
	}
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.dir, name), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// choose sets a select (the lesson or the language) as a person would.
func (p *page) choose(id, value string) {
	p.t.Helper()
	eval[chromedp.Void](p, fmt.Sprintf(`(() => { const s = document.getElementById(%q); s.value = %q; s.dispatchEvent(new Event("change")); })()`, id, value))
}

// run presses Run and waits for the nth run's result.
func (p *page) run(n int) {
	p.t.Helper()
	p.do(chromedp.Click(chromedp.CSS("#run")))
	p.wait(fmt.Sprintf(`document.body.dataset.pictured === "%d"`, n))
}

// grade presses Grade and waits for the nth grading.
func (p *page) grade(n int) {
	p.t.Helper()
	p.wait(`!document.getElementById("grade").disabled`)
	p.do(chromedp.Click(chromedp.CSS("#grade")))
	p.wait(fmt.Sprintf(`document.body.dataset.grades === "%d"`, n))
}

// shownPicture is a picture as the page shows it.
type shownPicture struct {
	Kind  string   `json:"kind"`
	Label string   `json:"label"`
	Rects int      `json:"rects"`
	Text  string   `json:"text"`
	Title []string `json:"titles"`
}

// shownStep is a step with its pictures as the page shows them.
type shownStep struct {
	Run  string         `json:"run"`
	Pics []shownPicture `json:"pics"`
}

func (p *page) steps() []shownStep {
	p.t.Helper()
	return eval[[]shownStep](p, `[...document.querySelectorAll("#steps .step")].map((st) => ({
		run: st.querySelector("h3").textContent.replace(/^\d+\. \$ /, ""),
		pics: [...st.querySelectorAll("figure")].map((f) => ({
			kind: f.className.replace("pic-", ""),
			label: (f.querySelector("svg") || {getAttribute: () => ""}).getAttribute("aria-label") || "",
			rects: f.querySelectorAll("svg rect").length,
			text: (f.querySelector("pre") || {textContent: ""}).textContent,
			titles: [...f.querySelectorAll("svg title")].map((x) => x.textContent)}))}))`)
}

// samePictures checks that the page shows, step by step, the pictures the
// same run makes outside the browser (runtime/picture's own tests check
// those against /proc).
func samePictures(t *testing.T, id, lang string, shown []shownStep) {
	t.Helper()
	l, err := getLesson(id)
	if err != nil {
		t.Fatal(err)
	}
	want := runLesson(id, l.Source, lang)
	if len(want.Steps) != len(shown) {
		t.Fatalf("%s: the page shows %d steps, the run has %d", id, len(shown), len(want.Steps))
	}
	for i, st := range want.Steps {
		if len(st.Pictures) != len(shown[i].Pics) {
			t.Fatalf("%s step %d: the page shows %d pictures, the run made %d", id, st.N, len(shown[i].Pics), len(st.Pictures))
		}
		for j, pic := range st.Pictures {
			got := shown[i].Pics[j]
			label := regexp.MustCompile(`aria-label="([^"]*)"`).FindStringSubmatch(pic.SVG)
			if got.Kind != pic.Kind || len(label) < 2 || got.Label != htmlUnescape(label[1]) || got.Rects != strings.Count(pic.SVG, "<rect") {
				t.Errorf("%s step %d picture %d: the page shows %s %q with %d rects, the run made %s %v with %d",
					id, st.N, j, got.Kind, got.Label, got.Rects, pic.Kind, label, strings.Count(pic.SVG, "<rect"))
			}
		}
	}
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'", "&amp;", "&").Replace(s)
}

// inUse reads "N of M objects in use" from a slab picture's label.
func inUse(t *testing.T, label string) int {
	m := regexp.MustCompile(`(\d+) of \d+ objects in use`).FindStringSubmatch(label)
	if m == nil {
		t.Fatalf("slab picture without its objects in use: %q", label)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestBrowser(t *testing.T) {
	chrome := chromium(t)
	if testing.Short() && os.Getenv("KSCRIPT_REQUIRE_BROWSER") != "1" {
		t.Skip("-short: the browser test builds the site and starts Chromium")
	}
	site := buildSite(t)
	// Nothing the site serves holds a hidden check or a solution.
	files, _ := filepath.Glob(filepath.Join(site, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, needle := range hiddenTexts(t) {
			if bytes.Contains(b, []byte(needle)) {
				t.Errorf("%s holds hidden text %q", filepath.Base(f), needle)
			}
		}
		if bytes.Contains(b, []byte(".solution.star")) {
			t.Errorf("%s names a solution", filepath.Base(f))
		}
	}
	srv := &siteServer{dir: site, gz: map[string][]byte{}}
	// Compress every file before the browser asks, as a static host keeps
	// its files compressed: the time to first run must not count gzip.
	for _, f := range files {
		b, _ := os.ReadFile(f)
		srv.gzipped("/"+filepath.Base(f), b)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1400, 1000))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 15*time.Minute)
	defer cancelT()
	p := &page{t: t, ctx: ctx, base: ts.URL, dir: shotDir(t)}

	// Lesson 01, as a student opens it: from navigation to the first
	// transcript line (autorun presses Run as soon as the kernel is ready).
	start := time.Now()
	p.do(chromedp.Navigate(ts.URL + "/?lesson=01_kmalloc&autorun=1"))
	p.wait(`document.body.dataset.runs === "1"`)
	wall := time.Since(start)
	p.wait(`document.body.dataset.pictured === "1"`)
	timing := eval[map[string]float64](p, `({compiled: kscriptTimes.compiled, started: kscriptTimes.started, ready: window.kscriptReadyMs,
		first: window.kscriptFirstRunMs, run: window.kscriptLastRunMs, pictured: window.kscriptPicturedMs})`)
	wire := eval[map[string]float64](p, `(() => { const o = {}; for (const e of performance.getEntriesByType("resource").concat(performance.getEntriesByType("navigation")))
		{ o[e.name.replace(/^.*\//, "") || "index.html"] = e.transferSize; } return o; })()`)
	fetched := eval[map[string]float64](p, `(() => { const e = performance.getEntriesByName(new URL("kscript.wasm", location.href).href)[0];
		const n = performance.getEntriesByType("navigation")[0];
		return {start: e.startTime, first: e.responseStart, end: e.responseEnd, html: n.responseEnd}; })()`)
	transcript := eval[string](p, `document.getElementById("transcript").textContent`)
	summary := eval[string](p, `document.getElementById("summary").textContent`)
	for _, want := range []string{"$ sudo insmod hello_kmalloc.ko", "Allocated buffer contains: Hello from the kernel!", "Memory freed. Exiting module."} {
		if !strings.Contains(transcript, want) {
			t.Errorf("lesson 01: transcript without %q:\n%s", want, transcript)
		}
	}
	if !strings.Contains(summary, "kscript") {
		t.Errorf("lesson 01: no summary: %q", summary)
	}
	steps := p.steps()
	samePictures(t, "01_kmalloc", "en", steps)
	// The module's one kmalloc(128) is the difference between kmalloc-128's
	// objects in use after insmod and after rmmod.
	var after []int
	for _, st := range steps {
		for _, pic := range st.Pics {
			if pic.Kind == "slab" && strings.Contains(pic.Label, "kmalloc-128:") {
				after = append(after, inUse(t, pic.Label))
			}
		}
	}
	if len(after) != 2 || after[0]-after[1] != 1 {
		t.Errorf("lesson 01: kmalloc-128 objects in use after insmod and rmmod: %v, want one more after insmod", after)
	}
	p.shot("01_kmalloc-run.png", "")
	p.shot("01_kmalloc-pictures.png", "#steps .step:nth-child(2)")

	load, _ := os.ReadFile("/proc/loadavg")
	figures := fmt.Sprintf("Chromium %s, %d CPUs (%s/%s), load average %s, served from 127.0.0.1 with gzip\n",
		chromeVersion(chrome), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, strings.Join(strings.Fields(string(load) + " ? ? ?")[:3], " "))
	figures += fmt.Sprintf("kscript.wasm: %d bytes; over the wire: %d bytes in all (%s)\n", fileSize(site, "kscript.wasm"), srv.sent.Load(), wireText(wire))
	figures += fmt.Sprintf("lesson 01, from navigation: page received at %.0f ms, kscript.wasm requested at %.0f ms, its first byte at %.0f ms, its last at %.0f ms\n",
		fetched["html"], fetched["start"], fetched["first"], fetched["end"])
	figures += fmt.Sprintf("lesson 01, from navigation: kscript.wasm fetched and compiled at %.0f ms, Go started at %.0f ms, lesson shown at %.0f ms, "+
		"first transcript line at %.0f ms (the run itself %.0f ms), every picture drawn at %.0f ms; %.1f s to the transcript as the test driver saw it, Chromium's start excluded\n",
		timing["compiled"], timing["started"], timing["ready"], timing["first"], timing["run"], timing["pictured"], wall.Seconds())
	t.Log(figures)

	// Lesson 03 (its transcript shows /proc/buddyinfo: the buddy picture
	// of the step before must show the same free blocks).
	p.choose("lesson", "03_atomic")
	p.run(2)
	transcript = eval[string](p, `document.getElementById("transcript").textContent`)
	for _, want := range []string{"GFP_ATOMIC allocation successful!", "page allocation failure: order:2", "Atomic allocation failed."} {
		if !strings.Contains(transcript, want) {
			t.Errorf("lesson 03: transcript without %q", want)
		}
	}
	steps = p.steps()
	samePictures(t, "03_atomic", "en", steps)
	checkBuddyInfo(t, transcript, steps)
	p.shot("03_atomic-buddy.png", "#steps .step:nth-child(7) figure.pic-buddy")

	// Lesson 08 in Thai: the KASAN report, explained, and its shadow bytes.
	p.choose("lang", "th")
	p.choose("lesson", "08_copy_from_user")
	p.run(3)
	transcript = eval[string](p, `document.getElementById("transcript").textContent`)
	summary = eval[string](p, `document.getElementById("summary").textContent`)
	for _, want := range []string{"write of 40 bytes failed: Bad address", "BUG: KASAN: global-out-of-bounds in ", "Received from user: This message is forty bytes lon"} {
		if !strings.Contains(transcript, want) {
			t.Errorf("lesson 08: transcript without %q", want)
		}
	}
	if !strings.Contains(summary, "Buffer overflow detected (32 < 40)!") {
		t.Errorf("lesson 08: summary without hardened usercopy's report: %q", summary)
	}
	if !regexp.MustCompile(`\p{Thai}`).MatchString(summary) {
		t.Errorf("lesson 08 in Thai: summary without Thai: %q", summary)
	}
	steps = p.steps()
	samePictures(t, "08_copy_from_user", "th", steps)
	kasan := 0
	for _, st := range steps {
		for _, pic := range st.Pics {
			if pic.Kind == "kasan" {
				kasan++
				bug := regexp.MustCompile(`BUG: KASAN: .*`).FindString(pic.Text)
				if bug == "" || !strings.Contains(transcript, bug) || pic.Rects == 0 {
					t.Errorf("lesson 08: KASAN picture beside %q (%d rects), not a report of the transcript", pic.Text, pic.Rects)
				}
			}
		}
	}
	if kasan == 0 {
		t.Error("lesson 08: no KASAN shadow picture")
	}
	p.shot("08_copy_from_user-report-th.png", "figure.pic-kasan")

	// The grading view: lesson 01's starter fails with feedback, the
	// reference solution (from the repository; it never ships) passes.
	p.choose("lang", "en")
	p.choose("lesson", "01_kmalloc")
	p.wait(`!document.getElementById("load-starter").disabled`)
	p.do(chromedp.Click(chromedp.CSS("#load-starter")))
	p.grade(1)
	g := gradeShown(p)
	if !strings.Contains(g.Score, "FAIL") || len(g.Checks) < 3 || g.Feedback == 0 {
		t.Errorf("grading lesson 01's starter: %+v, want FAIL with feedback", g)
	}
	p.shot("grade-01-starter-en.png", "#grading")
	solution, err := os.ReadFile(filepath.Join("..", "..", "lessons", "exercises", "01_kmalloc.solution.star"))
	if err != nil {
		t.Fatal(err)
	}
	eval[chromedp.Void](p, `(() => { const e = document.getElementById("source"); e.value = `+strconv.Quote(string(solution))+`; e.dispatchEvent(new Event("input")); })()`)
	p.grade(2)
	g = gradeShown(p)
	if got, max := g.points(); !strings.Contains(g.Score, "PASS") || got != max || max == 0 || g.Feedback != 0 || g.Passed != len(g.Checks) {
		t.Errorf("grading lesson 01's solution: %+v, want PASS with every point and no feedback", g)
	}
	p.shot("grade-01-solution-en.png", "#grading")
	p.choose("lang", "th")
	g = gradeShown(p)
	if !regexp.MustCompile(`\p{Thai}`).MatchString(strings.Join(g.Checks, "\n")) || g.Passed != len(g.Checks) {
		t.Errorf("the grading in Thai: %+v", g)
	}
	p.shot("grade-01-solution-th.png", "#grading")
	p.choose("lesson", "08_copy_from_user")
	p.wait(`!document.getElementById("load-starter").disabled`)
	p.do(chromedp.Click(chromedp.CSS("#load-starter")))
	p.grade(3)
	g = gradeShown(p)
	if got, max := g.points(); got >= max || g.Feedback == 0 || !regexp.MustCompile(`\p{Thai}`).MatchString(g.FeedbackText) {
		t.Errorf("grading lesson 08's starter in Thai: %+v, want a failed check and Thai feedback", g)
	}
	p.shot("grade-08-starter-th.png", "#grading")

	if err := os.WriteFile(filepath.Join(p.dir, "figures.txt"), []byte(figures), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", p.dir)
}

// gradeView is the grading view as the page shows it.
type gradeView struct {
	Score        string   `json:"score"`
	Checks       []string `json:"checks"`
	Passed       int      `json:"passed"`
	Feedback     int      `json:"feedback"`
	FeedbackText string   `json:"feedbackText"`
}

// points reads the score "N/M" the view shows.
func (g gradeView) points() (int, int) {
	m := regexp.MustCompile(`(\d+)/(\d+)`).FindStringSubmatch(g.Score)
	if m == nil {
		return -1, -1
	}
	got, _ := strconv.Atoi(m[1])
	max, _ := strconv.Atoi(m[2])
	return got, max
}

func gradeShown(p *page) gradeView {
	return eval[gradeView](p, `({score: document.getElementById("grade-score").textContent,
		checks: [...document.querySelectorAll("#grade-checks li")].map((li) => li.textContent),
		passed: document.querySelectorAll("#grade-checks .st-PASS").length,
		feedback: document.querySelectorAll("#grade-checks .feedback").length,
		feedbackText: [...document.querySelectorAll("#grade-checks .feedback")].map((f) => f.textContent).join("\n")})`)
}

// checkBuddyInfo checks that the buddy picture of the last step before
// "cat /proc/buddyinfo" that drew one shows the free blocks the file shows.
func checkBuddyInfo(t *testing.T, transcript string, steps []shownStep) {
	t.Helper()
	at := -1
	for i, st := range steps {
		if st.Run == "cat /proc/buddyinfo" {
			at = i
		}
	}
	var titles []string
	for i := at - 1; i >= 0 && titles == nil; i-- {
		for _, pic := range steps[i].Pics {
			if pic.Kind == "buddy" {
				titles = pic.Title
			}
		}
	}
	if at < 0 || titles == nil {
		t.Fatal("lesson 03: no buddy picture before cat /proc/buddyinfo")
	}
	drawn := map[string]string{} // "DMA32 3" -> "9"
	for _, s := range titles {
		if m := regexp.MustCompile(`^(\S+) order (\d+): (\d+) free blocks`).FindStringSubmatch(s); m != nil {
			drawn[m[1]+" "+m[2]] = m[3]
		}
	}
	zones := 0
	for _, line := range strings.Split(transcript, "\n") {
		m := regexp.MustCompile(`^Node 0, zone\s+(\S+)((?:\s+\d+)+)\s*$`).FindStringSubmatch(line)
		if m == nil {
			continue
		}
		zones++
		for order, n := range strings.Fields(m[2]) {
			if got := drawn[fmt.Sprintf("%s %d", m[1], order)]; got != n {
				t.Errorf("lesson 03: /proc/buddyinfo says %s order %d has %s free blocks, the picture %q", m[1], order, n, got)
			}
		}
	}
	if zones == 0 {
		t.Error("lesson 03: no /proc/buddyinfo in the transcript")
	}
}

func chromeVersion(path string) string {
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		return "(version unknown)"
	}
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "Chromium"))
}

func fileSize(dir, name string) int64 {
	st, err := os.Stat(filepath.Join(dir, name))
	if err != nil {
		return -1
	}
	return st.Size()
}

func wireText(wire map[string]float64) string {
	var parts []string
	for _, n := range []string{"index.html", "style.css", "wasm_exec.js", "app.js", "lessons.json", "kscript.wasm"} {
		if v, ok := wire[n]; ok {
			parts = append(parts, fmt.Sprintf("%s %.0f", n, v))
		}
	}
	return strings.Join(parts, ", ")
}
