/*
 * x86_64 entry of asynchronous signals (posix/signal.c): the kernel's
 * thread_redirect comes here with rdi = the saved frame and rsp = frame - 8.
 * The FPU/SSE state is saved around the C part (which may change it: the
 * handler's fpregs), then thread_sigreturn resumes the frame (with the flags px_sig_async returned).
 */
#include <veridian/sysnums.h>

	.text
	.globl px_sig_entry
	.type px_sig_entry, @function
px_sig_entry:
	movq %rdi, %rbx			/* the frame holds the interrupted rbx */
	subq $520, %rsp			/* 512 for fxsave, 16-aligned, and the call's alignment */
	fxsave (%rsp)
	movq %rbx, %rdi
	movq %rsp, %rsi			/* the fxsave area: the handler's uc_mcontext.fpregs */
	call px_sig_async
	fxrstor (%rsp)
	movq %rbx, %rdi
	movq %rax, %rsi
	movq $VR_SYS_THREAD_SIGRETURN, %rax
	syscall
	ud2				/* only a bad frame comes back */
	.size px_sig_entry, . - px_sig_entry
