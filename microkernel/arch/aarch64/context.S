/* Kernel context switches, the first code of every thread, and the user state only they move. */
#include <arch/offsets.h>
#include <arch/regs.h>

	.arch_extension simd
	.text

/* CPACR_EL1.FPEN (aarch64.h): FP/SIMD for EL0 and EL1, or for EL1 only. */
#define CPACR_FP_ON (3 << 20)
#define CPACR_FP_EL0_TRAPS (1 << 20)
#define ARCH_FP_EAGER 104	/* struct arch_thread.fp_eager */
#define ARCH(off) (THREAD_ARCH + (off))	/* a field of struct thread.arch */

/* The user's q0-q31, FPCR and FPSR to and from the struct user_regs at \r (x14-x16 scratch). */
.macro	fp_store r
	add	x14, \r, #UREGS_V
	st1	{v0.2d-v3.2d}, [x14], #64
	st1	{v4.2d-v7.2d}, [x14], #64
	st1	{v8.2d-v11.2d}, [x14], #64
	st1	{v12.2d-v15.2d}, [x14], #64
	st1	{v16.2d-v19.2d}, [x14], #64
	st1	{v20.2d-v23.2d}, [x14], #64
	st1	{v24.2d-v27.2d}, [x14], #64
	st1	{v28.2d-v31.2d}, [x14]
	mrs	x15, fpcr
	mrs	x16, fpsr
	stp	x15, x16, [\r, #UREGS_FPCR]
.endm

.macro	fp_fetch r
	add	x14, \r, #UREGS_V
	ld1	{v0.2d-v3.2d}, [x14], #64
	ld1	{v4.2d-v7.2d}, [x14], #64
	ld1	{v8.2d-v11.2d}, [x14], #64
	ld1	{v12.2d-v15.2d}, [x14], #64
	ld1	{v16.2d-v19.2d}, [x14], #64
	ld1	{v20.2d-v23.2d}, [x14], #64
	ld1	{v24.2d-v27.2d}, [x14], #64
	ld1	{v28.2d-v31.2d}, [x14]
	ldp	x15, x16, [\r, #UREGS_FPCR]
	msr	fpcr, x15
	msr	fpsr, x16
.endm

/*
 * arch_switch(prev, next): struct thread pointers. All of it (thread.c
 * explains the FP/SIMD policy) in one function that calls nothing, so the
 * callee-saved registers go to memory once, into prev->arch. x2 and x3 are
 * the threads' user_regs, NULL for kernel threads.
 */
	.globl	arch_switch
arch_switch:
	ldr	x2, [x0, #THREAD_UREGS]
	ldr	x3, [x1, #THREAD_UREGS]
	/*
	 * CPACR_EL1 only ever holds CPACR_FP_ON or CPACR_FP_EL0_TRAPS (head.S,
	 * here, aarch64_fp_trap), so bit 21, set only in the first, tells them
	 * apart. The eret to EL0 synchronizes a change; EL1 may use FP/SIMD
	 * either way.
	 */
	mrs	x9, cpacr_el1
	cbz	x2, 1f
	mrs	x10, sp_el0
	mrs	x11, tpidr_el0
	stp	x10, x11, [x2, #UREGS_SP]
	tbz	x9, #21, 1f
	fp_store x2			/* loaded, maybe changed: no dirty bit to tell */
1:	cbz	x3, 3f
	ldp	x10, x11, [x3, #UREGS_SP]
	msr	sp_el0, x10
	msr	tpidr_el0, x11
	ldr	w12, [x1, #ARCH(ARCH_FP_EAGER)]
	cbnz	w12, 2f
	tbz	x9, #21, 3f		/* EL0's use traps already */
	mov	x13, #CPACR_FP_EL0_TRAPS
	msr	cpacr_el1, x13
	b	3f
2:	sub	w12, w12, #1
	str	w12, [x1, #ARCH(ARCH_FP_EAGER)]
	fp_fetch x3
	tbnz	x9, #21, 3f
	mov	x13, #CPACR_FP_ON
	msr	cpacr_el1, x13
3:	stp	x19, x20, [x0, #ARCH(0)]
	stp	x21, x22, [x0, #ARCH(16)]
	stp	x23, x24, [x0, #ARCH(32)]
	stp	x25, x26, [x0, #ARCH(48)]
	stp	x27, x28, [x0, #ARCH(64)]
	stp	x29, x30, [x0, #ARCH(80)]
	mov	x9, sp
	str	x9, [x0, #ARCH(96)]
	ldp	x19, x20, [x1, #ARCH(0)]
	ldp	x21, x22, [x1, #ARCH(16)]
	ldp	x23, x24, [x1, #ARCH(32)]
	ldp	x25, x26, [x1, #ARCH(48)]
	ldp	x27, x28, [x1, #ARCH(64)]
	ldp	x29, x30, [x1, #ARCH(80)]
	ldr	x9, [x1, #ARCH(96)]
	mov	sp, x9
	ret

/* Where a new thread's context returns to (arch_thread_init): entry (x19) with arg (x20). */
	.globl	thread_trampoline
thread_trampoline:
	mov	x0, x20
	blr	x19
	brk	#1			/* the entry never returns */

/* fp_load(r): the user's FP/SIMD state from @r, for aarch64_fp_trap. */
	.globl	fp_load
fp_load:
	fp_fetch x0
	ret
