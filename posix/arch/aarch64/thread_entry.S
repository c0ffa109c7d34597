/* aarch64 thread entry for the POSIX layer (posix/clone.c). */

	.text
	/* x0 = the struct clone_start at the top of the new stack. */
	.globl px_thread_entry
	.type px_thread_entry, %function
px_thread_entry:
	mov x29, #0
	mov x30, #0
	bl px_thread_main
	brk #0
