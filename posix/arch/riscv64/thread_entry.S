/* riscv64 thread entry for the POSIX layer (posix/clone.c). */

	.text
	/* a0 = the struct clone_start at the top of the new stack; gp as in start.S. */
	.globl px_thread_entry
	.type px_thread_entry, %function
px_thread_entry:
#ifndef __PIC__
	/* In libc.so (built -fPIC) the program's gp is out of reach; lld 14 relaxes nothing to it. */
	.weak __global_pointer$
	.hidden __global_pointer$
	.option push
	.option norelax
	lla gp, __global_pointer$
	.option pop
#endif
	li fp, 0
	li ra, 0
	call px_thread_main
	unimp
