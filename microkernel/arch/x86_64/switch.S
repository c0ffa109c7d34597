/*
 * The kernel context switch, and the first code of a new thread. A switched-out
 * thread's stack holds the registers a call preserves; struct arch_thread
 * keeps the stack pointer.
 */

	.text
	/* x86_switch(uint64_t *prev_sp, uint64_t next_sp), interrupts masked. */
	.globl x86_switch
x86_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	/* arch_thread_init() left the entry in r12, its argument in r13, and rbp = 0. */
	.globl x86_thread_start
x86_thread_start:
	movq %r13, %rdi
	call *%r12		/* never returns */
	ud2
