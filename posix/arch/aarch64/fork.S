/* aarch64 register save and resume for fork (posix/fork.c), and the forked child's first code. */

	.text
	/* int px_fork_save(uint64_t regs[PX_FORK_WORDS]): 0 now, 1 when resumed. */
	.globl px_fork_save
	.type px_fork_save, %function
px_fork_save:
	stp x19, x20, [x0, #0]
	stp x21, x22, [x0, #16]
	stp x23, x24, [x0, #32]
	stp x25, x26, [x0, #48]
	stp x27, x28, [x0, #64]
	stp x29, x30, [x0, #80]
	mov x2, sp
	str x2, [x0, #96]
	stp d8, d9, [x0, #104]
	stp d10, d11, [x0, #120]
	stp d12, d13, [x0, #136]
	stp d14, d15, [x0, #152]
	mov x0, #0
	ret

	/* void px_fork_resume(const uint64_t regs[]): px_fork_save returns 1. */
	.globl px_fork_resume
	.type px_fork_resume, %function
px_fork_resume:
	ldp x19, x20, [x0, #0]
	ldp x21, x22, [x0, #16]
	ldp x23, x24, [x0, #32]
	ldp x25, x26, [x0, #48]
	ldp x27, x28, [x0, #64]
	ldp x29, x30, [x0, #80]
	ldr x2, [x0, #96]
	mov sp, x2
	ldp d8, d9, [x0, #104]
	ldp d10, d11, [x0, #120]
	ldp d12, d13, [x0, #136]
	ldp d14, d15, [x0, #152]
	mov x0, #1
	ret

	/* The child's first thread: x0 = its proc capability, sp = what px_fork chose. */
	.globl px_fork_entry
	.type px_fork_entry, %function
px_fork_entry:
	mov x1, sp
	mov x29, #0
	mov x30, #0
	bl px_fork_child
	brk #0
