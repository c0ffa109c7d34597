/* riscv64 thread entry for the POSIX layer (posix/clone.c). */

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
