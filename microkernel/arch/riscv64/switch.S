/*
 * The kernel context switch, and the first code of a new thread. A struct
 * arch_thread holds ra, sp and s0..s11 (the registers a call preserves), and
 * gp, which the kernel leaves to user mode (<arch/thread.h>). Assembled with
 * the F/D extension (arch.mk): the switch moves the user F/D registers too.
 */
#include <arch/offsets.h>
#include <arch/regs.h>

#define SSTATUS_FS 0x6000		/* Off 0, Initial 1, Clean 2, Dirty 3 (<< 13) */
#define SSTATUS_FS_INITIAL 0x2000	/* Dirty & ~Clean: what clearing turns Dirty into Clean */
#define ARCH_FP_EAGER ARCH_THREAD_FP_EAGER
#define ARCH(off) (THREAD_ARCH + (off))	/* a field of struct thread.arch */

	.text
	/*
	 * arch_switch(struct thread *prev, struct thread *next): all of it
	 * (thread.c explains the F/D policy) in one function that calls
	 * nothing, so the callee-saved registers go to memory once, into
	 * prev->arch. a2 and a3 are the threads' user_regs, NULL for kernel
	 * threads. Interrupts masked.
	 */
	.globl	arch_switch
arch_switch:
	ld	a2, THREAD_UREGS(a0)
	ld	a3, THREAD_UREGS(a1)
	beqz	a2, 1f
	/*
	 * sstatus.SD (the sign bit) is set when FS, VS or XS is Dirty; VS is
	 * Off from boot on (head.S, and user_regs' sstatus has it clear) and
	 * there is no XS, so SD says the F/D registers changed since they were
	 * loaded.
	 */
	csrr	t0, sstatus
	sltz	t2, t0
	sb	t2, ARCH(ARCH_FP_EAGER)(a0)
	bgez	t0, 1f
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	fsd	f\n, UREGS_F(\n)(a2)
	.endr
	frcsr	t0
	sd	t0, UREGS_FCSR(a2)
1:	beqz	a3, 3f
	sd	tp, UREGS_CPU(a3)	/* a user thread only starts to run on a CPU here */
	lbu	t0, ARCH(ARCH_FP_EAGER)(a1)
	li	t1, SSTATUS_FS
	beqz	t0, 2f			/* FS Off: the first F/D instruction traps (riscv_fpu_trap) */
	csrs	sstatus, t1		/* Dirty first: with FS Off, fld traps */
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	fld	f\n, UREGS_F(\n)(a3)
	.endr
	ld	t0, UREGS_FCSR(a3)
	fscsr	t0
	li	t1, SSTATUS_FS_INITIAL	/* then Dirty -> Clean */
2:	csrc	sstatus, t1
3:	sd	ra, ARCH(0)(a0)
	sd	sp, ARCH(ARCH_THREAD_SP)(a0)
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
	sd	s\n, ARCH((2 + \n) * 8)(a0)
	.endr
	sd	gp, ARCH(ARCH_THREAD_GP)(a0)
	lla	t0, riscv_switch_resume
	sd	t0, ARCH(ARCH_THREAD_PC)(a0)
	ld	t0, ARCH(ARCH_THREAD_PC)(a1)
	addi	a0, a1, THREAD_ARCH
	jr	t0

	/*
	 * Where a thread that arch_switch saved resumes (a0 = its struct
	 * arch_thread): its registers back, and back to arch_switch's caller.
	 */
	.globl	riscv_switch_resume
riscv_switch_resume:
	ld	ra, 0(a0)
	ld	sp, ARCH_THREAD_SP(a0)
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
	ld	s\n, (2 + \n) * 8(a0)
	.endr
	ld	gp, ARCH_THREAD_GP(a0)
	ret

	/*
	 * arch_thread_init() left the entry in s1 and its argument in s2; s0 = 0
	 * and ra = 0 end the chain of frame records for backtraces.
	 */
	.globl	riscv_thread_start
riscv_thread_start:
	mv	a0, s2
	li	ra, 0
	jr	s1
