/* aarch64 entry points: the root task's first instruction, and every new thread's. */
	.text
	.globl _start
_start:				/* x0 = struct rootinfo * */
	mov x29, #0
	mov x30, #0
	bl vr_root_main
	brk #0

	/* The creator left (function, argument) on top of the new stack. */
	.globl _vr_thread_start
_vr_thread_start:
	ldp x9, x0, [sp], #16
	mov x29, #0
	mov x30, #0
	blr x9
	bl vr_thread_return
	brk #0
