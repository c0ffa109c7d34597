/*
 * riscv64 program entry: the spawner left argc, argv, envp and auxv at the
 * stack pointer. gp is set as musl's own start-up does, for code linked with
 * gp-relative relaxation; new threads set it too (thread_entry.S).
 */
	.text
	.globl _start
	.type _start, %function
_start:
	.weak __global_pointer$
	.hidden __global_pointer$
	.option push
	.option norelax
	lla gp, __global_pointer$
	.option pop
	mv a0, sp
	andi sp, sp, -16
	li fp, 0
	li ra, 0
	call __vr_posix_start
	unimp
