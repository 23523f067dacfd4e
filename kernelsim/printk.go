package kernelsim

import (
	"fmt"
	"strconv"
	"strings"
)

// Log levels mirror include/linux/kern_levels.h. A message's level is the
// digit after the KERN_SOH ('\001') byte at its start.
const (
	LogEmerg   = 0
	LogAlert   = 1
	LogCrit    = 2
	LogErr     = 3
	LogWarning = 4
	LogNotice  = 5
	LogInfo    = 6
	LogDebug   = 7

	// KernSOH starts a level prefix; KernCont ("\001c") marks a continuation.
	KernSOH  = "\001"
	KernCont = KernSOH + "c"

	// defaultMessageLoglevel is the level of a printk without a prefix
	// (CONFIG_MESSAGE_LOGLEVEL_DEFAULT=4).
	defaultMessageLoglevel = LogWarning
	// logBufLen bounds the ring buffer's text, oldest records dropped first
	// (Debian: CONFIG_LOG_BUF_SHIFT=17, 128 KiB).
	logBufLen = 1 << 17
)

// LevelNames are dmesg's names for the levels (dmesg --level), by level.
var LevelNames = [...]string{"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"}

// LogRecord mirrors struct printk_info plus its text in the printk ring buffer
// (kernel/printk/printk_ringbuffer.h): one line of the kernel log.
type LogRecord struct {
	Seq   uint64
	Time  uint64 // nanoseconds since boot (local_clock)
	Level int
	Text  string // without the trailing newline
}

// String formats r as dmesg does by default: "[    5.123456] text", as
// fmt's "[%5d.%06d] %s" of the seconds and microseconds would, without fmt
// (dmesg prints every record of the log this way; TestLogRecordString).
func (r LogRecord) String() string { return string(r.AppendTo(make([]byte, 0, 16+len(r.Text)))) }

// AppendTo appends r formatted as String does to b: dmesg formats the
// whole log into one buffer.
func (r LogRecord) AppendTo(b []byte) []byte {
	var num [20]byte
	sec := strconv.AppendUint(num[:0], r.Time/1e9, 10)
	b = append(b, '[')
	for i := len(sec); i < 5; i++ {
		b = append(b, ' ')
	}
	b = append(b, sec...)
	b = append(b, '.')
	usec := strconv.AppendUint(num[:0], r.Time%1e9/1e3, 10)
	for i := len(usec); i < 6; i++ {
		b = append(b, '0')
	}
	b = append(b, usec...)
	b = append(b, "] "...)
	return append(b, r.Text...)
}

// printkLog is the printk ring buffer.
type printkLog struct {
	recs    []LogRecord
	bytes   int    // text bytes held, for the logBufLen bound
	nextSeq uint64 // sequence number of the next record
	cleared uint64 // records with Seq < cleared are hidden from dmesg (dmesg -C)
	open    bool   // the last record has no newline yet: KERN_CONT may extend it
}

// logLineMax mirrors LOG_LINE_MAX of kernel/printk/printk.c in 6.1:
// CONSOLE_LOG_MAX (1024) - PREFIX_MAX (32, Debian builds without
// CONFIG_PRINTK_CALLER), the most one printk() reserves for its text with
// the terminating NUL.
const logLineMax = 1024 - 32

// Printk mirrors printk() (vprintk_store): msg may start with a KERN_*
// prefix; without one it is logged at the default level. As in 6.1, the
// formatted text, prefix and newline included, is cut to LOG_LINE_MAX - 1
// bytes (991) before the trailing newline and the prefix are stripped, and
// a continuation that would make the record longer than LOG_LINE_MAX starts
// a record of its own. A message without a trailing newline stays open for
// pr_cont. It returns the length of the text stored, as printk() does.
//
// Unlike Linux, embedded newlines start new records with the same time.
func (k *Kernel) Printk(msg string) int {
	if len(msg)+1 > logLineMax {
		msg = msg[:logLineMax-1]
	}
	reserve := len(msg) + 1
	level, cont := defaultMessageLoglevel, false
	for len(msg) >= 2 && msg[0] == KernSOH[0] {
		switch c := msg[1]; {
		case c >= '0' && c <= '7':
			level = int(c - '0')
		case c == 'c':
			cont = true
		}
		msg = msg[2:]
	}
	// prb_reserve_in_last() refuses to grow the open record past
	// LOG_LINE_MAX: the continuation becomes a record of its own.
	if l := &k.log; cont && l.open && len(l.recs) > 0 && len(l.recs[len(l.recs)-1].Text)+reserve > logLineMax {
		l.open = false
	}
	k.tick(3_000)
	k.logText(level, cont, msg)
	return len(strings.TrimSuffix(msg, "\n"))
}

// printk logs a formatted message at level: kernelsim's own reports.
func (k *Kernel) printk(level int, format string, args ...any) {
	k.tick(1_000)
	k.logText(level, false, fmt.Sprintf(format, args...))
}

// logLines logs several complete lines at one level, as a multi-line report.
func (k *Kernel) logLines(level int, lines ...string) {
	for _, l := range lines {
		k.printk(level, "%s\n", l)
	}
}

func (k *Kernel) logText(level int, cont bool, msg string) {
	l := &k.log
	if cont && l.open && len(l.recs) > 0 {
		first, rest, nl := strings.Cut(msg, "\n")
		l.recs[len(l.recs)-1].Text += first
		l.bytes += len(first)
		l.open = !nl
		if !nl || rest == "" {
			return
		}
		msg = rest
	}
	for {
		line, rest, nl := strings.Cut(msg, "\n")
		l.recs = append(l.recs, LogRecord{Seq: l.nextSeq, Time: k.now, Level: level, Text: line})
		l.nextSeq++
		l.bytes += len(line)
		l.open = !nl
		if !nl || rest == "" {
			break
		}
		msg = rest
	}
	for l.bytes > logBufLen && len(l.recs) > 1 {
		l.bytes -= len(l.recs[0].Text)
		l.recs = l.recs[1:]
	}
}

// Log returns the records dmesg would show: those not cleared, oldest first.
func (k *Kernel) Log() []LogRecord {
	recs := k.log.recs
	i := 0
	for i < len(recs) && recs[i].Seq < k.log.cleared {
		i++
	}
	return recs[i:]
}

// LogSince returns the records with Seq >= seq, cleared or not.
func (k *Kernel) LogSince(seq uint64) []LogRecord {
	recs := k.log.recs
	i := 0
	for i < len(recs) && recs[i].Seq < seq {
		i++
	}
	return recs[i:]
}

// NextSeq returns the sequence number the next record will get.
func (k *Kernel) NextSeq() uint64 { return k.log.nextSeq }

// ClearLog mirrors dmesg -C (syslog(SYSLOG_ACTION_CLEAR)): later reads start
// after the current last record.
func (k *Kernel) ClearLog() { k.log.cleared = k.log.nextSeq }

// bootLog prints the first lines of a Debian 12 boot, stamped 0.000000:
// the clock starts once they are out (sched_clock is not running yet).
func (k *Kernel) bootLog() error {
	k.now = 0
	k.logLinesAt0(LogNotice, k.linuxBanner(), "Command line: "+k.boot.cmdline) // cmdline.go
	return nil
}

// logLinesAt0 logs lines without advancing the clock: the boot lines
// printed before sched_clock starts.
func (k *Kernel) logLinesAt0(level int, lines ...string) {
	for _, l := range lines {
		k.logText(level, false, l+"\n")
	}
}
