/* x86_64 entry points: the root task's first instruction, and every new thread's. */
	.text
	.globl _start
_start:				/* rdi = struct rootinfo * */
	xorl %ebp, %ebp
	andq $-16, %rsp
	call vr_root_main
	ud2

	/* The creator left (function, argument) on top of the new stack. */
	.globl _vr_thread_start
_vr_thread_start:
	popq %rax
	popq %rdi
	xorl %ebp, %ebp
	andq $-16, %rsp
	call *%rax
	movq %rax, %rdi
	call vr_thread_return
	ud2
