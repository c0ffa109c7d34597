/* aarch64 part of test_fpregs.c: v0-v31 (both halves) and FPCR's rounding mode. */
#include <veridian/vr.h>

uint64_t fp_fill_yield_check(uint64_t seed, uint64_t rounds, uint64_t *moves)
{
	uint64_t bad, moved;

	__asm__ volatile(
	    /* v<n> = {seed + n, ~seed - n}; FPCR.RMode = seed % 4. */
	    "	mov x9, %[seed]\n"
	    "	mvn x10, %[seed]\n"
	    "	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31\n"
	    "	fmov d\\n, x9\n"
	    "	mov v\\n\\().d[1], x10\n"
	    "	add x9, x9, #1\n"
	    "	sub x10, x10, #1\n"
	    "	.endr\n"
	    "	mrs x15, fpcr\n"
	    "	and x11, %[seed], #3\n"
	    "	lsl x11, x11, #22\n"
	    "	msr fpcr, x11\n"
	    /* x13 = the CPU; each round yields, then counts a change of CPU. */
	    "	mov x8, %[self_cpu]\n"
	    "	svc #0\n"
	    "	mov x13, x1\n"
	    "	mov %[moved], #0\n"
	    "	mov x12, %[rounds]\n"
	    "1:	mov x8, %[yield]\n"
	    "	tst x12, #31\n"
	    "	b.ne 2f\n"
	    "	mov x8, %[sleep]\n"
	    "	mov x0, #1\n"
	    "2:	svc #0\n"
	    "	mov x8, %[self_cpu]\n"
	    "	svc #0\n"
	    "	cmp x1, x13\n"
	    "	cinc %[moved], %[moved], ne\n"
	    "	mov x13, x1\n"
	    "	subs x12, x12, #1\n"
	    "	b.ne 1b\n"
	    /* Count the registers that changed. */
	    "	mov %[bad], #0\n"
	    "	mov x9, %[seed]\n"
	    "	mvn x10, %[seed]\n"
	    "	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31\n"
	    "	fmov x11, d\\n\n"
	    "	cmp x11, x9\n"
	    "	cinc %[bad], %[bad], ne\n"
	    "	mov x11, v\\n\\().d[1]\n"
	    "	cmp x11, x10\n"
	    "	cinc %[bad], %[bad], ne\n"
	    "	add x9, x9, #1\n"
	    "	sub x10, x10, #1\n"
	    "	.endr\n"
	    "	mrs x11, fpcr\n"
	    "	and x11, x11, #(3 << 22)\n"
	    "	and x14, %[seed], #3\n"
	    "	cmp x11, x14, lsl #22\n"
	    "	cinc %[bad], %[bad], ne\n"
	    "	msr fpcr, x15\n"
	    : [bad] "=&r"(bad), [moved] "=&r"(moved)
	    : [seed] "r"(seed), [rounds] "r"(rounds), [yield] "i"(VR_SYS_THREAD_YIELD), [sleep] "i"(VR_SYS_THREAD_SLEEP),
	      [self_cpu] "i"(VR_SYS_THREAD_SELF_CPU)
	    : "x0", "x1", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "v0", "v1", "v2",
	      "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15",
	      "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27",
	      "v28", "v29", "v30", "v31", "cc", "memory");
	*moves = moved;
	return bad;
}
