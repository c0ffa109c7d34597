/* x86_64 thread entry and exit for the POSIX layer (posix/clone.c, posix/thread.c). */
#include <veridian/sysnums.h>

	.text
	/* rdi = the struct clone_start at the top of the new stack. */
	.globl px_thread_entry
	.type px_thread_entry, @function
px_thread_entry:
	xorl %ebp, %ebp
	andq $-16, %rsp
	call px_thread_main
	ud2

	/*
	 * px_exit_clearing(int *ctid, long status): clears *ctid, wakes its
	 * waiter and ends the thread without touching the stack after the
	 * store, since a joiner may free the stack as soon as it sees the zero.
	 */
	.globl px_exit_clearing
	.type px_exit_clearing, @function
px_exit_clearing:
	movq %rsi, %r12
	movl $0, (%rdi)
	andq $-8, %rdi
	movl $1, %esi
	movl $VR_SYS_FUTEX_WAKE, %eax
	syscall
1:	movq %r12, %rdi
	movl $VR_SYS_THREAD_EXIT, %eax
	syscall
	jmp 1b
