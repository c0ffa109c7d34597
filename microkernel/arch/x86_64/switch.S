/*
 * The kernel context switch, and the first code of a new thread. A
 * switched-out thread's saved stack pointer points at the address where it
 * resumes, so any switch resumes any thread with the same two instructions
 * (load the stack pointer, ret); what lies above that address is the
 * resuming code's own business. x86_switch saves the registers a call
 * preserves and resumes at x86_switch_resume, which loads them back;
 * <arch/switch.h>'s inline switch saves only rbp (the compiler keeps nothing
 * else live across it) and resumes just after itself.
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
	leaq x86_switch_resume(%rip), %rax
	pushq %rax
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	ret
	.globl x86_switch_resume
x86_switch_resume:
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
