/*
 * The S-mode trap vector, and the ways back to user mode. sscratch says where
 * a trap came from: it is 0 while the kernel runs, and holds the current
 * thread's struct user_regs (the top of its kernel stack) while user code
 * runs. A trap in the kernel saves a struct trap_frame on the current stack
 * and calls riscv_trap(). A trap from user mode saves the user registers in
 * that struct user_regs, takes the kernel's tp from it and runs C on the
 * kernel stack below it: a system call (ecall) saves only the registers a C
 * call may change and leaves the others live in the CPU (see <arch/regs.h>),
 * anything else saves them all and goes to riscv_user_trap(). The message
 * calls have an entry of their own (ipc_fast.S).
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
 * The registers a C call may change, less sp (it comes from sscratch), gp
 * (the kernel never uses it; arch_switch carries it across switches), and ra
 * and tp, which every trap from user mode saves first.
 */
#define CALL_CLOBBERED 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 28, 29, 30, 31
/* The registers a C call preserves, and gp: saved for traps other than ecall. */
#define CALL_PRESERVED 3, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27
/* What an ordinary system call clobbers (libveridian's syscall_arch.h): zeroed on its way out. */
#define SYSCALL_CLOBBERED 12, 13, 14, 15, 16, 17, 5, 6, 7, 28, 29, 30, 31
#define CAUSE_USER_ECALL 8

	/*
	 * sp = the thread's struct user_regs, sscratch = the user's sp. ra and
	 * tp are saved first and serve as the only scratch registers until the
	 * kind of entry is known: the other paths save the rest as they were.
	 */
from_user:
	sd	ra, UREGS_X(1)(sp)
	sd	tp, UREGS_X(4)(sp)
	csrrw	ra, sscratch, zero	/* in the kernel from here on */
	sd	ra, UREGS_X(2)(sp)
	csrr	ra, scause
	addi	ra, ra, -CAUSE_USER_ECALL
	bnez	ra, user_trap

	/*
	 * A system call. s0-s11 keep the user's values: the C code preserves
	 * them, and a switch away saves them in the kernel context. So s0 does
	 * not end the chain of frame records here; backtrace_walk() stops at a
	 * record outside the kernel stack.
	 */
	csrr	ra, sepc
	addi	ra, ra, 4		/* resume after the ecall */
	sd	ra, UREGS_SEPC(sp)

	/*
	 * A call that syscall_direct lists (no result value, 64-bit arguments)
	 * is called straight from the user's a0-a5; any other number, and the
	 * message calls (bit 63 set), go the longer ways below. The system-call
	 * ABI lets an ordinary ecall clobber a2-a7 and t0-t6, so the direct
	 * path saves nothing else: it comes back with a0 = the status, a1 = 0
	 * and zeroes in the clobbered registers, where the C code may have left
	 * kernel values (pointers, other threads' data) that user mode must
	 * never see.
	 */
	li	ra, SYSCALL_COUNT
	bgeu	a7, ra, syscall_other	/* also bit 63: a message call */
.Ldirect_hi:				/* ra = &syscall_direct[a7], the low part in the ld */
	auipc	ra, %pcrel_hi(syscall_direct)
	slli	tp, a7, 3
	add	ra, ra, tp
	ld	ra, %pcrel_lo(.Ldirect_hi)(ra)
	ld	tp, UREGS_CPU(sp)
	beqz	ra, syscall_decode
	jalr	ra
	ld	t0, CPU_CURRENT(tp)	/* this CPU now: the call may have moved the thread */
	lbu	t1, THREAD_PENDING(t0)
	lbu	t2, CPU_NEED_RESCHED(tp)
	or	t1, t1, t2
	bnez	t1, direct_work
direct_exit:
	/*
	 * sstatus.SIE is clear: system calls run with interrupts masked (and a
	 * switch away and back leaves them so), and no interrupt may come once
	 * sscratch says "user". SPP is 0 (user) and SPIE 1, as the trap set
	 * them; FS is the thread's own (arch_switch).
	 */
	ld	t0, UREGS_SEPC(sp)
	csrw	sepc, t0
	csrw	sscratch, sp
	ld	ra, UREGS_X(1)(sp)
	ld	tp, UREGS_X(4)(sp)
	li	a1, 0			/* the value: none */
	.irp	n, SYSCALL_CLOBBERED
	li	x\n, 0
	.endr
	ld	sp, UREGS_X(2)(sp)
	sret

	/* trap_exit_work(current), with the status kept in user_regs meanwhile. */
direct_work:
	sd	a0, UREGS_X(10)(sp)
	mv	a0, t0
	call	trap_exit_work
	ld	a0, UREGS_X(10)(sp)
	j	direct_exit

	/*
	 * The way out of syscall_decode, and of the message calls' slow paths
	 * (ipc_fast.S).
	 */
.macro	syscall_return
	/* SIE clear, SPP user, SPIE set, FS the thread's own: see direct_exit. */
	ld	t0, UREGS_SEPC(sp)
	csrw	sepc, t0
	csrw	sscratch, sp
	ld	ra, UREGS_X(1)(sp)
	ld	tp, UREGS_X(4)(sp)
	.irp	n, CALL_CLOBBERED
	ld	x\n, UREGS_X(\n)(sp)
	.endr
	ld	sp, UREGS_X(2)(sp)
	sret
.endm

	/*
	 * The other calls save every register a C call may clobber, as they
	 * were, and load them all back on the way out: syscall_handler reads
	 * the arguments and the message calls the message registers from
	 * user_regs, and they write results and messages there.
	 */
syscall_decode:
	.irp	n, CALL_CLOBBERED
	sd	x\n, UREGS_X(\n)(sp)
	.endr
	mv	a0, sp
	jal	syscall_handler		/* also does the exit work (trap_exit_check) */
	.globl	syscall_exit
syscall_exit:
	syscall_return

syscall_other:
	ld	tp, UREGS_CPU(sp)
	bgez	a7, syscall_decode	/* past the table: syscall_handler says ENOSYS */

	/*
	 * A number with bit 63 set (libveridian's IPC stubs): the message
	 * calls' entry, ipc_fast.S.
	 */
	j	ipc_entry

	/* Any other trap: save everything. */
user_trap:
	.irp	n, CALL_CLOBBERED
	sd	x\n, UREGS_X(\n)(sp)
	.endr
	.irp	n, CALL_PRESERVED
	sd	x\n, UREGS_X(\n)(sp)
	.endr
	ld	tp, UREGS_CPU(sp)
	csrr	t0, sepc
	sd	t0, UREGS_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, UREGS_SSTATUS(sp)
	mv	a0, sp
	csrr	a1, scause
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
