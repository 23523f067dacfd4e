package shell

import (
	"fmt"
	"io"
	"sort"

	"kscript.dev/kscript/runtime/lazy"
)

// helpEntry is what `help NAME` says about a command: its synopsis and one
// paragraph in each language.
type helpEntry struct {
	usage, en, th string
}

// helpTable is kscript's help for every command of the shell. Tools that
// have their own --help (dmesg, insmod, rmmod) print it as on Debian 12.
var helpTable = lazy.NewMap(helpTableTable)

func helpTableTable() map[string]helpEntry {
	return map[string]helpEntry{
		"make": {"make [clean]",
			"Builds the modules of the working folder as the workshop's Makefile does (kbuild's lines); afterwards NAME.ko is in the folder. `make clean` removes what it built.",
			"build module ในโฟลเดอร์ทำงานตาม Makefile ของเวิร์กช็อป (แสดงบรรทัดของ kbuild) เสร็จแล้วจะมีไฟล์ NAME.ko ในโฟลเดอร์ ส่วน `make clean` ลบสิ่งที่ build ไว้"},
		"insmod": {"insmod FILE.ko [PARAM=VALUE…]",
			"Loads a module into the kernel and runs its init function; PARAM=VALUE sets a module_param. Run `make` first: without NAME.ko insmod fails.",
			"โหลด module เข้า Kernel แล้วเรียกฟังก์ชัน init ของมัน PARAM=VALUE ตั้งค่า module_param ต้องสั่ง `make` ก่อน ถ้ายังไม่มี NAME.ko insmod จะล้มเหลว"},
		"rmmod": {"rmmod NAME",
			"Unloads a module: runs its exit function, then kscript checks what it left behind (leaks, pending tasklets, a registered chrdev).",
			"ถอด module ออก: เรียกฟังก์ชัน exit แล้ว kscript ตรวจสิ่งที่ค้างไว้ (หน่วยความจำรั่ว, tasklet ที่ค้าง, chrdev ที่ยังลงทะเบียนอยู่)"},
		"lsmod":   {"lsmod", "Lists the loaded modules (/proc/modules).", "แสดง module ที่โหลดอยู่ (/proc/modules)"},
		"modinfo": {"modinfo FILE.ko", "Shows a module's license, author, description and parameters.", "แสดง license, ผู้เขียน, คำอธิบาย และ parameter ของ module"},
		"gcc":     {"gcc FILE.c -o PROGRAM", "Stands in for building a user program: the program is the script's user_program().", "ใช้แทนการ build โปรแกรมฝั่ง user: ตัวโปรแกรมจริงคือ user_program() ในสคริปต์"},
		"dmesg": {"dmesg [-c|-C] [-l LEVEL] [-t] [-x] [-r]",
			"Prints the kernel log (printk's ring buffer); -c prints then clears it, -C clears it, -l err,warn keeps some levels. `dmesg --help` lists every option.",
			"แสดง log ของ Kernel (ring buffer ของ printk) -c แสดงแล้วล้าง, -C ล้างอย่างเดียว, `-l err,warn` เลือกบาง level ดูตัวเลือกทั้งหมดด้วย `dmesg --help`"},
		"head":    {"head [-n N] [FILE]", "Prints the first N lines (10).", "แสดง N บรรทัดแรก (ค่าเริ่มต้น 10)"},
		"tail":    {"tail [-n N] [FILE]", "Prints the last N lines (10): `dmesg | tail`.", "แสดง N บรรทัดสุดท้าย (ค่าเริ่มต้น 10) เช่น `dmesg | tail`"},
		"grep":    {"grep [-E] [-i] [-v] [-c] PATTERN [FILE]", "Prints the lines that match PATTERN: `dmesg | grep hello`.", "แสดงบรรทัดที่ตรงกับ PATTERN เช่น `dmesg | grep hello`"},
		"wc":      {"wc [-l] [FILE]", "Counts lines, words and bytes.", "นับบรรทัด คำ และไบต์"},
		"cat":     {"cat FILE…", "Prints files: /proc/buddyinfo, /proc/slabinfo, /proc/meminfo, a device node (/dev/NAME) through its driver's read.", "แสดงเนื้อหาไฟล์ เช่น /proc/buddyinfo, /proc/slabinfo, /proc/meminfo หรือ device node (/dev/NAME) ผ่านฟังก์ชัน read ของ driver"},
		"free":    {"free [-h] [-m]", "Shows used and free memory, from /proc/meminfo.", "แสดงหน่วยความจำที่ใช้และที่ว่าง จาก /proc/meminfo"},
		"cd":      {"cd [DIR]", "Changes the working directory (no DIR: home; -: the previous one).", "เปลี่ยนโฟลเดอร์ทำงาน (ไม่ใส่ DIR: กลับ home, -: โฟลเดอร์ก่อนหน้า)"},
		"pwd":     {"pwd", "Prints the working directory.", "แสดงโฟลเดอร์ทำงานปัจจุบัน"},
		"ls":      {"ls [-l] [-a] [PATH…]", "Lists a directory: the module folder, /proc, /dev.", "แสดงรายการไฟล์ในโฟลเดอร์ เช่น โฟลเดอร์ module, /proc, /dev"},
		"rm":      {"rm [-f] FILE…", "Removes files and device nodes.", "ลบไฟล์และ device node"},
		"mknod":   {"mknod PATH c MAJOR MINOR", "Makes a character device node for a driver's major number: `mknod /dev/uaccess_dev c 246 0`.", "สร้าง character device node ให้ major number ของ driver เช่น `mknod /dev/uaccess_dev c 246 0`"},
		"chmod":   {"chmod MODE PATH", "Changes a file's permission bits: `chmod 666 /dev/uaccess_dev`.", "เปลี่ยนสิทธิ์ของไฟล์ เช่น `chmod 666 /dev/uaccess_dev`"},
		"echo":    {"echo [-n] [-e] TEXT", "Prints TEXT; `echo hi > /dev/NAME` writes it through the driver's write.", "แสดง TEXT ส่วน `echo hi > /dev/NAME` เขียนผ่านฟังก์ชัน write ของ driver"},
		"uname":   {"uname [-a] [-r]", "Prints the simulated system's name and kernel release.", "แสดงชื่อระบบจำลองและรุ่นของ Kernel"},
		"true":    {"true", "Does nothing, successfully.", "ไม่ทำอะไร และสำเร็จ"},
		"false":   {"false", "Does nothing, unsuccessfully.", "ไม่ทำอะไร และล้มเหลว"},
		"exit":    {"exit [N]", "Leaves the shell (Ctrl-D does too).", "ออกจาก shell (กด Ctrl-D ก็ได้)"},
		"help":    {"help [NAME]", "Lists the commands, or explains one.", "แสดงรายการคำสั่ง หรืออธิบายคำสั่งที่ระบุ"},
		"history": {"history [-c]", "Lists the lines typed so far, numbered; -c forgets them. Up and Down recall them.", "แสดงบรรทัดที่พิมพ์ไปแล้วพร้อมลำดับ -c ล้างทิ้ง ปุ่ม Up และ Down เรียกกลับมาได้"},
		"clear":   {"clear", "Clears the terminal screen (Ctrl-L too).", "ล้างหน้าจอ terminal (กด Ctrl-L ก็ได้)"},
		"pressure": {"pressure PCT",
			"kscript's lesson step: fills memory until free pages reach a watermark, to show allocations under memory pressure.",
			"ขั้นตอนของบทเรียน kscript: จองหน่วยความจำจนจำนวน page ว่างลดลงถึง watermark เพื่อดูการจองตอนหน่วยความจำตึง"},
		"fragment": {"fragment", "kscript's lesson step: leaves memory free but fragmented (no large free blocks).", "ขั้นตอนของบทเรียน kscript: ทำให้หน่วยความจำว่างแต่แตกเป็นชิ้น (ไม่มีบล็อกว่างขนาดใหญ่)"},
		"tick":     {"tick DURATION", "kscript's lesson step: advances the simulated clock (timers, workqueues): `tick 100ms`.", "ขั้นตอนของบทเรียน kscript: เดินนาฬิกาจำลองไปข้างหน้า (timer, workqueue) เช่น `tick 100ms`"},
		"tee":      {"tee [-a] FILE…", "Copies its input to the screen and to each FILE: `echo scan | sudo tee /sys/kernel/debug/kmemleak` writes a root-only file.", "คัดลอกข้อมูลที่รับเข้ามาไปแสดงบนจอและเขียนลงทุก FILE เช่น `echo scan | sudo tee /sys/kernel/debug/kmemleak` ใช้เขียนไฟล์ที่เขียนได้เฉพาะ root"},
		"sleep":    {"sleep SECONDS", "Waits: the simulated clock advances (timers fire).", "รอ: นาฬิกาจำลองเดินไปข้างหน้า (timer ทำงาน)"},
		"memmap":   {"memmap", "kscript's picture of physical memory: every page frame coloured by its owner (free by order, slab, vmalloc, module, page cache, user…).", "ภาพหน่วยความจำกายภาพของ kscript: ทุก page frame ระบายสีตามเจ้าของ (ว่างแยกตาม order, slab, vmalloc, module, page cache, user…)"},
		"buddy":    {"buddy", "kscript's picture of the Buddy System's free lists: free blocks per zone and order.", "ภาพ free list ของ Buddy System: จำนวนบล็อกว่างของแต่ละ zone และ order"},
		"slab":     {"slab NAME", "kscript's picture of a slab cache: its slabs, objects in use and free, the objects a script allocated: `slab kmalloc-128`.", "ภาพ slab cache: slab ของมัน object ที่ใช้อยู่และที่ว่าง และ object ที่สคริปต์จอง เช่น `slab kmalloc-128`"},
		"irq":      {"irq N", "kscript's lesson step: raises interrupt N (request_irq handlers run).", "ขั้นตอนของบทเรียน kscript: สร้าง interrupt หมายเลข N (handler ที่ลงทะเบียนด้วย request_irq จะทำงาน)"},
	}
}

// cmdHelp mirrors bash's help: without arguments the list of commands,
// with NAME the synopsis and what it does (bash's own help knows only its
// builtins; kscript's knows every command of its shell).
func cmdHelp(sh *Shell, inv *Invocation) int {
	th := sh.Lang == "th"
	if len(inv.Args) == 0 {
		if th {
			fmt.Fprintln(inv.Stdout, "shell จำลองของ kscript: คำสั่งของเวิร์กช็อปบนเครื่อง Linux 6.1 จำลองหนึ่งเครื่อง")
			fmt.Fprintln(inv.Stdout, "พิมพ์ `help NAME` เพื่อดูคำอธิบายคำสั่ง หรือ `NAME --help` เพื่อดู help ของเครื่องมือนั้นเอง")
		} else {
			fmt.Fprintln(inv.Stdout, "kscript's simulated shell: the workshop's commands on one simulated Linux 6.1 machine.")
			fmt.Fprintln(inv.Stdout, "Type `help NAME` to learn about a command, `NAME --help` for a tool's own help.")
		}
		fmt.Fprintln(inv.Stdout)
		for _, name := range sh.Commands() {
			if e, ok := helpTable.Get()[name]; ok {
				sum := helpSummary.Get()[name]
				if th {
					writeHelpLine(inv.Stdout, e.usage, sum[1])
				} else {
					writeHelpLine(inv.Stdout, e.usage, sum[0])
				}
			}
		}
		if th {
			writeHelpLine(inv.Stdout, "./PROGRAM", "รันโปรแกรมฝั่ง user ที่สคริปต์ลงทะเบียนด้วย user_program()")
			fmt.Fprintln(inv.Stdout, "\nใช้ pipe (|), && และ ||, ; และ redirection (> >> 2>&1 <) ได้เหมือน bash")
			fmt.Fprintln(inv.Stdout, "ปุ่ม: Up/Down เรียกคำสั่งเก่า, Tab เติมคำ, Ctrl-C ยกเลิก, Ctrl-D ออก")
		} else {
			writeHelpLine(inv.Stdout, "./PROGRAM", "Runs a user program the script registered with user_program()")
			fmt.Fprintln(inv.Stdout, "\nPipes (|), && and ||, ; and redirections (> >> 2>&1 <) work as in bash.")
			fmt.Fprintln(inv.Stdout, "Keys: Up/Down recall lines, Tab completes, Ctrl-C cancels, Ctrl-D exits.")
		}
		return 0
	}
	status := 0
	for _, name := range inv.Args {
		e, ok := helpTable.Get()[name]
		if _, known := sh.cmds[name]; !ok || !known {
			fmt.Fprintf(inv.Stderr, "bash: help: no help topics match `%s'.  Try `help help' or `man -k %s' or `info %s'.\n", name, name, name)
			status = 1
			continue
		}
		text := e.en
		if th {
			text = e.th
		}
		fmt.Fprintf(inv.Stdout, "%s: %s\n    %s\n", name, e.usage, text)
	}
	return status
}

// HelpTopics lists the commands `help NAME` explains, sorted.
func HelpTopics() []string {
	var names []string
	for n := range helpTable.Get() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// helpSummary is a command's line in the list `help` prints, in English
// and Thai: what the command is for, without the details and examples of
// `help NAME`.
var helpSummary = lazy.NewMap(helpSummaryTable)

func helpSummaryTable() map[string][2]string {
	return map[string][2]string{
		"make":     {"Builds NAME.ko from the module's source", "build ไฟล์ NAME.ko จากซอร์สของ module"},
		"insmod":   {"Loads a module and runs its init function", "โหลด module แล้วเรียกฟังก์ชัน init"},
		"rmmod":    {"Unloads a module and runs its exit function", "ถอด module แล้วเรียกฟังก์ชัน exit"},
		"lsmod":    {"Lists the loaded modules", "แสดง module ที่โหลดอยู่"},
		"modinfo":  {"Shows a module's license, author and parameters", "แสดง license ผู้เขียน และ parameter ของ module"},
		"gcc":      {"Stands in for building a user program", "ใช้แทนการ build โปรแกรมฝั่ง user"},
		"dmesg":    {"Prints the kernel log", "แสดง log ของ Kernel"},
		"head":     {"Prints the first lines", "แสดงบรรทัดแรก ๆ"},
		"tail":     {"Prints the last lines", "แสดงบรรทัดท้าย ๆ"},
		"grep":     {"Prints the lines that match PATTERN", "แสดงบรรทัดที่ตรงกับ PATTERN"},
		"wc":       {"Counts lines, words and bytes", "นับบรรทัด คำ และไบต์"},
		"cat":      {"Prints files, /proc files and device nodes", "แสดงเนื้อหาไฟล์ ไฟล์ใน /proc และ device node"},
		"free":     {"Shows used and free memory", "แสดงหน่วยความจำที่ใช้และที่ว่าง"},
		"cd":       {"Changes the working directory", "เปลี่ยนโฟลเดอร์ทำงาน"},
		"pwd":      {"Prints the working directory", "แสดงโฟลเดอร์ทำงานปัจจุบัน"},
		"ls":       {"Lists a directory", "แสดงรายการไฟล์ในโฟลเดอร์"},
		"rm":       {"Removes files and device nodes", "ลบไฟล์และ device node"},
		"mknod":    {"Makes a character device node", "สร้าง character device node"},
		"chmod":    {"Changes a file's permission bits", "เปลี่ยนสิทธิ์ของไฟล์"},
		"echo":     {"Prints TEXT, or writes it to a device", "แสดง TEXT หรือเขียนลง device"},
		"uname":    {"Prints the system's name and kernel release", "แสดงชื่อระบบและรุ่นของ Kernel"},
		"true":     {"Does nothing, successfully", "ไม่ทำอะไร และสำเร็จ"},
		"false":    {"Does nothing, unsuccessfully", "ไม่ทำอะไร และล้มเหลว"},
		"exit":     {"Leaves the shell (Ctrl-D does too)", "ออกจาก shell (กด Ctrl-D ก็ได้)"},
		"help":     {"Lists the commands, or explains one", "แสดงรายการคำสั่ง หรืออธิบายคำสั่งที่ระบุ"},
		"history":  {"Lists the lines typed so far", "แสดงบรรทัดที่พิมพ์ไปแล้ว"},
		"clear":    {"Clears the screen (Ctrl-L too)", "ล้างหน้าจอ (กด Ctrl-L ก็ได้)"},
		"pressure": {"kscript's step: fills memory up to a watermark", "ขั้นตอนของ kscript: จองหน่วยความจำจนถึง watermark"},
		"fragment": {"kscript's step: fragments free memory", "ขั้นตอนของ kscript: ทำให้หน่วยความจำว่างแตกเป็นชิ้น"},
		"tick":     {"kscript's step: advances the simulated clock", "ขั้นตอนของ kscript: เดินนาฬิกาจำลองไปข้างหน้า"},
		"tee":      {"Copies its input to the screen and to files", "คัดลอกข้อมูลที่รับเข้ามาไปที่จอและลงไฟล์"},
		"sleep":    {"Waits while the simulated clock advances", "รอให้นาฬิกาจำลองเดินไปข้างหน้า"},
		"memmap":   {"kscript's picture of physical memory", "ภาพหน่วยความจำกายภาพของ kscript"},
		"buddy":    {"kscript's picture of the Buddy System", "ภาพ Buddy System ของ kscript"},
		"slab":     {"kscript's picture of a slab cache", "ภาพ slab cache ของ kscript"},
		"irq":      {"kscript's step: raises interrupt N", "ขั้นตอนของ kscript: สร้าง interrupt หมายเลข N"},
	}
}

// usageWidth is the column the summaries of `help` start at; a longer
// synopsis gets a line of its own.
const usageWidth = 34

// writeHelpLine writes one command's line of the `help` list.
func writeHelpLine(w io.Writer, usage, summary string) {
	if len(usage) > usageWidth {
		fmt.Fprintf(w, "  %s\n  %-*s %s\n", usage, usageWidth, "", summary)
		return
	}
	fmt.Fprintf(w, "  %-*s %s\n", usageWidth, usage, summary)
}

// cmdHistory mirrors bash's history: the lines typed, numbered from 1;
// -c clears the list.
func cmdHistory(sh *Shell, inv *Invocation) int {
	if len(inv.Args) > 0 && inv.Args[0] == "-c" {
		sh.history = nil
		return 0
	}
	for i, l := range sh.history {
		fmt.Fprintf(inv.Stdout, "%5d  %s\n", i+1, l)
	}
	return 0
}

// cmdClear mirrors ncurses' clear on a TERM=xterm-256color terminal: home
// the cursor, erase the screen and the scrollback (E3).
func cmdClear(sh *Shell, inv *Invocation) int {
	fmt.Fprint(inv.Stdout, "\x1b[H\x1b[2J\x1b[3J")
	return 0
}

// ownHelp is the --help text of the tools that have one, as Debian 12's
// util-linux 2.38 and kmod 30 print it.
var ownHelp = lazy.NewMap(ownHelpTable)

func ownHelpTable() map[string]string {
	return map[string]string{
		"insmod": `Usage:
	insmod [options] filename [args]
Options:
	-V, --version     show version
	-h, --help        show this help
`,
		"rmmod": `Usage:
	rmmod [options] modulename ...
Options:
	-f, --force       forces a module unload and may crash your
	                  machine. This requires Forced Module Removal
	                  option in your kernel. DANGEROUS
	-s, --syslog      print to syslog, not stderr
	-v, --verbose     enables more messages
	-V, --version     show version
	-h, --help        show this help
`,
		"dmesg": `
Usage:
 dmesg [options]

Display or control the kernel ring buffer.

Options:
 -C, --clear                 clear the kernel ring buffer
 -c, --read-clear            read and clear all messages
 -D, --console-off           disable printing messages to console
 -E, --console-on            enable printing messages to console
 -F, --file <file>           use the file instead of the kernel log buffer
 -f, --facility <list>       restrict output to defined facilities
 -H, --human                 human readable output
 -J, --json                  use JSON output format
 -k, --kernel                display kernel messages
 -L, --color[=<when>]        colorize messages (auto, always or never)
                               colors are enabled by default
 -l, --level <list>          restrict output to defined levels
 -n, --console-level <level> set level of messages printed to console
 -P, --nopager               do not pipe output into a pager
 -p, --force-prefix          force timestamp output on each line of multi-line messages
 -r, --raw                   print the raw message buffer
 -S, --syslog                force to use syslog(2) rather than /dev/kmsg
 -s, --buffer-size <size>    buffer size to query the kernel ring buffer
 -u, --userspace             display userspace messages
 -w, --follow                wait for new messages
 -W, --follow-new            wait and print only new messages
 -x, --decode                decode facility and level to readable string
 -d, --show-delta            show time delta between printed messages
 -e, --reltime               show local time and time delta in readable format
 -T, --ctime                 show human-readable timestamp (may be inaccurate!)
 -t, --notime                don't show any timestamp with messages
     --time-format <format>  show timestamp using the given format:
                               [delta|reltime|ctime|notime|iso]
Suspending/resume will make ctime and iso timestamps inaccurate.

 -h, --help                  display this help
 -V, --version               display version

Supported log facilities:
    kern - kernel messages
    user - random user-level messages
    mail - mail system
  daemon - system daemons
    auth - security/authorization messages
  syslog - messages generated internally by syslogd
     lpr - line printer subsystem
    news - network news subsystem
    uucp - UUCP subsystem
    cron - clock daemon
authpriv - security/authorization messages (private)
     ftp - FTP daemon

Supported log levels (priorities):
   emerg - system is unusable
   alert - action must be taken immediately
    crit - critical conditions
     err - error conditions
    warn - warning conditions
  notice - normal but significant condition
    info - informational
   debug - debug-level messages

For more details see dmesg(1).
`,
	}
}

// wantsOwnHelp reports whether a tool was asked for its own help.
func wantsOwnHelp(name string, args []string) bool {
	if _, ok := ownHelp.Get()[name]; !ok {
		return false
	}
	for _, a := range args {
		if a == "--help" || a == "-h" {
			return true
		}
	}
	return false
}
