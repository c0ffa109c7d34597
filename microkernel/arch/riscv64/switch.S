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
#define ARCH_FP_EAGER (15 * 8)		/* struct arch_thread.fp_eager */

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
	addi	a0, a0, THREAD_ARCH
	addi	a1, a1, THREAD_ARCH
	beqz	a2, 1f
	csrr	t0, sstatus
	li	t1, SSTATUS_FS
	and	t0, t0, t1
	sub	t0, t0, t1		/* 0: Dirty, changed since they were loaded */
	seqz	t2, t0
	sb	t2, ARCH_FP_EAGER(a0)
	bnez	t0, 1f
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	fsd	f\n, UREGS_F(\n)(a2)
	.endr
	frcsr	t0
	sd	t0, UREGS_FCSR(a2)
1:	beqz	a3, 3f
	sd	tp, UREGS_CPU(a3)	/* a user thread only starts to run on a CPU here */
	lbu	t0, ARCH_FP_EAGER(a1)
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
3:	sd	ra, 0(a0)
	sd	sp, 8(a0)
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
	sd	s\n, (2 + \n) * 8(a0)
	.endr
	sd	gp, 14 * 8(a0)
	ld	ra, 0(a1)
	ld	sp, 8(a1)
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
	ld	s\n, (2 + \n) * 8(a1)
	.endr
	ld	gp, 14 * 8(a1)
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
