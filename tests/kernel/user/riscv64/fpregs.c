/* riscv64 part of test_fpregs.c: f0-f31 and fcsr's rounding mode (frm). */
#include <veridian/vr.h>

uint64_t fp_fill_yield_check(uint64_t seed, uint64_t rounds, uint64_t *moves)
{
	uint64_t bad, moved;

	__asm__ volatile(
	    /* f<n> = seed + n; frm = seed % 4. */
	    "	mv t3, %[seed]\n"
	    "	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31\n"
	    "	fmv.d.x f\\n, t3\n"
	    "	addi t3, t3, 1\n"
	    "	.endr\n"
	    "	frrm s5\n"
	    "	andi s4, %[seed], 3\n"
	    "	fsrm s4\n"
	    /* s2 = the CPU; each round yields, then counts a change of CPU. */
	    "	li a7, %[self_cpu]\n"
	    "	ecall\n"
	    "	mv s2, a1\n"
	    "	li %[moved], 0\n"
	    "	mv s3, %[rounds]\n"
	    "1:	li a7, %[yield]\n"
	    "	andi t0, s3, 31\n"
	    "	bnez t0, 2f\n"
	    "	li a7, %[sleep]\n"
	    "	li a0, 1\n"
	    "2:	ecall\n"
	    "	li a7, %[self_cpu]\n"
	    "	ecall\n"
	    "	xor t0, a1, s2\n"
	    "	snez t0, t0\n"
	    "	add %[moved], %[moved], t0\n"
	    "	mv s2, a1\n"
	    "	addi s3, s3, -1\n"
	    "	bnez s3, 1b\n"
	    /* Count the registers that changed. */
	    "	li %[bad], 0\n"
	    "	mv t3, %[seed]\n"
	    "	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31\n"
	    "	fmv.x.d t0, f\\n\n"
	    "	xor t0, t0, t3\n"
	    "	snez t0, t0\n"
	    "	add %[bad], %[bad], t0\n"
	    "	addi t3, t3, 1\n"
	    "	.endr\n"
	    "	frrm t0\n"
	    "	xor t0, t0, s4\n"
	    "	snez t0, t0\n"
	    "	add %[bad], %[bad], t0\n"
	    "	fsrm s5\n"
	    : [bad] "=&r"(bad), [moved] "=&r"(moved)
	    : [seed] "r"(seed), [rounds] "r"(rounds), [yield] "i"(VR_SYS_THREAD_YIELD), [sleep] "i"(VR_SYS_THREAD_SLEEP),
	      [self_cpu] "i"(VR_SYS_THREAD_SELF_CPU)
	    : "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t0", "t1", "t2", "t3", "t4", "t5",
	      "t6", "s2", "s3", "s4", "s5", "f0", "f1", "f2", "f3", "f4",
	      "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12", "f13", "f14", "f15", "f16", "f17",
	      "f18", "f19", "f20", "f21", "f22", "f23", "f24", "f25", "f26", "f27", "f28", "f29",
	      "f30", "f31", "memory");
	*moves = moved;
	return bad;
}
