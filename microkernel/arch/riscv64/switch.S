/*
 * The kernel context switch, and the first code of a new thread. A struct
 * arch_thread holds ra, sp and s0..s11 (the registers a call preserves), and
 * gp, which the kernel leaves to user mode (<arch/thread.h>).
 */

	.text
	/* riscv_switch(struct arch_thread *prev, struct arch_thread *next), interrupts masked. */
	.globl	riscv_switch
riscv_switch:
	sd	ra, 0(a0)
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
