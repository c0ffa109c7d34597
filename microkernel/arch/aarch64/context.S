/* Kernel context switches, the first code of every thread, and the user state only they move. */
#include <arch/regs.h>

	.arch_extension simd
	.text

/* context_switch(save, load): struct arch_thread pointers; returns on load's stack. */
	.globl	context_switch
context_switch:
	stp	x19, x20, [x0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x9, sp
	str	x9, [x0, #96]
	ldp	x19, x20, [x1]
	ldp	x21, x22, [x1, #16]
	ldp	x23, x24, [x1, #32]
	ldp	x25, x26, [x1, #48]
	ldp	x27, x28, [x1, #64]
	ldp	x29, x30, [x1, #80]
	ldr	x9, [x1, #96]
	mov	sp, x9
	ret

/* Where a new thread's context returns to (arch_thread_init): entry (x19) with arg (x20). */
	.globl	thread_trampoline
thread_trampoline:
	mov	x0, x20
	blr	x19
	brk	#1			/* the entry never returns */

/*
 * fp_save(r) and fp_load(r): the user's FP/SIMD state, which the kernel never
 * touches, to and from a struct user_regs: q0-q31, FPCR and FPSR.
 */
	.globl	fp_save
fp_save:
	add	x1, x0, #UREGS_V
	st1	{v0.2d-v3.2d}, [x1], #64
	st1	{v4.2d-v7.2d}, [x1], #64
	st1	{v8.2d-v11.2d}, [x1], #64
	st1	{v12.2d-v15.2d}, [x1], #64
	st1	{v16.2d-v19.2d}, [x1], #64
	st1	{v20.2d-v23.2d}, [x1], #64
	st1	{v24.2d-v27.2d}, [x1], #64
	st1	{v28.2d-v31.2d}, [x1]
	mrs	x4, fpcr
	mrs	x5, fpsr
	stp	x4, x5, [x0, #UREGS_FPCR]
	ret

	.globl	fp_load
fp_load:
	add	x1, x0, #UREGS_V
	ld1	{v0.2d-v3.2d}, [x1], #64
	ld1	{v4.2d-v7.2d}, [x1], #64
	ld1	{v8.2d-v11.2d}, [x1], #64
	ld1	{v12.2d-v15.2d}, [x1], #64
	ld1	{v16.2d-v19.2d}, [x1], #64
	ld1	{v20.2d-v23.2d}, [x1], #64
	ld1	{v24.2d-v27.2d}, [x1], #64
	ld1	{v28.2d-v31.2d}, [x1]
	ldp	x4, x5, [x0, #UREGS_FPCR]
	msr	fpcr, x4
	msr	fpsr, x5
	ret
