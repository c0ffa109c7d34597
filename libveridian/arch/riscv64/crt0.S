/* riscv64 entry points: the root task's first instruction, and every new thread's. */
	.text
	.globl _start
_start:				/* a0 = struct rootinfo * */
	li fp, 0
	li ra, 0
	call vr_root_main
	unimp

	/* The creator left (function, argument) on top of the new stack. */
	.globl _vr_thread_start
_vr_thread_start:
	ld t0, 0(sp)
	ld a0, 8(sp)
	addi sp, sp, 16
	li fp, 0
	li ra, 0
	jalr t0
	call vr_thread_return
	unimp
