#include "textflag.h"

// func madvise(addr, n, advice uintptr) uintptr
// A raw madvise(2): returns 0 or the negated errno. It never blocks, so it
// needs no announcement to the scheduler.
TEXT ·madvise(SB), NOSPLIT, $0-32
	MOVQ	addr+0(FP), DI
	MOVQ	n+8(FP), SI
	MOVQ	advice+16(FP), DX
	MOVQ	$28, AX // SYS_madvise
	SYSCALL
	MOVQ	AX, ret+24(FP)
	RET

