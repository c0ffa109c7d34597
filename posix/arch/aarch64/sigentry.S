/*
 * aarch64 entry of asynchronous signals (posix/signal.c): the kernel's
 * thread_redirect comes here with x0 = sp = the saved frame. The FP/SIMD
 * state is saved around the C part (which may change it), then thread_sigreturn resumes the frame
 * (with the flags px_sig_async returned).
 */
#include <veridian/sysnums.h>

	.text
	.globl px_sig_entry
	.type px_sig_entry, %function
px_sig_entry:
	mov x19, x0			/* the frame holds the interrupted x19, x20 */
	sub sp, sp, #528
	stp q0, q1, [sp, #0]
	stp q2, q3, [sp, #32]
	stp q4, q5, [sp, #64]
	stp q6, q7, [sp, #96]
	stp q8, q9, [sp, #128]
	stp q10, q11, [sp, #160]
	stp q12, q13, [sp, #192]
	stp q14, q15, [sp, #224]
	stp q16, q17, [sp, #256]
	stp q18, q19, [sp, #288]
	stp q20, q21, [sp, #320]
	stp q22, q23, [sp, #352]
	stp q24, q25, [sp, #384]
	stp q26, q27, [sp, #416]
	stp q28, q29, [sp, #448]
	stp q30, q31, [sp, #480]
	mrs x9, fpcr
	mrs x10, fpsr
	add x11, sp, #512
	stp x9, x10, [x11]
	mov x29, xzr			/* ends frame-pointer chains */
	mov x0, x19
	mov x1, sp			/* q0-q31, fpcr, fpsr: the handler's fpsimd_context */
	bl px_sig_async
	mov x20, x0
	ldp q0, q1, [sp, #0]
	ldp q2, q3, [sp, #32]
	ldp q4, q5, [sp, #64]
	ldp q6, q7, [sp, #96]
	ldp q8, q9, [sp, #128]
	ldp q10, q11, [sp, #160]
	ldp q12, q13, [sp, #192]
	ldp q14, q15, [sp, #224]
	ldp q16, q17, [sp, #256]
	ldp q18, q19, [sp, #288]
	ldp q20, q21, [sp, #320]
	ldp q22, q23, [sp, #352]
	ldp q24, q25, [sp, #384]
	ldp q26, q27, [sp, #416]
	ldp q28, q29, [sp, #448]
	ldp q30, q31, [sp, #480]
	add x11, sp, #512
	ldp x9, x10, [x11]
	msr fpcr, x9
	msr fpsr, x10
	mov x0, x19
	mov x1, x20
	mov x8, #VR_SYS_THREAD_SIGRETURN
	svc #0
	brk #0				/* only a bad frame comes back */
	.size px_sig_entry, . - px_sig_entry
