/* x86_64 program entry: the spawner left argc, argv, envp and auxv at the stack pointer. */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp
	movq %rsp, %rdi
	andq $-16, %rsp
	call __vr_posix_start
	ud2
