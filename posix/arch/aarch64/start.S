/* aarch64 program entry: the spawner left argc, argv, envp and auxv at the stack pointer. */
	.text
	.globl _start
	.type _start, %function
_start:
	mov x29, #0
	mov x30, #0
	mov x0, sp
	and sp, x0, #-16
	bl __vr_posix_start
	brk #0
