/* riscv64 thread entry and exit for the POSIX layer (posix/clone.c, posix/thread.c). */
#include <veridian/sysnums.h>

	.text
	/* a0 = the struct clone_start at the top of the new stack; gp as in start.S. */
	.globl px_thread_entry
	.type px_thread_entry, %function
px_thread_entry:
	.weak __global_pointer$
	.hidden __global_pointer$
	.option push
	.option norelax
	lla gp, __global_pointer$
	.option pop
	li fp, 0
	li ra, 0
	call px_thread_main
	unimp

	/*
	 * px_exit_clearing(int *ctid, long status): clears *ctid, wakes its
	 * waiter and ends the thread without touching the stack after the
	 * store, since a joiner may free the stack as soon as it sees the zero.
	 * The fences make the thread's earlier stores visible before the zero,
	 * and the zero before the wake.
	 */
	.globl px_exit_clearing
	.type px_exit_clearing, %function
px_exit_clearing:
	mv s1, a1
	fence rw, rw
	sw zero, 0(a0)
	fence rw, rw
	andi a0, a0, -8
	li a1, 1
	li a7, VR_SYS_FUTEX_WAKE
	ecall
1:	mv a0, s1
	li a7, VR_SYS_THREAD_EXIT
	ecall
	j 1b
