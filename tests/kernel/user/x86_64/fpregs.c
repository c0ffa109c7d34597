/* x86_64 part of test_fpregs.c: xmm0-xmm15 (both halves) and MXCSR's rounding mode. */
#include <veridian/vr.h>

uint64_t fp_fill_yield_check(uint64_t seed, uint64_t rounds, uint64_t *moves)
{
	uint64_t bad, moved;
	uint32_t saved_mxcsr, mxcsr;

	__asm__ volatile(
	    /* xmm<n> = {seed + n, seed + n}; MXCSR.RC = seed % 4. */
	    "	mov %[seed], %%r8\n"
	    "	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15\n"
	    "	movq %%r8, %%xmm\\n\n"
	    "	punpcklqdq %%xmm\\n, %%xmm\\n\n"
	    "	inc %%r8\n"
	    "	.endr\n"
	    "	stmxcsr %[saved]\n"
	    "	mov %[seed], %%r9\n"
	    "	and $3, %%r9d\n"
	    "	shl $13, %%r9d\n"
	    "	mov %[saved], %%r10d\n"
	    "	and $~(3 << 13), %%r10d\n"
	    "	or %%r9d, %%r10d\n"
	    "	mov %%r10d, %[mxcsr]\n"
	    "	ldmxcsr %[mxcsr]\n"
	    /* r12 = the CPU; each round yields, then counts a change of CPU. */
	    "	mov %[self_cpu], %%eax\n"
	    "	syscall\n"
	    "	mov %%rdx, %%r12\n"
	    "	xor %[moved], %[moved]\n"
	    "1:	mov %[yield], %%eax\n"
	    "	test $31, %[rounds]\n"
	    "	jnz 2f\n"
	    "	mov %[sleep], %%eax\n"
	    "	mov $1, %%edi\n"
	    "2:	syscall\n"
	    "	mov %[self_cpu], %%eax\n"
	    "	syscall\n"
	    "	xor %%r13d, %%r13d\n"
	    "	cmp %%rdx, %%r12\n"
	    "	setne %%r13b\n"
	    "	add %%r13, %[moved]\n"
	    "	mov %%rdx, %%r12\n"
	    "	dec %[rounds]\n"
	    "	jnz 1b\n"
	    /* Count the halves that changed (pshufd brings the high half down once the low one is checked). */
	    "	xor %[bad], %[bad]\n"
	    "	mov %[seed], %%r8\n"
	    "	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15\n"
	    "	movq %%xmm\\n, %%r9\n"
	    "	xor %%r13d, %%r13d\n"
	    "	cmp %%r8, %%r9\n"
	    "	setne %%r13b\n"
	    "	add %%r13, %[bad]\n"
	    "	pshufd $0xee, %%xmm\\n, %%xmm\\n\n"
	    "	movq %%xmm\\n, %%r9\n"
	    "	xor %%r13d, %%r13d\n"
	    "	cmp %%r8, %%r9\n"
	    "	setne %%r13b\n"
	    "	add %%r13, %[bad]\n"
	    "	inc %%r8\n"
	    "	.endr\n"
	    "	stmxcsr %[mxcsr]\n"
	    "	mov %[mxcsr], %%r10d\n"
	    "	and $(3 << 13), %%r10d\n"
	    "	mov %[seed], %%r9\n"
	    "	and $3, %%r9d\n"
	    "	shl $13, %%r9d\n"
	    "	xor %%r13d, %%r13d\n"
	    "	cmp %%r9d, %%r10d\n"
	    "	setne %%r13b\n"
	    "	add %%r13, %[bad]\n"
	    "	ldmxcsr %[saved]\n"
	    : [bad] "=&r"(bad), [moved] "=&r"(moved), [saved] "=m"(saved_mxcsr), [mxcsr] "=m"(mxcsr),
	      [rounds] "+r"(rounds)
	    : [seed] "r"(seed), [yield] "i"(VR_SYS_THREAD_YIELD), [sleep] "i"(VR_SYS_THREAD_SLEEP),
	      [self_cpu] "i"(VR_SYS_THREAD_SELF_CPU)
	    : "rax", "rcx", "rdx", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "xmm0", "xmm1",
	      "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
	      "xmm12", "xmm13", "xmm14", "xmm15", "cc", "memory");
	*moves = moved;
	return bad;
}
