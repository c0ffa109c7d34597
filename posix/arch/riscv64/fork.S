/* riscv64 register save and resume for fork (posix/fork.c), and the forked child's first code. */

	.text
	/* int px_fork_save(uint64_t regs[PX_FORK_WORDS]): 0 now, 1 when resumed. */
	.globl px_fork_save
	.type px_fork_save, %function
px_fork_save:
	sd ra, 0(a0)
	sd sp, 8(a0)
	sd s0, 16(a0)
	sd s1, 24(a0)
	sd s2, 32(a0)
	sd s3, 40(a0)
	sd s4, 48(a0)
	sd s5, 56(a0)
	sd s6, 64(a0)
	sd s7, 72(a0)
	sd s8, 80(a0)
	sd s9, 88(a0)
	sd s10, 96(a0)
	sd s11, 104(a0)
	fsd fs0, 112(a0)
	fsd fs1, 120(a0)
	fsd fs2, 128(a0)
	fsd fs3, 136(a0)
	fsd fs4, 144(a0)
	fsd fs5, 152(a0)
	fsd fs6, 160(a0)
	fsd fs7, 168(a0)
	fsd fs8, 176(a0)
	fsd fs9, 184(a0)
	fsd fs10, 192(a0)
	fsd fs11, 200(a0)
	li a0, 0
	ret

	/* void px_fork_resume(const uint64_t regs[]): px_fork_save returns 1. */
	.globl px_fork_resume
	.type px_fork_resume, %function
px_fork_resume:
	ld ra, 0(a0)
	ld sp, 8(a0)
	ld s0, 16(a0)
	ld s1, 24(a0)
	ld s2, 32(a0)
	ld s3, 40(a0)
	ld s4, 48(a0)
	ld s5, 56(a0)
	ld s6, 64(a0)
	ld s7, 72(a0)
	ld s8, 80(a0)
	ld s9, 88(a0)
	ld s10, 96(a0)
	ld s11, 104(a0)
	fld fs0, 112(a0)
	fld fs1, 120(a0)
	fld fs2, 128(a0)
	fld fs3, 136(a0)
	fld fs4, 144(a0)
	fld fs5, 152(a0)
	fld fs6, 160(a0)
	fld fs7, 168(a0)
	fld fs8, 176(a0)
	fld fs9, 184(a0)
	fld fs10, 192(a0)
	fld fs11, 200(a0)
	li a0, 1
	ret

	/* The child's first thread: a0 = its proc capability, sp = what px_fork chose; gp as in start.S. */
	.globl px_fork_entry
	.type px_fork_entry, %function
px_fork_entry:
#ifndef __PIC__
	/* In libc.so (built -fPIC) the program's gp is out of reach; lld 14 relaxes nothing to it. */
	.weak __global_pointer$
	.hidden __global_pointer$
	.option push
	.option norelax
	lla gp, __global_pointer$
	.option pop
#endif
	mv a1, sp
	li fp, 0
	li ra, 0
	call px_fork_child
	unimp
