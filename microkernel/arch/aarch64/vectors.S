/*
 * The exception vector table: save the interrupted registers, let
 * exception.c decide, resume. Traps from EL1 save a trap frame on the
 * current stack; traps from EL0 save the thread's struct user_regs, which
 * SP_EL1 points at while user mode runs (the returns to EL0 leave it so).
 * System calls take a shorter path that saves only what C may clobber.
 */
#include <arch/offsets.h>
#include <arch/regs.h>
#include "syscall_defs.h"

/*
 * The trap frame (struct trap_frame in exception.c): x0..x30 at 8 * n, then
 * ELR_EL1 at 248 and SPSR_EL1 at 256; 272 bytes keep the stack 16-byte
 * aligned. struct user_regs begins the same way.
 */
#define TF_SIZE 272
#define EC_SVC64 0x15
#define ESR_SVC0 (EC_SVC64 << 26 | 1 << 25)	/* svc #0: EC, IL (32-bit instruction), imm16 0 */

/* Each of the 16 entries has 128 bytes: save two registers, note which entry it was, go on. */
.macro	vector kind
	.balign	128
	.if	\kind == 8		/* synchronous from EL0 in AArch64: mostly svc */
	stp	x0, x1, [sp]
	mrs	x0, esr_el1
	mov	x1, #ESR_SVC0
	subs	x1, x0, x1
	b.eq	svc_entry		/* svc #0 */
	cmp	x1, #1
	b.eq	svc_msg_entry		/* svc #1: a message call */
	lsr	x0, x0, #26
	cmp	x0, #EC_SVC64
	b.eq	svc_entry		/* any other svc */
	mov	x1, #\kind
	b	user_entry
	.elseif	\kind >= 9 && \kind <= 11	/* the rest from EL0 in AArch64 */
	stp	x0, x1, [sp]
	mov	x1, #\kind
	b	user_entry
	.else
	sub	sp, sp, #TF_SIZE
	stp	x0, x1, [sp]
	mov	x1, #\kind
	b	trap_entry
	.endif
.endm

/* Saves x2..x30, ELR_EL1 and SPSR_EL1 at sp; the vector saved x0 and x1. */
.macro	save_regs
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x30, x2, [sp, #240]
	str	x3, [sp, #256]
.endm

/* The inverse: x0..x30, ELR_EL1 and SPSR_EL1 from sp. */
.macro	restore_regs
	ldp	x30, x2, [sp, #240]
	ldr	x3, [sp, #256]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldp	x0, x1, [sp]
.endm

	.text
	.balign	2048
	.globl	vectors
vectors:
	.irp	kind, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vector	\kind
	.endr

trap_entry:
	save_regs
	mov	x0, sp
	bl	trap_dispatch
	restore_regs
	add	sp, sp, #TF_SIZE
	eret

/*
 * svc from EL0: sp is the thread's struct user_regs. Only what the C code may
 * clobber is saved: x0-x18 (arguments, message registers, temporaries), x30,
 * ELR and SPSR. x19-x29 stay in the CPU: every C function keeps them and
 * arch_switch saves them with the kernel context; the user's x29 also ends
 * kernel backtraces, which follow only frame records on the kernel stack or
 * in the image. SP_EL0, TPIDR_EL0 and the FP/SIMD registers, which the kernel
 * never touches, are moved only by arch_switch. So during a system call the
 * user_regs slots of x19-x29, sp and tpidr are stale; nothing reads them then
 * (<arch/regs.h>). x2-x7 keep the user's values (x9 and x10 carry ELR and
 * SPSR), so the direct path below can pass them on as they are.
 */
.macro	save_call_clobbered
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	mrs	x9, elr_el1
	mrs	x10, spsr_el1
	str	x18, [sp, #144]
	str	x30, [sp, #240]
	stp	x9, x10, [sp, #248]
.endm

/*
 * svc #0. A call that syscall_direct lists (no result value, 64-bit
 * arguments) is called straight from the user's x0-x5, its status stored as
 * syscall_handler would store it, and trap_exit_check() done here; any
 * other number goes to syscall_handler.
 */
svc_entry:
	save_call_clobbered
	cmp	x8, #SYSCALL_COUNT
	b.hs	svc_decode
	ldr	x9, direct_table
	ldr	x9, [x9, x8, lsl #3]
	cbz	x9, svc_decode
	ldp	x0, x1, [sp]		/* the vector used them */
	blr	x9
	stp	x0, xzr, [sp]		/* status, and value 0 */
	mrs	x9, tpidr_el1		/* this CPU now: the call may have moved the thread */
	ldr	x0, [x9, #CPU_CURRENT]
	ldrb	w10, [x0, #THREAD_PENDING]
	ldrb	w11, [x9, #CPU_NEED_RESCHED]
	orr	w10, w10, w11
	cbz	w10, svc_exit
	bl	trap_exit_work		/* trap_exit_work(current) */
	b	svc_exit
svc_decode:
	mov	x0, sp
	bl	syscall_handler		/* also does the exit work (trap_exit_check) */
	b	svc_exit

/*
 * svc #1 (libveridian's IPC stubs): into syscall_ipc, which runs the
 * message calls' fast paths without syscall_handler's dispatch and hands
 * any other number to syscall_handler. A message call may clobber x11-x18
 * (ipc_arch.h), so they are not saved: svc_exit loads them from user_regs,
 * where they are this thread's own values from an earlier entry (nothing
 * else writes those slots), never the kernel's. It falls through to the exit.
 */
svc_msg_entry:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	mrs	x9, elr_el1
	mrs	x11, spsr_el1
	str	x10, [sp, #80]
	str	x30, [sp, #240]
	stp	x9, x11, [sp, #248]
	mov	x0, sp
	bl	syscall_ipc
svc_exit:
	ldp	x2, x3, [sp, #248]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x0, x1, [sp]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldr	x18, [sp, #144]
	ldr	x30, [sp, #240]
	eret

	.balign	8
direct_table:
	.quad	syscall_direct

/* Every other trap from EL0 saves the whole file; user_trap(r, kind) ends in trap_exit_to_user. */
user_entry:
	save_regs
	mrs	x2, sp_el0
	mrs	x3, tpidr_el0
	stp	x2, x3, [sp, #UREGS_SP]
	mov	x29, xzr		/* kernel backtraces end here */
	mov	x0, sp
	bl	user_trap
ret_to_user:
	ldp	x2, x3, [sp, #UREGS_SP]
	msr	sp_el0, x2
	msr	tpidr_el0, x3
	restore_regs
	eret

/* arch_return_to_user(r): r is the current thread's user_regs, at the top of its kernel stack. */
	.globl	arch_return_to_user
arch_return_to_user:
	mov	sp, x0
	b	ret_to_user
