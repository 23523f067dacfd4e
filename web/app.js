// The kscript playground: loads kscript.wasm, lists the embedded lessons,
// runs the edited module through the lesson's scenario in the page, and
// shows the transcript, the summary and the pictures of every step; Grade
// grades the edited module on the exercise's visible checks.
"use strict";
const $ = (id) => document.getElementById(id);
const texts = {
  en: {lesson: "Lesson", lang: "Language", about: "About this lesson", transcript: "Transcript", summary: "Summary",
       pictures: "Pictures per step", foot: "The simulated Linux 6.1 kernel runs in this page (WebAssembly); nothing is sent anywhere.",
       run: "Run", grade: "Grade", running: "running…", grading: "grading…", ready: "ready", done: "done in %s ms",
       graded: "graded in %s ms", nochange: "memory did not change in this step",
       editing: "In the editor:", module: "the lesson's module", starter: "the exercise's starter",
       gradingTitle: "Grading: the exercise's visible checks", score: "Score", points: "points",
       gradenote: "Only the exercise's visible checks are graded here; your teacher's grading may have more.",
       notgraded: "not graded yet: press Grade", noexercise: "This lesson has no exercise."},
  th: {lesson: "บทเรียน", lang: "ภาษา", about: "เกี่ยวกับบทเรียนนี้", transcript: "ผลลัพธ์ในเทอร์มินัล", summary: "สรุป",
       pictures: "ภาพของแต่ละขั้น", foot: "Kernel Linux 6.1 จำลองทำงานอยู่ในหน้านี้ (WebAssembly) ไม่มีข้อมูลใดถูกส่งออกไป",
       run: "รัน", grade: "ตรวจงาน", running: "กำลังรัน…", grading: "กำลังตรวจ…", ready: "พร้อม", done: "เสร็จใน %s ms",
       graded: "ตรวจเสร็จใน %s ms", nochange: "หน่วยความจำไม่เปลี่ยนในขั้นนี้",
       editing: "ในตัวแก้ไข:", module: "module ของบทเรียน", starter: "ไฟล์เริ่มต้นของแบบฝึกหัด",
       gradingTitle: "ผลการตรวจ: check ที่มองเห็นได้ของแบบฝึกหัด", score: "คะแนน", points: "คะแนน",
       gradenote: "ที่นี่ตรวจเฉพาะ check ที่มองเห็นได้ของแบบฝึกหัด การตรวจของผู้สอนอาจมี check มากกว่านี้",
       notgraded: "ยังไม่ได้ตรวจ: กด ตรวจงาน", noexercise: "บทเรียนนี้ไม่มีแบบฝึกหัด"},
};
let lessons = [];
let current = null;   // the lesson shown (kscriptLesson's answer)
let lastGrade = null; // the last grading, in both languages
let autorun = false;  // ?autorun=1: run the lesson as soon as the kernel is ready
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
  $("grade").textContent = t("grade");
  for (const o of $("lesson").options) {
    const l = lessons.find((x) => x.id === o.value);
    if (l) o.textContent = l.id + " — " + (l.title[lang()] || l.title.en);
  }
  if (current) $("explain").textContent = current.explain[lang()] || current.explain.en;
  showGrade();
}
function numberLines() {
  const n = $("source").value.split("\n").length;
  $("lines").textContent = Array.from({length: n}, (_, i) => i + 1).join("\n");
  $("source").style.height = (n * 18 + 34) + "px"; // the editor box scrolls, not the text area
}
function setSource(s) { $("source").value = s; numberLines(); }
function loadLesson(id) {
  const l = JSON.parse(kscriptLesson(id));
  if (l.error) { $("status").textContent = l.error; return; }
  current = l;
  lastGrade = null;
  setSource(l.source);
  // The last run was another lesson's: its output goes.
  $("transcript").textContent = ""; $("summary").textContent = ""; $("steps").innerHTML = "";
  $("explain").textContent = l.explain[lang()] || l.explain.en;
  $("load-starter").disabled = true;
  $("grade").disabled = true;
  showGrade();
  // The exercise (its public form) is read after the lesson is shown, or
  // after the first run when the page runs the lesson at once.
  if (!autorun) setTimeout(ensureExercise, 0);
}
// ensureExercise reads the exercise of the lesson shown, once.
function ensureExercise() {
  if (!current || current.exercise !== undefined) return;
  const x = JSON.parse(kscriptExercise(current.id));
  if (x && x.error) { $("status").textContent = x.error; current.exercise = null; return; }
  current.exercise = x;
  $("load-starter").disabled = !x;
  $("grade").disabled = !x || $("run").disabled;
  showGrade();
}
// showGrade lists the exercise's visible checks, with the last grading's
// result and feedback for each when there is one.
function showGrade() {
  const box = $("grading");
  const x = current && current.exercise;
  box.hidden = !x;
  if (!x) return;
  const g = lastGrade && lastGrade[lang()];
  let score = "";
  if (g && g.error) score = '<span class="bad">' + esc(g.error) + "</span>";
  else if (g) {
    score = '<span class="badge st-' + g.status + '">' + esc(g.statusText) + "</span> " + t("score") + " " + g.score + "/" + g.maxScore;
    if (g.message) score += '<br><span class="bad">' + esc(g.message) + "</span>";
    for (const n of g.notes || []) score += "<br>" + esc(n);
  } else score = t("notgraded") + " (" + x.points + " " + t("points") + ")";
  $("grade-score").innerHTML = score;
  let html = "";
  x.checks.forEach((c, i) => {
    const r = g && g.checks && g.checks[i];
    html += '<li class="check" data-id="' + esc(c.id) + '">';
    if (r) html += '<span class="badge st-' + r.status + '">' + esc(r.statusText) + "</span> ";
    html += "<b>" + esc(c.title[lang()] || c.title.en) + '</b> <span class="pts">' + (r ? r.points + "/" : "") + c.points + "</span>";
    if (r && r.feedback && r.feedback.length) html += '<pre class="feedback">' + esc(r.feedback.join("\n")) + "</pre>";
    html += "</li>";
  });
  $("grade-checks").innerHTML = html;
}
function busy(on, what) {
  $("run").disabled = on;
  $("grade").disabled = on || !(current && current.exercise);
  if (on) $("status").textContent = t(what);
}
function run() {
  busy(true, "running");
  setTimeout(() => {
    const t0 = performance.now();
    const r = JSON.parse(kscriptRun($("lesson").value, $("source").value, lang()));
    const ms = Math.round(performance.now() - t0);
    window.kscriptLastRunMs = ms;
    busy(false);
    if (r.error) {
      $("transcript").textContent = r.error; $("summary").textContent = ""; $("steps").innerHTML = ""; $("status").textContent = "error";
      autorun = false; setTimeout(ensureExercise, 0); return;
    }
    $("transcript").innerHTML = mark(r.transcript);
    if (window.kscriptFirstRunMs === undefined) window.kscriptFirstRunMs = Math.round(performance.now());
    $("summary").innerHTML = mark(r.summary);
    let html = "";
    for (const st of r.steps || []) html += '<div class="step"><h3>' + st.n + ". $ " + esc(st.run) + '</h3><div class="pics"></div></div>';
    $("steps").innerHTML = html;
    $("status").textContent = t("done").replace("%s", ms);
    const runs = Number(document.body.dataset.runs || 0) + 1;
    document.body.dataset.runs = String(runs);
    autorun = false;
    drawPictures(r.steps || [], 0, runs, lang());
  }, 10);
}
// drawPictures draws the pictures of step i of run number runs, and then
// of the next step: the transcript is shown first, the pictures follow
// without holding the page.
function drawPictures(steps, i, runs, lng) {
  if (String(runs) !== document.body.dataset.runs) return; // a newer run took over
  if (i >= steps.length) {
    document.body.dataset.pictured = String(runs);
    if (window.kscriptPicturedMs === undefined) window.kscriptPicturedMs = Math.round(performance.now());
    setTimeout(ensureExercise, 0);
    return;
  }
  setTimeout(() => {
    if (String(runs) !== document.body.dataset.runs) return;
    const pics = JSON.parse(kscriptPictures(i, lng));
    let html = "";
    if (!pics || pics.length === 0) html = "<p>" + texts[lng].nochange + "</p>";
    else if (pics.error) html = '<p class="bad">' + esc(pics.error) + "</p>";
    else for (const p of pics) {
      html += '<figure class="pic-' + p.kind + '"><figcaption>' + esc(p.caption) + "</figcaption>";
      if (p.text) html += "<pre>" + mark(p.text) + "</pre>";
      html += p.svg + "</figure>";
    }
    const box = document.querySelectorAll("#steps .pics")[i];
    if (box) box.innerHTML = html;
    drawPictures(steps, i + 1, runs, lng);
  }, 0);
}
function gradeIt() {
  ensureExercise();
  if (!current.exercise) return;
  busy(true, "grading");
  setTimeout(() => {
    const t0 = performance.now();
    lastGrade = JSON.parse(kscriptGrade($("lesson").value, $("source").value, lang()));
    const ms = Math.round(performance.now() - t0);
    busy(false);
    showGrade();
    $("grading").scrollIntoView();
    $("status").textContent = t("graded").replace("%s", ms);
    document.body.dataset.grades = String(Number(document.body.dataset.grades || 0) + 1);
  }, 10);
}
window.kscriptTimes = {};
window.kscriptReady = () => {
  window.kscriptTimes.started = Math.round(performance.now());
  lessons = JSON.parse(kscriptLessons());
  for (const l of lessons) { const o = document.createElement("option"); o.value = l.id; $("lesson").appendChild(o); }
  const q = new URLSearchParams(location.search);
  autorun = Boolean(q.get("autorun"));
  const want = q.get("lesson");
  if (want && lessons.some((l) => l.id === want)) $("lesson").value = want;
  if (q.get("lang") === "th") $("lang").value = "th";
  loadLesson($("lesson").value);
  relabel();
  busy(false);
  $("status").textContent = t("ready");
  document.body.dataset.ready = "1";
  window.kscriptReadyMs = Math.round(performance.now());
  if (autorun) run();
};
$("lesson").addEventListener("change", () => loadLesson($("lesson").value));
$("lang").addEventListener("change", relabel);
$("source").addEventListener("input", numberLines);
$("run").addEventListener("click", run);
$("grade").addEventListener("click", gradeIt);
$("load-module").addEventListener("click", () => { if (current) setSource(current.source); });
$("load-starter").addEventListener("click", () => { ensureExercise(); if (current && current.exercise) setSource(current.exercise.starter); });
// The kernel (kscript.wasm, compiled while it downloads) and the lessons
// (lessons.json: their public form, no hidden checks) load side by side.
const go = new Go();
Promise.all([
  WebAssembly.instantiateStreaming(fetch("kscript.wasm"), go.importObject)
    .then((r) => { window.kscriptTimes.compiled = Math.round(performance.now()); return r; }),
  fetch("lessons.json").then((r) => { if (!r.ok) throw new Error("lessons.json: " + r.status); return r.text(); }),
]).then(([r, bundle]) => { window.kscriptBundle = bundle; go.run(r.instance); })
  .catch((e) => { $("status").textContent = "could not load the playground: " + e; });
