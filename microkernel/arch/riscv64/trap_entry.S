/*
 * The S-mode trap vector, and the ways back to user mode. sscratch says where
 * a trap came from: it is 0 while the kernel runs, and holds the current
 * thread's struct user_regs (the top of its kernel stack) while user code
 * runs. A trap in the kernel saves a struct trap_frame on the current stack
 * and calls riscv_trap(). A trap from user mode saves the user registers in
 * that struct user_regs, takes the kernel's tp from it and runs C on the
 * kernel stack below it: a system call (ecall) saves only the registers a C
 * call may change and leaves the others live in the CPU (see <arch/regs.h>),
 * anything else saves them all and goes to riscv_user_trap().
 */
#include <arch/offsets.h>
#include <arch/regs.h>
#include "syscall_defs.h"

#define FRAME_SIZE (36 * 8)	/* x0..x31, sepc, sstatus, scause, stval */
#define SSTATUS_SIE 2
#define SSTATUS_FS (3 << 13)

	.text
	.balign	4			/* stvec's low two bits select the mode: direct */
	.globl	trap_entry
trap_entry:
	csrrw	sp, sscratch, sp
	bnez	sp, from_user
	csrrw	sp, sscratch, sp	/* from the kernel: sp back, and sscratch 0 again */

	addi	sp, sp, -FRAME_SIZE
	.irp	n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	sd	x\n, \n * 8(sp)
	.endr
	addi	t0, sp, FRAME_SIZE
	sd	t0, 2 * 8(sp)		/* sp as it was when the trap came */
	csrr	t0, sepc
	sd	t0, 32 * 8(sp)
	csrr	t0, sstatus
	sd	t0, 33 * 8(sp)
	csrr	t0, scause
	sd	t0, 34 * 8(sp)
	csrr	t0, stval
	sd	t0, 35 * 8(sp)

	mv	a0, sp
	call	riscv_trap

	ld	t0, 32 * 8(sp)
	csrw	sepc, t0
	ld	t0, 33 * 8(sp)
	csrw	sstatus, t0
	.irp	n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	ld	x\n, \n * 8(sp)
	.endr
	addi	sp, sp, FRAME_SIZE
	sret

/*
 * The registers a C call may change, less sp (it comes from sscratch) and gp
 * (the kernel never uses it; arch_switch carries it across switches).
 */
#define CALL_CLOBBERED 1, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 28, 29, 30, 31
/* The registers a C call preserves, and gp: saved for traps other than ecall. */
#define CALL_PRESERVED 3, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27
#define CAUSE_USER_ECALL 8

	/* sp = the thread's struct user_regs, sscratch = the user's sp. */
from_user:
	.irp	n, CALL_CLOBBERED
	sd	x\n, UREGS_X(\n)(sp)
	.endr
	csrrw	t0, sscratch, zero	/* in the kernel from here on */
	sd	t0, UREGS_X(2)(sp)
	csrr	t0, sepc
	csrr	t1, scause
	ld	tp, UREGS_CPU(sp)
	li	t2, CAUSE_USER_ECALL
	bne	t1, t2, user_trap

	/*
	 * A system call. s0-s11 keep the user's values: the C code preserves
	 * them, and a switch away saves them in the kernel context. So s0 does
	 * not end the chain of frame records here; backtrace_walk() stops at a
	 * record outside the kernel stack.
	 */
	addi	t0, t0, 4		/* resume after the ecall */
	sd	t0, UREGS_SEPC(sp)
	bltz	a7, syscall_msg

	/*
	 * A call that syscall_direct lists (no result value, 64-bit arguments)
	 * is called straight from the user's a0-a5, its status stored as
	 * syscall_handler would store it, and trap_exit_check() done here; any
	 * other number goes to syscall_handler.
	 */
	li	t0, SYSCALL_COUNT
	bgeu	a7, t0, syscall_decode
	lla	t0, syscall_direct
	slli	t1, a7, 3
	add	t0, t0, t1
	ld	t0, 0(t0)
	beqz	t0, syscall_decode
	jalr	t0
	sd	a0, UREGS_X(10)(sp)	/* status, and value 0 */
	sd	zero, UREGS_X(11)(sp)
	ld	a0, CPU_CURRENT(tp)	/* this CPU now: the call may have moved the thread */
	lbu	t0, THREAD_PENDING(a0)
	lbu	t1, CPU_NEED_RESCHED(tp)
	or	t0, t0, t1
	beqz	t0, syscall_exit
	jal	trap_exit_work		/* trap_exit_work(current) */
	j	syscall_exit
syscall_decode:
	mv	a0, sp
	jal	syscall_handler		/* also does the exit work (trap_exit_check) */
syscall_exit:

	/*
	 * Back to user mode. Outside a kernel trap handler sstatus.SPP is 0
	 * (user) and SPIE is 1: an sret set them so, and a trap from user mode
	 * too. FS is the thread's own (arch_switch), so only SIE needs clearing:
	 * no interrupt may come once sscratch says "user".
	 */
	csrci	sstatus, SSTATUS_SIE
	ld	t0, UREGS_SEPC(sp)
	csrw	sepc, t0
	csrw	sscratch, sp
	.irp	n, CALL_CLOBBERED
	ld	x\n, UREGS_X(\n)(sp)
	.endr
	ld	sp, UREGS_X(2)(sp)
	sret

	/*
	 * A number with bit 63 set (libveridian's IPC stubs): the message
	 * calls' entry, syscall_ipc, which runs their fast paths without
	 * syscall_handler's dispatch and hands any other number to it. The
	 * number without the flag is what the user gets back in a7.
	 */
syscall_msg:
	slli	a7, a7, 1
	srli	a7, a7, 1
	sd	a7, UREGS_X(17)(sp)
	mv	a0, sp
	jal	syscall_ipc
	j	syscall_exit

	/* Any other trap: save everything, t0 = sepc, t1 = scause. */
user_trap:
	sd	t0, UREGS_SEPC(sp)
	.irp	n, CALL_PRESERVED
	sd	x\n, UREGS_X(\n)(sp)
	.endr
	csrr	t0, sstatus
	sd	t0, UREGS_SSTATUS(sp)
	mv	a0, sp
	mv	a1, t1
	csrr	a2, stval
	li	s0, 0			/* ends the frame-pointer chain for backtraces */
	call	riscv_user_trap		/* leaves through arch_return_to_user */

/*
 * arch_return_to_user(struct user_regs *r): r is at the top of the current
 * thread's kernel stack, where the next trap from user mode saves into. It
 * loads every register: a new thread's, or those saved by user_trap.
 * sstatus from r has SIE clear, SPP user and SPIE set: sret turns on
 * interrupts as it enters user mode. Its FS is not taken (see arch_switch).
 */
	.globl	arch_return_to_user
arch_return_to_user:
	csrci	sstatus, SSTATUS_SIE
	ld	t0, UREGS_SEPC(a0)
	csrw	sepc, t0
	/* FS stays as it is: it says whether the hardware holds the thread's F/D registers. */
	csrr	t1, sstatus
	li	t2, SSTATUS_FS
	and	t1, t1, t2
	not	t2, t2
	ld	t0, UREGS_SSTATUS(a0)
	and	t0, t0, t2
	or	t0, t0, t1
	csrw	sstatus, t0
	csrw	sscratch, a0
	.irp	n, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	ld	x\n, UREGS_X(\n)(a0)
	.endr
	ld	a0, UREGS_X(10)(a0)
	sret
