/* aarch64 thread entry and exit for the POSIX layer (posix/clone.c, posix/thread.c). */
#include <veridian/sysnums.h>

	.text
	/* x0 = the struct clone_start at the top of the new stack. */
	.globl px_thread_entry
	.type px_thread_entry, %function
px_thread_entry:
	mov x29, #0
	mov x30, #0
	bl px_thread_main
	brk #0

	/*
	 * px_exit_clearing(int *ctid, long status): clears *ctid, wakes its
	 * waiter and ends the thread without touching the stack after the
	 * store, since a joiner may free the stack as soon as it sees the zero.
	 * The barriers make the thread's earlier stores visible before the zero,
	 * and the zero before the wake.
	 */
	.globl px_exit_clearing
	.type px_exit_clearing, %function
px_exit_clearing:
	mov x19, x1
	dmb ish
	str wzr, [x0]
	dmb ish
	and x0, x0, #-8
	mov x1, #1
	mov x8, #VR_SYS_FUTEX_WAKE
	svc #0
1:	mov x0, x19
	mov x8, #VR_SYS_THREAD_EXIT
	svc #0
	b 1b
