package kernelsim

import "fmt"

// Errno is a Linux error number (include/uapi/asm-generic/errno-base.h,
// errno.h and include/linux/errno.h). Functions return it negated, as the
// kernel does.
type Errno int

// The errno values kscript scripts use, with Linux's numbers.
const (
	EPERM        Errno = 1
	ENOENT       Errno = 2
	ESRCH        Errno = 3
	EINTR        Errno = 4
	EIO          Errno = 5
	ENXIO        Errno = 6
	E2BIG        Errno = 7
	ENOEXEC      Errno = 8
	EBADF        Errno = 9
	ECHILD       Errno = 10
	EAGAIN       Errno = 11
	ENOMEM       Errno = 12
	EACCES       Errno = 13
	EFAULT       Errno = 14
	ENOTBLK      Errno = 15
	EBUSY        Errno = 16
	EEXIST       Errno = 17
	EXDEV        Errno = 18
	ENODEV       Errno = 19
	ENOTDIR      Errno = 20
	EISDIR       Errno = 21
	EINVAL       Errno = 22
	ENFILE       Errno = 23
	EMFILE       Errno = 24
	ENOTTY       Errno = 25
	ETXTBSY      Errno = 26
	EFBIG        Errno = 27
	ENOSPC       Errno = 28
	ESPIPE       Errno = 29
	EROFS        Errno = 30
	EMLINK       Errno = 31
	EPIPE        Errno = 32
	EDOM         Errno = 33
	ERANGE       Errno = 34
	EDEADLK      Errno = 35
	ENAMETOOLONG Errno = 36
	ENOSYS       Errno = 38
	ENOTEMPTY    Errno = 39
	ENODATA      Errno = 61
	ETIME        Errno = 62
	EOVERFLOW    Errno = 75
	EOPNOTSUPP   Errno = 95
	ETIMEDOUT    Errno = 110
	ECANCELED    Errno = 125
	ERESTARTSYS  Errno = 512
	ENOTSUPP     Errno = 524
)

// errnoList holds each errno's C name and glibc's strerror() text, which is
// what insmod, perror and strerror print, in ascending order. It is static
// data the linker lays out (a literal of constants): built as a map, it
// cost every run that made the scripts' errno constants some fifty map
// insertions and their memory.
var errnoList = [...]struct {
	e          Errno
	name, text string
}{
	{EPERM, "EPERM", "Operation not permitted"},
	{ENOENT, "ENOENT", "No such file or directory"},
	{ESRCH, "ESRCH", "No such process"},
	{EINTR, "EINTR", "Interrupted system call"},
	{EIO, "EIO", "Input/output error"},
	{ENXIO, "ENXIO", "No such device or address"},
	{E2BIG, "E2BIG", "Argument list too long"},
	{ENOEXEC, "ENOEXEC", "Exec format error"},
	{EBADF, "EBADF", "Bad file descriptor"},
	{ECHILD, "ECHILD", "No child processes"},
	{EAGAIN, "EAGAIN", "Resource temporarily unavailable"},
	{ENOMEM, "ENOMEM", "Cannot allocate memory"},
	{EACCES, "EACCES", "Permission denied"},
	{EFAULT, "EFAULT", "Bad address"},
	{ENOTBLK, "ENOTBLK", "Block device required"},
	{EBUSY, "EBUSY", "Device or resource busy"},
	{EEXIST, "EEXIST", "File exists"},
	{EXDEV, "EXDEV", "Invalid cross-device link"},
	{ENODEV, "ENODEV", "No such device"},
	{ENOTDIR, "ENOTDIR", "Not a directory"},
	{EISDIR, "EISDIR", "Is a directory"},
	{EINVAL, "EINVAL", "Invalid argument"},
	{ENFILE, "ENFILE", "Too many open files in system"},
	{EMFILE, "EMFILE", "Too many open files"},
	{ENOTTY, "ENOTTY", "Inappropriate ioctl for device"},
	{ETXTBSY, "ETXTBSY", "Text file busy"},
	{EFBIG, "EFBIG", "File too large"},
	{ENOSPC, "ENOSPC", "No space left on device"},
	{ESPIPE, "ESPIPE", "Illegal seek"},
	{EROFS, "EROFS", "Read-only file system"},
	{EMLINK, "EMLINK", "Too many links"},
	{EPIPE, "EPIPE", "Broken pipe"},
	{EDOM, "EDOM", "Numerical argument out of domain"},
	{ERANGE, "ERANGE", "Numerical result out of range"},
	{EDEADLK, "EDEADLK", "Resource deadlock avoided"},
	{ENAMETOOLONG, "ENAMETOOLONG", "File name too long"},
	{ENOSYS, "ENOSYS", "Function not implemented"},
	{ENOTEMPTY, "ENOTEMPTY", "Directory not empty"},
	{ENODATA, "ENODATA", "No data available"},
	{ETIME, "ETIME", "Timer expired"},
	{EOVERFLOW, "EOVERFLOW", "Value too large for defined data type"},
	{EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported"},
	{ETIMEDOUT, "ETIMEDOUT", "Connection timed out"},
	{ECANCELED, "ECANCELED", "Operation canceled"},
	{ERESTARTSYS, "ERESTARTSYS", "Unknown error 512"},
	{ENOTSUPP, "ENOTSUPP", "Unknown error 524"},
}

// errnoEntry returns e's index in errnoList, or -1.
func errnoEntry(e Errno) int {
	lo, hi := 0, len(errnoList)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch {
		case errnoList[m].e < e:
			lo = m + 1
		case errnoList[m].e > e:
			hi = m
		default:
			return m
		}
	}
	return -1
}

// Name returns the C name ("ENOMEM"), or "" for an unknown number.
func (e Errno) Name() string {
	if i := errnoEntry(e); i >= 0 {
		return errnoList[i].name
	}
	return ""
}

// Error returns glibc's strerror() text for e ("Cannot allocate memory"),
// "Unknown error N" for numbers glibc does not know.
func (e Errno) Error() string {
	if i := errnoEntry(e); i >= 0 {
		return errnoList[i].text
	}
	return fmt.Sprintf("Unknown error %d", int(e))
}

// Errnos returns every known errno, ascending, for predeclared constants and docs.
func Errnos() []Errno {
	out := make([]Errno, len(errnoList))
	for i := range errnoList {
		out[i] = errnoList[i].e
	}
	return out
}
