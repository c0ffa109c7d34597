/*
 * Saving and loading the user F/D registers. The kernel is built without F/D;
 * this one file is assembled with them (arch.mk).
 */
#include <arch/regs.h>

	.text
	/* fpu_save(struct user_regs *r) */
	.globl	fpu_save
fpu_save:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	fsd	f\n, UREGS_F(\n)(a0)
	.endr
	frcsr	t0
	sd	t0, UREGS_FCSR(a0)
	ret

	/* fpu_load(const struct user_regs *r) */
	.globl	fpu_load
fpu_load:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	fld	f\n, UREGS_F(\n)(a0)
	.endr
	ld	t0, UREGS_FCSR(a0)
	fscsr	t0
	ret
