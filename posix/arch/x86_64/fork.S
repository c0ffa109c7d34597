/* x86_64 register save and resume for fork (posix/fork.c), and the forked child's first code. */

	.text
	/* int px_fork_save(uint64_t regs[PX_FORK_WORDS]): 0 now, 1 when resumed. */
	.globl px_fork_save
	.type px_fork_save, @function
px_fork_save:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rdx	/* the stack pointer after the return */
	movq %rdx, 48(%rdi)
	movq (%rsp), %rdx	/* the return address */
	movq %rdx, 56(%rdi)
	xorl %eax, %eax
	ret

	/* void px_fork_resume(const uint64_t regs[]): px_fork_save returns 1. */
	.globl px_fork_resume
	.type px_fork_resume, @function
px_fork_resume:
	movq 0(%rdi), %rbx
	movq 8(%rdi), %rbp
	movq 16(%rdi), %r12
	movq 24(%rdi), %r13
	movq 32(%rdi), %r14
	movq 40(%rdi), %r15
	movq 48(%rdi), %rsp
	movl $1, %eax
	jmpq *56(%rdi)

	/* The child's first thread: rdi = its proc capability, rsp = what px_fork chose. */
	.globl px_fork_entry
	.type px_fork_entry, @function
px_fork_entry:
	movq %rsp, %rsi
	xorl %ebp, %ebp
	andq $-16, %rsp
	call px_fork_child
	ud2
