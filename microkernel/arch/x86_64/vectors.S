/*
 * Trap entry and exit. Each stub pushes its vector (and a zero where the CPU
 * pushes no error code); exceptions (0-31) are listed in vector_table,
 * interrupt stubs (32-255) are 16 bytes apart from irq_stubs. syscall_entry
 * builds the same frame for the syscall instruction. A trap from user mode
 * saves the registers at the top of the thread's kernel stack, in its struct
 * user_regs (<arch/regs.h>), and leaves through arch_return_to_user.
 *
 * swapgs: in the kernel the GS base is this CPU's struct x86_cpu and
 * KERNEL_GS_BASE holds the user's; in user mode the other way round. Every
 * entry from user mode swaps first, and the exit to user mode swaps last.
 */
#include <arch/regs.h>
#include "syscall_defs.h"

	.macro save_gprs
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	.endm

	.macro restore_gprs
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	.endm

	.macro stub vec, has_error
	.globl vector_\vec
vector_\vec:
	.if \has_error == 0
	pushq $0
	.endif
	pushq $\vec
	jmp trap_common
	.endm

	.text
	stub 0, 0
	stub 1, 0
	stub 2, 0
	stub 3, 0
	stub 4, 0
	stub 5, 0
	stub 6, 0
	stub 7, 0
	stub 8, 1
	stub 9, 0
	stub 10, 1
	stub 11, 1
	stub 12, 1
	stub 13, 1
	stub 14, 1
	stub 15, 0
	stub 16, 0
	stub 17, 1
	stub 18, 0
	stub 19, 0
	stub 20, 0
	stub 21, 1
	stub 22, 0
	stub 23, 0
	stub 24, 0
	stub 25, 0
	stub 26, 0
	stub 27, 0
	stub 28, 0
	stub 29, 1
	stub 30, 1
	stub 31, 0

	.balign 16
	.globl irq_stubs
irq_stubs:
	.set vec, 32
	.rept 224
	.balign 16
	pushq $0
	pushq $vec
	jmp trap_common
	.set vec, vec + 1
	.endr

/*
 * Saves the general registers as a struct trap_frame and calls x86_trap(frame),
 * or for a trap from user mode x86_user_trap(uregs), which never returns.
 * The stack is 16-byte aligned at the call: the CPU aligns it before pushing
 * its five words, and the stub and this code push 17 more.
 */
trap_common:
	testb $3, 24(%rsp)		/* the saved CS: from user mode? */
	jnz from_user
	save_gprs
	movq %rsp, %rdi
	cld
	call x86_trap
	restore_gprs
	addq $16, %rsp		/* vector and error code */
	iretq

from_user:
	swapgs
	save_gprs
	subq $UREGS_FRAME, %rsp	/* the kernel stack starts below the user_regs */
	movq %rsp, %rdi
	xorl %ebp, %ebp		/* ends backtraces */
	pushq $2		/* clears DF and AC (which would lift SMAP): the CPU keeps the user's */
	popfq
	call x86_user_trap

/*
 * The syscall instruction: rcx = user rip, r11 = user rflags, interrupts
 * masked by FMASK, and still the user's stack. The system-call stack starts
 * at the running thread's user_regs (the top of its kernel stack), whose cs
 * and ss already hold USER_CS and USER_SS (arch_uregs_init; an interrupt
 * from user mode stores the same), so only rip, rflags and rsp are stored.
 *
 * Every call saves only what the kernel's C code may clobber: the number,
 * the six argument registers and rip/rflags/rsp (rcx and r11 are the
 * syscall instruction's own) and rbp. rbx and r12-r15 stay live in the CPU,
 * kept by the C calling convention, and their slots in user_regs are stale
 * for the length of the call: nothing reads them there. The IPC calls
 * (SYS_MSG_FIRST..SYS_MSG_LAST) carry the message in r12-r15 too and may
 * find the answer written there by another thread, so they also save and
 * load those four.
 */
#define F(off) (UREGS_FRAME + (off))(%rsp)
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:PERCPU_USER_RSP
	movq %gs:PERCPU_SYSCALL_REGS, %rsp
	movq %rcx, F(FRAME_RIP)
	movq %r11, F(FRAME_RFLAGS)
	movq %gs:PERCPU_USER_RSP, %rcx
	movq %rcx, F(FRAME_RSP)
	movq %rax, F(FRAME_RAX)
	movq %rdi, F(FRAME_RDI)
	movq %rsi, F(FRAME_RSI)
	movq %rdx, F(FRAME_RDX)
	movq %r10, F(FRAME_R10)
	movq %r8, F(FRAME_R8)
	movq %r9, F(FRAME_R9)
	movq %rbp, F(FRAME_RBP)
	xorl %ebp, %ebp		/* ends backtraces */
	movq %rsp, %rdi
	cmpq $SYS_MSG_FIRST, %rax
	jb 1f
	cmpq $SYS_MSG_LAST, %rax
	jbe syscall_msg
1:	call syscall_handler
syscall_exit:
	movq F(FRAME_RIP), %rcx
	movq %rcx, %r11
	shrq $47, %r11		/* sysretq faults in kernel mode on a non-canonical rip */
	jnz 2f
	movq F(FRAME_RFLAGS), %r11
	movq F(FRAME_RAX), %rax
	movq F(FRAME_RDX), %rdx
	movq F(FRAME_RDI), %rdi
	movq F(FRAME_RSI), %rsi
	movq F(FRAME_R10), %r10
	movq F(FRAME_R8), %r8
	movq F(FRAME_R9), %r9
	movq F(FRAME_RBP), %rbp
	movq F(FRAME_RSP), %rsp
	swapgs
	sysretq
2:	movq %rbx, F(FRAME_RBX)	/* a full register file for the exception it raises */
	movq %r12, F(FRAME_R12)
	movq %r13, F(FRAME_R13)
	movq %r14, F(FRAME_R14)
	movq %r15, F(FRAME_R15)
	movq %rsp, %rdi
	call x86_bad_user_rip
syscall_msg:
	movq %r12, F(FRAME_R12)
	movq %r13, F(FRAME_R13)
	movq %r14, F(FRAME_R14)
	movq %r15, F(FRAME_R15)
	call syscall_ipc
	movq F(FRAME_R12), %r12
	movq F(FRAME_R13), %r13
	movq F(FRAME_R14), %r14
	movq F(FRAME_R15), %r15
	jmp syscall_exit

/*
 * arch_return_to_user(struct user_regs *r): restores everything from @r (the
 * FPU state and the FS/GS bases are already in place). sysretq is quicker,
 * but it restores rcx and r11 from rip and rflags, and faults in kernel mode
 * on a non-canonical rip; it serves only a state it restores exactly.
 */
	.globl arch_return_to_user
arch_return_to_user:
	leaq UREGS_FRAME(%rdi), %rsp
	movq FRAME_RIP(%rsp), %rax
	cmpq FRAME_RCX(%rsp), %rax
	jne 1f
	shrq $47, %rax
	jnz 1f
	movq FRAME_RFLAGS(%rsp), %rax
	cmpq FRAME_R11(%rsp), %rax
	jne 1f
	restore_gprs
	movq FRAME_RSP - 15 * 8(%rsp), %rsp	/* the 15 registers are off the stack */
	swapgs
	sysretq
1:	movq FRAME_RIP(%rsp), %rax
	shrq $47, %rax
	jnz 2f
	restore_gprs
	addq $16, %rsp
	swapgs
	iretq
2:	movq %rdi, %rsp		/* iretq would fault in kernel mode: make it the thread's fault */
	call x86_bad_user_rip

	.section .rodata
	.balign 8
	.globl vector_table
vector_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad vector_\v
	.endr
