// Package plainfile reads the files a kscript run reads (a lesson, its
// scripts) as os.ReadFile does, but, on Linux, without starting Go's network
// poller for them.
//
// os.Open and os.ReadFile set O_NONBLOCK on every file they open and offer
// it to the poller (epoll), which refuses a regular file (EPERM); the
// flag is then cleared again. The first such offer starts the poller for
// the rest of the process: epoll_create1, an eventfd, and from then on an
// idle thread of the scheduler waits in epoll_pwait and is woken through
// the eventfd, where a process without a poller has its idle threads
// sleep on a futex. A kscript run reads a handful of regular files and
// never anything the poller could wait for, so it keeps none: files are
// opened with open(2) as blocking descriptors and read with read(2) (no
// *os.File: its fcntl and finalizer are not needed either). Anything else
// (a FIFO, a terminal: kscript run <(…) passes a pipe) reads the same,
// each read waiting in a thread of its own as a blocking read does.
package plainfile

// MaxSize is the most ReadFile reads: a lesson file or a script is a few
// kilobytes, and a name such as /dev/zero or an endless pipe would
// otherwise be read until the process runs out of memory. Past it ReadFile
// fails with EFBIG ("file too large") as a read error.
const MaxSize = 16 << 20

// ReadFile reads the whole file name, as os.ReadFile does: the same data
// and the same errors (*os.PathError with Op "open" or "read"), except that
// a file longer than MaxSize is a read error, EFBIG.
func ReadFile(name string) ([]byte, error) { return readFile(name) }
