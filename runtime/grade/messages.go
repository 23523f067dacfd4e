package grade

import "kscript.dev/kscript/runtime/i18n"

// messages holds the grader's own texts in English and Thai. Thai keeps the
// technical terms (insmod, kmalloc, Oops, fault injection) in English, as
// Thai kernel courses write them. The catalog is made when first used: as
// a package-level map literal it was made at the start of every kscript
// process, kscript --help included (12k instructions).
var messages = i18n.Lazy(messagesTable)

func messagesTable() i18n.Catalog {
	return i18n.Catalog{
		// Why a check or a submission could not be judged.
		"needs":              {"skipped: needs %s, which did not pass (%s: %s)", "ข้าม: ต้องผ่าน %s ก่อน ซึ่งยังไม่ผ่าน (%s: %s)"},
		"no-fault-injection": {"not run: this kscript cannot inject faults yet (fail: %s), so the error path cannot be tested", "ไม่ได้รัน: kscript รุ่นนี้ยังทำ fault injection ไม่ได้ (fail: %s) จึงทดสอบเส้นทางจัดการ error ไม่ได้"},
		"script-error":       {"the script stopped with an error: %s", "สคริปต์หยุดทำงานเพราะข้อผิดพลาด: %s"},
		"step-limit":         {"step budget exhausted at %s: the submission used all %d Starlark steps it may take, counted across its code, callbacks, read()/write() and user programs (an endless loop? a tasklet that reschedules itself forever?)", "ใช้ step หมดงบที่ %s: งานที่ส่งใช้ Starlark step ครบ %d step ที่อนุญาต ซึ่งนับรวมทั้งโค้ดของ module, callback, read()/write() และโปรแกรมฝั่งผู้ใช้ (วนลูปไม่รู้จบ? tasklet ที่ตั้งเวลาตัวเองซ้ำไม่หยุด?)"},
		"internal-error":     {"kscript internal error (a bug in kscript, not in the submission): %s", "kscript ทำงานผิดพลาดภายใน (เป็นบั๊กของ kscript ไม่ใช่ของงานที่ส่ง): %s"},
		"kernel-stopped":     {"the run stopped at the kernel's report of a bug in the submission: %s (see the kernel report)", "การรันหยุดลงที่รายงานจาก Kernel เรื่องบั๊กในงานที่ส่ง: %s (ดูรายงานจาก Kernel)"},
		"machine-error":      {"the simulated machine could not boot: %s", "บูตเครื่องจำลองไม่ได้: %s"},
		"unreadable":         {"cannot read the submission: %s", "อ่านไฟล์งานที่ส่งไม่ได้: %s"},
		"worker-oom":         {"the submission used more memory than a submission may (%s beyond the worker's start), and kscript's worker process grading it ran out: %s", "งานที่ส่งใช้หน่วยความจำเกินที่งานหนึ่งชิ้นใช้ได้ (เกิน %s จากตอนเริ่ม) โปรเซส worker ของ kscript ที่ตรวจงานชิ้นนี้จึงหน่วยความจำหมด: %s"},
		"worker-died":        {"kscript's worker process grading this submission died: %s (a stack overflow caused by the submission, or a bug in kscript)", "โปรเซส worker ของ kscript ที่ตรวจงานชิ้นนี้หยุดทำงาน: %s (งานที่ส่งทำให้ stack ล้น หรือเป็นบั๊กของ kscript)"},
		"worker-deadline":    {"kscript internal error: its worker process did not finish this submission within %s and was stopped (the step limit should have stopped the script first)", "kscript ทำงานผิดพลาดภายใน: โปรเซส worker ตรวจงานชิ้นนี้ไม่เสร็จภายใน %s จึงถูกหยุด (ตามปกติ step limit ต้องหยุดสคริปต์ก่อนถึงเวลานี้)"},
		"worker-start":       {"kscript internal error: cannot start a worker process: %s", "kscript ทำงานผิดพลาดภายใน: เริ่มโปรเซส worker ไม่ได้: %s"},
		"refused":            {"cannot grade the submission: %s", "ตรวจงานที่ส่งนี้ไม่ได้: %s"},
		"not-regular":        {"%s: a %s, not a regular file: kscript grades regular files only", "%s: เป็น %s ไม่ใช่ไฟล์ธรรมดา (regular file) kscript ตรวจได้เฉพาะไฟล์ธรรมดา"},
		"no-star":            {"%s: a folder with no .star file directly in it (it holds %s): kscript grades a module written as one .star file", "%s: เป็นโฟลเดอร์ที่ไม่มีไฟล์ .star อยู่ข้างในโดยตรง (ในนั้นมี %s) kscript ตรวจ module ที่เขียนเป็นไฟล์ .star ไฟล์เดียว"},
		"no-star-empty":      {"%s: an empty folder: kscript grades a module written as one .star file", "%s: เป็นโฟลเดอร์ว่าง kscript ตรวจ module ที่เขียนเป็นไฟล์ .star ไฟล์เดียว"},
		"too-big":            {"%s: %d bytes, more than the %d a submission may have", "%s: ขนาด %d ไบต์ เกิน %d ไบต์ที่งานหนึ่งชิ้นมีได้"},
		"not-graded":         {"not graded: the batch was interrupted (%s) before this submission was graded", "ยังไม่ได้ตรวจ: การตรวจทั้งชุดถูกขัดจังหวะ (%s) ก่อนถึงงานชิ้นนี้"},
		"cut":                {" … [kscript: cut at %d of %d bytes]", " … [kscript: ตัดไว้ที่ %d จาก %d ไบต์]"},
		"program-ignored":    {"note: the submission's user_program %[1]q is ignored: the lesson's own ./%[1]s ran instead (the checks run the lesson's test programs)", "หมายเหตุ: user_program %[1]q ในงานที่ส่งถูกข้ามไป ระบบรันโปรแกรม ./%[1]s ของบทเรียนแทน (การตรวจใช้โปรแกรมทดสอบของบทเรียนเอง)"},
		"each-want":          {"no kernel report when any other %s call fails in its place (each in turn, up to %d)", "ไม่มีรายงานจาก Kernel เมื่อการเรียก %s ครั้งอื่นล้มเหลวแทน (ทีละครั้ง ไม่เกิน %d ครั้ง)"},
		"each-bug":           {"with %s: %s (a call whose result is not checked)", "เมื่อใช้ %s: %s (มีการเรียกที่ไม่ได้ตรวจผลลัพธ์)"},
		"each-memory":        {"with %s: memory not restored (the error path does not give back what it allocated)", "เมื่อใช้ %s: หน่วยความจำไม่กลับมาครบ (เส้นทาง error ไม่ได้ปล่อยสิ่งที่จองไว้)"},
		"each-many":          {"the scenario makes more than %[2]d %[1]s calls: kscript fails each in turn and tests %[2]d at most", "scenario มีการเรียก %[1]s มากกว่า %[2]d ครั้ง: kscript ทำให้ล้มเหลวทีละครั้งและทดสอบได้ไม่เกิน %[2]d ครั้ง"},
		"verify-failed":      {"passed on seed %d, but not on the verify run (kernel seed %d, with the page frames and vmalloc addresses the module got on seed %d kept from it, so that it gets others: a value typed into the line fits one run only): %s", "ผ่านบน seed %d แต่ไม่ผ่านในการรันตรวจซ้ำ (kernel seed %d โดยกัน page frame และที่อยู่ vmalloc ที่ module ได้ไปบน seed %d ออกไปก่อน module จึงได้ชุดอื่น ค่าที่พิมพ์ใส่ลงในบรรทัดเองจึงตรงได้แค่การรันครั้งเดียว): %s"},
		"verify-stopped":     {"passed on seed %d, but the verify run (kernel seed %d) did not finish: %s", "ผ่านบน seed %d แต่การรันตรวจซ้ำ (kernel seed %d) ทำงานไม่จบ: %s"},
		"each-stopped":       {"with %s: %s", "เมื่อใช้ %s: %s"},
		"kept-want":          {"the injected failure on a %s call whose object the module keeps, handled: init undoes what it did", "fault injection ล้มเหลวที่การเรียก %s ซึ่ง module เก็บ object ไว้ใช้ และ module รับมือได้: init ย้อนทุกอย่างที่ทำไปแล้ว"},
		"kept-nth-freed":     {"%s call %d (%s, step %d) made an object freed in step %d, before the check's steps ended: a throwaway allocation took the failure", "การเรียก %s ครั้งที่ %d (%s ขั้นตอนที่ %d) ได้ object ที่ถูกปล่อยในขั้นตอนที่ %d ก่อนขั้นตอนของการตรวจนี้จบ: การจองทิ้งรับความล้มเหลวไปแทน"},
		"kept-nth-none":      {"%s call %d made no object the module keeps", "การเรียก %s ครั้งที่ %d ไม่ได้ object ที่ module เก็บไว้"},
		"kept-none":          {"%s; and no %s call made an object still allocated at the end of the check's steps: the failure cannot land on what the module keeps", "%s และไม่มีการเรียก %s ใดได้ object ที่ยังไม่ถูกปล่อยเมื่อขั้นตอนของการตรวจนี้จบ: จึงทำให้การจองที่ module เก็บไว้ล้มเหลวไม่ได้"},
		"kept-instead":       {"%s; with %s instead, the first call whose object the module keeps (%s)", "%s เมื่อใช้ %s แทน ซึ่งเป็นการเรียกแรกที่ module เก็บ object ไว้ (%s)"},
		"kept-got":           {"%s: %s", "%s: %s"},
		"kept-stopped":       {"the run without fault injection, which shows the allocations the module keeps: %s", "การรันโดยไม่มี fault injection ซึ่งใช้ดูว่า module เก็บการจองใดไว้: %s"},
		"kept-site":          {"with %s, the first call at %s whose object the module keeps (the module keeps objects from more than one place)", "เมื่อใช้ %s ซึ่งเป็นการเรียกแรกที่ %s ที่ module เก็บ object ไว้ (module เก็บ object ที่จองจากหลายตำแหน่ง)"},
		"kept-pick":          {"with %s, a call at %s whose object the module keeps, picked from a hash of the submission (any kept call may fail)", "เมื่อใช้ %s ซึ่งเป็นการเรียกที่ %s ที่ module เก็บ object ไว้ เลือกจาก hash ของงานที่ส่ง (การจองที่เก็บไว้ครั้งใดก็ล้มเหลวได้)"},
		"kept-many":          {"%d more %s calls to fail in turn (the first kept call of each place the module keeps objects from): kscript tests %d at most", "ต้องทำให้การเรียก %[2]s ล้มเหลวทีละครั้งอีก %[1]d ครั้ง (การเรียกแรกของแต่ละตำแหน่งที่ module เก็บ object ไว้): kscript ทดสอบได้ไม่เกิน %[3]d ครั้ง"},
		"healthy-kernel":     {"no kernel report, no leak", "ไม่มีรายงานจาก Kernel และไม่มีหน่วยความจำรั่ว"},

		// Feedback labels.
		"expected":        {"expected:", "ต้องได้:"},
		"actual":          {"actual:", "ได้จริง:"},
		"report":          {"kernel report:", "รายงานจาก Kernel:"},
		"finding":         {"kscript's finding:", "สิ่งที่ kscript ตรวจพบ:"},
		"hint":            {"hint:", "คำแนะนำ:"},
		"at":              {"%s (at %s)", "%s (ที่ %s)"},
		"hidden":          {"hidden", "ซ่อนไว้"},
		"after_due_date":  {"after_due_date", "แสดงหลังกำหนดส่ง"},
		"after_published": {"after_published", "แสดงหลังประกาศผล"},
		"points":          {"%d/%d points", "%d/%d คะแนน"},

		// Summaries.
		"batch":              {"kscript grade: %s (%s), module %s, %d submissions", "kscript grade: %s (%s), module %s, งานที่ส่ง %d ชิ้น"},
		"totals":             {"%d passed, %d failed, %d errors, %d timeouts", "ผ่าน %d, ไม่ผ่าน %d, ข้อผิดพลาด %d, หมดเวลา %d"},
		"incomplete":         {"kscript: the batch was interrupted (%s): %d of %d submissions not graded; the results are incomplete", "kscript: การตรวจทั้งชุดถูกขัดจังหวะ (%s): ยังไม่ได้ตรวจ %d จาก %d ชิ้น ผลนี้จึงยังไม่ครบ"},
		"gs-several":         {"Gradescope grades one module per upload, and this upload holds %d .star files (%s): each is graded below so you can see what it would earn, and the score is 0 until the upload holds the module alone", "Gradescope ตรวจ module ได้ครั้งละหนึ่งชิ้นต่อการส่งหนึ่งครั้ง แต่การส่งครั้งนี้มีไฟล์ .star %d ไฟล์ (%s) ด้านล่างคือผลตรวจของแต่ละไฟล์เพื่อให้เห็นว่าจะได้คะแนนเท่าไร คะแนนรวมจะเป็น 0 จนกว่าจะส่งเฉพาะไฟล์ module ไฟล์เดียว"},
		"gs-not-counted":     {"(not counted: %d .star files in this upload; alone, this one would earn %d/%d here)", "(ไม่นับคะแนน: การส่งครั้งนี้มีไฟล์ .star %d ไฟล์ ถ้าส่งไฟล์นี้ไฟล์เดียวจะได้ %d/%d คะแนนในข้อนี้)"},
		"gs-none":            {"no submission was graded", "ไม่มีงานที่ส่งให้ตรวจ"},
		"score-line":         {"score %d/%d: %s", "คะแนน %d/%d: %s"},
		"score-visible":      {"score %d/%d on the visible checks: %s", "คะแนน %d/%d จากรายการตรวจที่มองเห็นได้: %s"},
		"score-later-1":      {"1 more point is in 1 check not shown here (hidden, or shown after the due date or once the results are published)", "อีก 1 คะแนนอยู่ในรายการตรวจ 1 รายการที่ไม่แสดงที่นี่ (ซ่อนไว้ หรือแสดงหลังกำหนดส่งหรือหลังประกาศผล)"},
		"score-later":        {"%d more points are in %d checks not shown here (hidden, or shown after the due date or once the results are published)", "อีก %d คะแนนอยู่ในรายการตรวจ %d รายการที่ไม่แสดงที่นี่ (ซ่อนไว้ หรือแสดงหลังกำหนดส่งหรือหลังประกาศผล)"},
		"status-PASS":        {"PASS", "ผ่าน"},
		"status-FAIL":        {"FAIL", "ไม่ผ่าน"},
		"status-SKIP":        {"SKIP", "ข้าม"},
		"status-ERROR":       {"ERROR", "ผิดพลาด"},
		"status-TIMEOUT":     {"TIMEOUT", "หมดเวลา"},
		"status-NOT_GRADED":  {"NOT GRADED", "ยังไม่ได้ตรวจ"},
		"expectation-failed": {"%s: expected %s, actual %s", "%s: ต้องได้ %s แต่ได้จริง %s"},
		"starter-full":       {"the starter earns full marks: it must leave the exercise's work to the student", "ไฟล์เริ่มต้นได้คะแนนเต็ม: ต้องเหลืองานของแบบฝึกหัดไว้ให้ผู้เรียนทำ"},
		"public-form-test":   {"a public form of a lesson (the lessons built into kscript, or kscript publish) has no solution and no hidden checks: kscript test needs the full form, the lesson folder's NN.yaml", "รูปแบบสาธารณะของบทเรียน (บทเรียนที่ติดมากับ kscript หรือที่ได้จาก kscript publish) ไม่มีเฉลยและไม่มีรายการตรวจที่ซ่อนไว้ kscript test ต้องใช้ไฟล์บทเรียนฉบับเต็ม คือ NN.yaml ในโฟลเดอร์บทเรียน"},
		"public-form-grade":  {"note: %s is a public form of the lesson (the lessons built into kscript, or kscript publish): hidden checks are not available in it, so these scores cover the visible checks only; the grading host grades with the full form (--lesson with the lesson folder's NN.yaml)", "หมายเหตุ: %s เป็นรูปแบบสาธารณะของบทเรียน (บทเรียนที่ติดมากับ kscript หรือที่ได้จาก kscript publish) ซึ่งไม่มีรายการตรวจที่ซ่อนไว้ คะแนนนี้จึงนับเฉพาะรายการตรวจที่มองเห็นได้ เครื่องที่ใช้ตรวจงานจริงจะใช้ไฟล์บทเรียนฉบับเต็ม (--lesson กับ NN.yaml ในโฟลเดอร์บทเรียน)"},
		"lesson-error":       {"the lesson could not be read: %s", "อ่านไฟล์บทเรียนไม่ได้: %s"},
	}
}
