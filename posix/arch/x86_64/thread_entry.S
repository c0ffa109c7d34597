/* x86_64 thread entry for the POSIX layer (posix/clone.c). */

	.text
	/* rdi = the struct clone_start at the top of the new stack. */
	.globl px_thread_entry
	.type px_thread_entry, @function
px_thread_entry:
	xorl %ebp, %ebp
	andq $-16, %rsp
	call px_thread_main
	ud2
