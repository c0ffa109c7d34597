/*
 * riscv64 entry of asynchronous signals (posix/signal.c): the kernel's
 * thread_redirect comes here with a0 = sp = the saved frame. The F/D state
 * is saved around the C part (which may change it), then thread_sigreturn resumes the frame (with
 * the flags px_sig_async returned).
 */
#include <veridian/sysnums.h>

	.text
	.globl px_sig_entry
	.type px_sig_entry, %function
px_sig_entry:
	mv s1, a0			/* the frame holds the interrupted s1, s2 */
	addi sp, sp, -272
	fsd f0, 0(sp)
	fsd f1, 8(sp)
	fsd f2, 16(sp)
	fsd f3, 24(sp)
	fsd f4, 32(sp)
	fsd f5, 40(sp)
	fsd f6, 48(sp)
	fsd f7, 56(sp)
	fsd f8, 64(sp)
	fsd f9, 72(sp)
	fsd f10, 80(sp)
	fsd f11, 88(sp)
	fsd f12, 96(sp)
	fsd f13, 104(sp)
	fsd f14, 112(sp)
	fsd f15, 120(sp)
	fsd f16, 128(sp)
	fsd f17, 136(sp)
	fsd f18, 144(sp)
	fsd f19, 152(sp)
	fsd f20, 160(sp)
	fsd f21, 168(sp)
	fsd f22, 176(sp)
	fsd f23, 184(sp)
	fsd f24, 192(sp)
	fsd f25, 200(sp)
	fsd f26, 208(sp)
	fsd f27, 216(sp)
	fsd f28, 224(sp)
	fsd f29, 232(sp)
	fsd f30, 240(sp)
	fsd f31, 248(sp)
	frcsr t0
	sd t0, 256(sp)
	li s0, 0			/* ends frame-pointer chains */
	mv a0, s1
	mv a1, sp			/* f0-f31, fcsr: the handler's __fpregs */
	call px_sig_async
	mv s2, a0
	fld f0, 0(sp)
	fld f1, 8(sp)
	fld f2, 16(sp)
	fld f3, 24(sp)
	fld f4, 32(sp)
	fld f5, 40(sp)
	fld f6, 48(sp)
	fld f7, 56(sp)
	fld f8, 64(sp)
	fld f9, 72(sp)
	fld f10, 80(sp)
	fld f11, 88(sp)
	fld f12, 96(sp)
	fld f13, 104(sp)
	fld f14, 112(sp)
	fld f15, 120(sp)
	fld f16, 128(sp)
	fld f17, 136(sp)
	fld f18, 144(sp)
	fld f19, 152(sp)
	fld f20, 160(sp)
	fld f21, 168(sp)
	fld f22, 176(sp)
	fld f23, 184(sp)
	fld f24, 192(sp)
	fld f25, 200(sp)
	fld f26, 208(sp)
	fld f27, 216(sp)
	fld f28, 224(sp)
	fld f29, 232(sp)
	fld f30, 240(sp)
	fld f31, 248(sp)
	ld t0, 256(sp)
	fscsr t0
	mv a0, s1
	mv a1, s2
	li a7, VR_SYS_THREAD_SIGRETURN
	ecall
	ebreak				/* only a bad frame comes back */
	.size px_sig_entry, . - px_sig_entry
