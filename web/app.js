// The kscript playground: loads kscript.wasm, lists the embedded lessons,
// runs the edited module through the lesson's scenario in the page, and
// shows the transcript, the summary and the pictures of every step.
"use strict";
const $ = (id) => document.getElementById(id);
const texts = {
  en: {lesson: "Lesson", lang: "Language", about: "About this lesson", transcript: "Transcript", summary: "Summary",
       pictures: "Pictures per step", foot: "The simulated Linux 6.1 kernel runs in this page (WebAssembly); nothing is sent anywhere.",
       run: "Run", running: "running…", ready: "ready", done: "done in %s ms", nochange: "memory did not change in this step"},
  th: {lesson: "บทเรียน", lang: "ภาษา", about: "เกี่ยวกับบทเรียนนี้", transcript: "ผลลัพธ์ในเทอร์มินัล", summary: "สรุป",
       pictures: "ภาพของแต่ละขั้น", foot: "เคอร์เนล Linux 6.1 จำลองทำงานอยู่ในหน้านี้ (WebAssembly) ไม่มีข้อมูลใดถูกส่งออกไป",
       run: "รัน", running: "กำลังรัน…", ready: "พร้อม", done: "เสร็จใน %s ms", nochange: "หน่วยความจำไม่เปลี่ยนในขั้นนี้"},
};
let lessons = [];
const lang = () => $("lang").value;
const t = (k) => texts[lang()][k];

function esc(s) { return s.replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c])); }
function mark(s) {
  return s.split("\n").map((l) => /BUG:|Oops|KASAN|FAIL|WARNING:/.test(l) && !/none \(/.test(l) ? '<span class="bad">' + esc(l) + "</span>" : esc(l)).join("\n");
}
function relabel() {
  document.documentElement.lang = lang();
  document.querySelectorAll("[data-t]").forEach((e) => { e.textContent = t(e.dataset.t); });
  $("run").textContent = t("run");
  for (const o of $("lesson").options) {
    const l = lessons.find((x) => x.id === o.value);
    if (l) o.textContent = l.id + " — " + (l.title[lang()] || l.title.en);
  }
}
function numberLines() {
  const n = $("source").value.split("\n").length;
  $("lines").textContent = Array.from({length: n}, (_, i) => i + 1).join("\n");
}
function loadLesson(id) {
  const l = JSON.parse(kscriptLesson(id));
  if (l.error) { $("status").textContent = l.error; return; }
  $("source").value = l.source;
  $("explain").textContent = l.explain[lang()] || l.explain.en;
  $("explain").dataset.en = l.explain.en; $("explain").dataset.th = l.explain.th;
  numberLines();
}
function run() {
  $("status").textContent = t("running");
  $("run").disabled = true;
  setTimeout(() => {
    const t0 = performance.now();
    const r = JSON.parse(kscriptRun($("lesson").value, $("source").value, lang()));
    const ms = Math.round(performance.now() - t0);
    window.kscriptLastRunMs = ms;
    $("run").disabled = false;
    if (r.error) { $("transcript").textContent = r.error; $("summary").textContent = ""; $("steps").innerHTML = ""; $("status").textContent = "error"; return; }
    $("transcript").innerHTML = mark(r.transcript);
    $("summary").innerHTML = mark(r.summary);
    let html = "";
    for (const st of r.steps) {
      html += '<div class="step"><h3>' + st.n + ". $ " + esc(st.run) + "</h3>";
      if (!st.pictures || st.pictures.length === 0) html += "<p>" + t("nochange") + "</p>";
      for (const p of st.pictures || []) {
        html += '<figure class="pic-' + p.kind + '"><figcaption>' + esc(p.caption) + "</figcaption>";
        if (p.text) html += "<pre>" + mark(p.text) + "</pre>";
        html += p.svg + "</figure>";
      }
      html += "</div>";
    }
    $("steps").innerHTML = html;
    $("status").textContent = t("done").replace("%s", ms);
    document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
  }, 10);
}
window.kscriptReady = () => {
  lessons = JSON.parse(kscriptLessons());
  for (const l of lessons) { const o = document.createElement("option"); o.value = l.id; $("lesson").appendChild(o); }
  const want = new URLSearchParams(location.search).get("lesson");
  if (want && lessons.some((l) => l.id === want)) $("lesson").value = want;
  relabel();
  loadLesson($("lesson").value);
  $("run").disabled = false;
  $("status").textContent = t("ready");
  document.body.dataset.ready = "1";
  window.kscriptReadyMs = Math.round(performance.now());
  if (new URLSearchParams(location.search).get("autorun")) run();
};
$("lesson").addEventListener("change", () => loadLesson($("lesson").value));
$("lang").addEventListener("change", () => { relabel(); const e = $("explain"); e.textContent = e.dataset[lang()] || e.dataset.en || ""; });
$("source").addEventListener("input", numberLines);
$("run").addEventListener("click", run);
const go = new Go();
WebAssembly.instantiateStreaming(fetch("kscript.wasm"), go.importObject)
  .then((r) => go.run(r.instance))
  .catch((e) => { $("status").textContent = "could not load kscript.wasm: " + e; });
