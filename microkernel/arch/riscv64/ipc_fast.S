/*
 * The IPC round trip's common case in assembly: a call to a receiver that
 * waits, and a reply-and-wait to a caller that waits, each handing the CPU
 * straight to the partner with the message words kept in the registers they
 * came in (a2-a6, t0-t2) from the sender's ecall to the receiver's sret. It
 * does what kern/ipc.c's fast_call and fast_reply_recv do, in the same order
 * and under the same locks (the comments there say why each step is safe).
 * A partner parked by this file too has all its user registers in its
 * user_regs and resumes by a plain return to user mode; one parked in C
 * resumes there (the message goes to its user_regs). Anything else - a
 * condition that does not hold, a kill or interruption seen after parking -
 * goes to C: ipc_slow before anything changed, the ipc_fast_*() helpers of
 * kern/ipc.c after.
 *
 * A thread this file parks has its s0-s11 and gp in user_regs too, and
 * resumes at ipc_fast_resume, which a switch in C reaches as any saved
 * context's pc: it finishes the switch, takes the status from wake_status
 * and leaves from user_regs, where C delivered the message.
 *
 * On entry (trap_entry.S): sp = this thread's user_regs, tp = this CPU,
 * a7 = the number without its flag, a0 = the handle; ra, tp, sp and sepc
 * are saved. The message calls may clobber a1 and t3-t6 (libveridian's
 * ipc_arch.h), so those and ra are the scratch registers until the commit;
 * t3 = this thread, t4 = the endpoint, t5 = the partner throughout.
 */
#include <arch/offsets.h>
#include <arch/regs.h>
#include "syscall_defs.h"

#define ARCH(off) (THREAD_ARCH + (off))
#define SSTATUS_FS 0x6000
#define SSTATUS_FS_INITIAL 0x2000	/* Dirty & ~Clean: what clearing turns Dirty into Clean */
/* The user registers a system call leaves live in the CPU: s0-s11 and gp. */
#define USER_PRESERVED 3, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27
/* The message words but the tag. */
#define MSG_WORDS 13, 14, 15, 16, 5, 6, 7

/*
 * The message calls may clobber a1 and t3-t6 (libveridian's ipc_arch.h);
 * every way out of them gives those back unchanged or zero, never a value of
 * the kernel's or of another thread. The entry in C saves every register a
 * C call may change: the message and the handle (MSG_IN), and those
 * (SCRATCH), which the fast path's way there saves as zeros instead, their
 * own values gone.
 */
#define MSG_IN 5, 6, 7, 10, 12, 13, 14, 15, 16, 17
#define SCRATCH 11, 28, 29, 30, 31

	.text
	/*
	 * The message calls (trap_entry.S: a7 with bit 63 set). Call and
	 * reply-and-wait try the fast path below, which comes back to ipc_slow
	 * when it cannot go on, having changed nothing but its scratch
	 * registers (saved as zeros: ipc_fast_fallback). ipc_slow is the entry
	 * in C, syscall_ipc, which runs the fast paths in C and hands any other
	 * number to syscall_handler. The number without the flag is what the
	 * user gets back in a7.
	 */
	.globl	ipc_entry
ipc_entry:
	slli	a7, a7, 1
	srli	a7, a7, 1
	li	ra, SYS_IPC_CALL
	beq	a7, ra, ipc_fast_call
	li	ra, SYS_IPC_REPLY_RECV
	beq	a7, ra, ipc_fast_reply_recv
ipc_slow:
	.irp	n, SCRATCH
	sd	x\n, UREGS_X(\n)(sp)
	.endr
ipc_slow_msg:
	.irp	n, MSG_IN
	sd	x\n, UREGS_X(\n)(sp)
	.endr
	mv	a0, sp
	call	syscall_ipc
	j	syscall_exit

	/* The way out of the rare paths: a0 = the status, the rest in user_regs. */
ipc_status_exit:
	sd	a0, UREGS_X(10)(sp)
	.irp	n, SCRATCH
	sd	zero, UREGS_X(\n)(sp)
	.endr
	j	syscall_exit

	/*
	 * lock_ep_fast's hit: the thread's cached endpoint for handle a0, if
	 * the table has lost no capability since and the rights include
	 * \right; then its lock, tried only, and not dead. t4 = the endpoint.
	 */
.macro	lock_ep right
	ld	t4, THREAD_EP(t3)
	ld	ra, THREAD_EP_HANDLE(t3)
	ld	t6, THREAD_PROC(t3)
	bne	ra, a0, ipc_fast_fallback
	beqz	t4, ipc_fast_fallback
	ld	ra, THREAD_EP_REMOVALS(t3)
	ld	t6, PROCESS_CAPS_REMOVALS(t6)
	bne	ra, t6, ipc_fast_fallback
	lwu	ra, THREAD_EP_RIGHTS(t3)
	andi	ra, ra, \right
	beqz	ra, ipc_fast_fallback
	addi	t6, t4, EP_Q
	lw	ra, LOCK_OWNER(t6)
	addiw	a1, ra, 1
.Ltry\@:
	lr.w.aq	t5, (t6)
	bne	t5, ra, ipc_fast_fallback
	sc.w	t5, a1, (t6)
	bnez	t5, .Ltry\@
	lbu	ra, EP_DEAD(t4)
	bnez	ra, ipc_fast_unlock_fallback
.endm

	/*
	 * sched_can_switch_to(this CPU, t5): among others, its context is
	 * saved (on_cpu clear, read with acquire before its pc is).
	 */
.macro	can_switch_to
	lw	ra, THREAD_AFFINITY(t5)
	bltz	ra, .Lany\@
	lw	a1, CPU_ID(tp)
	bne	ra, a1, ipc_fast_unlock_fallback
.Lany\@:
	lwu	ra, CPU_RQ_BITMAP(tp)
	beqz	ra, .Lnone\@
	lwu	a1, THREAD_PRIO(t5)
	srl	ra, ra, a1
	srli	ra, ra, 1
	bnez	ra, ipc_fast_unlock_fallback
.Lnone\@:
	lbu	ra, THREAD_ON_CPU(t5)
	fence	r, rw
	bnez	ra, ipc_fast_unlock_fallback
.endm

	/*
	 * deliver_words: the words the tag (a2) does not use become zeros, so
	 * nothing else of the sender's reaches the receiver. A jump into a
	 * row of two-byte zeroings, past the first TAG_WORDS of them.
	 */
.macro	zero_unused_words
	andi	ra, a2, 7
	slli	ra, ra, 1
	lla	a1, .Lrow\@
	add	ra, ra, a1
	jr	ra
.Lrow\@:
	.irp	n, MSG_WORDS
	c.li	x\n, 0
	.endr
.endm

.macro	unlock_ep
	addi	ra, t4, EP_Q + LOCK_OWNER
	li	a1, 1
	amoadd.w.rl zero, a1, (ra)
.endm

	/*
	 * This thread parks here: what it keeps in the CPU goes to user_regs
	 * (a7 too, for ipc_fast_resume), and it resumes at ipc_fast_resume on
	 * this kernel stack, which holds nothing else.
	 */
.macro	save_self
	sd	a7, UREGS_X(17)(sp)
	.irp	n, USER_PRESERVED
	sd	x\n, UREGS_X(\n)(sp)
	.endr
	lla	a1, ipc_fast_resume
	sd	a1, ARCH(ARCH_THREAD_PC)(t3)
	sd	sp, ARCH(ARCH_THREAD_SP)(t3)
.endm

	/*
	 * t4 = 0 when the partner t5 was parked here too (a1 holds
	 * ipc_fast_resume, from save_self); else it resumes in C, which reads
	 * the message from its user_regs: it goes there.
	 */
.macro	partner_kind
	ld	t4, ARCH(ARCH_THREAD_PC)(t5)
	sub	t4, t4, a1
	beqz	t4, .Lasm\@
	ld	ra, THREAD_UREGS(t5)
	store_msg
.Lasm\@:
.endm

	/* The message, as in the registers, into the user_regs at ra. */
.macro	store_msg
	sd	a2, UREGS_X(12)(ra)
	.irp	n, MSG_WORDS
	sd	x\n, UREGS_X(\n)(ra)
	.endr
.endm

/* fast_call: a0 = the endpoint handle, a2 = the tag. */
	.globl	ipc_fast_call
ipc_fast_call:
	andi	ra, a2, TAG_FAST
	ld	t3, CPU_CURRENT(tp)
	bnez	ra, ipc_fast_fallback
	lock_ep	RIGHT_SEND_BIT
	lbu	ra, EP_RECV_WAITING(t4)
	ld	t5, EP_Q + WQ_HEAD(t4)
	beqz	ra, ipc_fast_unlock_fallback
	beqz	t5, ipc_fast_unlock_fallback
	ld	ra, THREAD_REPLY_WAIT + WQ_HEAD(t5)
	bnez	ra, ipc_fast_unlock_fallback
	ld	ra, THREAD_SLEEP_UNTIL(t5)	/* a timed receive: C removes the timer */
	bnez	ra, ipc_fast_unlock_fallback
	can_switch_to
	/* Committed. The receiver off the queue's head (no previous neighbour). */
	ld	ra, THREAD_WQ_NEXT(t5)
	sd	ra, EP_Q + WQ_HEAD(t4)
	snez	a1, ra
	sb	a1, EP_RECV_WAITING(t4)
	bnez	ra, 1f
	sd	zero, EP_Q + WQ_TAIL(t4)
	j	2f
1:	sd	zero, THREAD_WQ_PREV(ra)
2:	sd	zero, THREAD_WQ_NEXT(t5)
	sd	zero, THREAD_WAITING_ON(t5)
	zero_unused_words
	/* await_reply_fast: into the receiver's empty reply slot, then look for a kill. */
	sd	zero, THREAD_WAKE_STATUS(t3)
	li	ra, STATE_BLOCKED
	sw	ra, THREAD_STATE(t3)
	sd	t3, THREAD_REPLY_WAIT + WQ_HEAD(t5)
	sd	t3, THREAD_REPLY_WAIT + WQ_TAIL(t5)
	addi	ra, t5, THREAD_REPLY_WAIT
	fence	rw, w
	sd	ra, THREAD_WAITING_ON(t3)
	fence	rw, rw
	lbu	ra, THREAD_PENDING(t3)
	ld	a0, THREAD_EP_BADGE(t3)		/* the receiver's status */
	andi	ra, ra, PENDING_KILL_BIT
	bnez	ra, call_killed
	unlock_ep
	save_self
	partner_kind
	beqz	t4, 5f
	sd	a0, THREAD_WAKE_STATUS(t5)
5:	li	a7, SYS_IPC_REPLY_RECV		/* the receiver waits in reply_recv */
	j	switch_to_partner

	/*
	 * A kill came as this thread parked: the receiver gets the message in
	 * its user_regs and its status, and C goes on (ipc_fast_call_killed).
	 */
call_killed:
	ld	ra, THREAD_UREGS(t5)
	store_msg
	sd	a0, THREAD_WAKE_STATUS(t5)
	sd	a7, UREGS_X(17)(sp)
	mv	a0, t3
	mv	a1, t5
	mv	a2, t4
	call	ipc_fast_call_killed
	j	ipc_status_exit

/* fast_reply_recv: a0 = the endpoint handle to receive on, a2 = the answer's tag. */
	.globl	ipc_fast_reply_recv
ipc_fast_reply_recv:
	andi	ra, a2, TAG_FAST
	ld	t3, CPU_CURRENT(tp)
	bnez	ra, ipc_fast_fallback
	lbu	ra, THREAD_PENDING(t3)
	bnez	ra, ipc_fast_fallback
	lock_ep	RIGHT_RECV_BIT
	lbu	ra, EP_RECV_WAITING(t4)
	bnez	ra, 1f
	ld	ra, EP_Q + WQ_HEAD(t4)		/* senders queued */
	bnez	ra, ipc_fast_unlock_fallback
1:	ld	t5, THREAD_REPLY_WAIT + WQ_HEAD(t3)
	beqz	t5, ipc_fast_unlock_fallback
	lbu	ra, THREAD_EXCEPTION_CALL(t5)
	bnez	ra, ipc_fast_unlock_fallback
	can_switch_to
	/* The slot's caller claimed as a kill would: its waiting_on from the slot to NULL. */
	addi	a1, t3, THREAD_REPLY_WAIT
	addi	t6, t5, THREAD_WAITING_ON
2:	lr.d.aq	ra, (t6)
	bne	ra, a1, ipc_fast_unlock_fallback
	sc.d	ra, zero, (t6)
	bnez	ra, 2b
	/* Committed. */
	sd	zero, THREAD_REPLY_WAIT + WQ_HEAD(t3)
	sd	zero, THREAD_REPLY_WAIT + WQ_TAIL(t3)
	zero_unused_words
	li	ra, STATE_BLOCKED
	sw	ra, THREAD_STATE(t3)
	/* wq_park(&ep->q, this thread), a queue of receivers now. */
	ld	ra, EP_Q + WQ_TAIL(t4)
	sd	zero, THREAD_WQ_NEXT(t3)
	sd	ra, THREAD_WQ_PREV(t3)
	sd	t3, EP_Q + WQ_TAIL(t4)
	beqz	ra, 3f
	sd	t3, THREAD_WQ_NEXT(ra)
	j	4f
3:	sd	t3, EP_Q + WQ_HEAD(t4)
4:	addi	ra, t4, EP_Q
	fence	rw, w
	sd	ra, THREAD_WAITING_ON(t3)
	li	ra, 1
	sb	ra, EP_RECV_WAITING(t4)
	/* The same check as await_reply's: a kill or interruption since the first. */
	fence	rw, rw
	lbu	ra, THREAD_PENDING(t3)
	andi	ra, ra, PENDING_WAKE_BITS
	bnez	ra, recv_intr
	unlock_ep
	save_self
	partner_kind				/* (its wake_status is 0 since it parked) */
	li	a0, 0				/* the caller's status */
	li	a7, SYS_IPC_CALL
	j	switch_to_partner

	/* Interrupted as it parked: the caller gets the answer from user_regs (ipc_fast_recv_intr). */
recv_intr:
	ld	ra, THREAD_UREGS(t5)
	store_msg
	sd	a7, UREGS_X(17)(sp)
	mv	a0, t3
	mv	a1, t5
	mv	a2, t4
	call	ipc_fast_recv_intr
	j	ipc_status_exit

ipc_fast_unlock_fallback:
	unlock_ep
ipc_fast_fallback:
	.irp	n, SCRATCH
	sd	zero, UREGS_X(\n)(sp)
	.endr
	j	ipc_slow_msg

	/*
	 * sched_switch_direct from t3 (parked, its registers saved) to t5 -
	 * a user thread, as only system calls park threads on endpoints and in
	 * reply slots - which leaves to user mode with a0 = its status, a7 =
	 * its number and the message in a2-a6, t0-t2, or (t4 not 0) resumes in
	 * C. The F/D registers as arch_switch does them; t3's on_cpu is
	 * cleared off its stack, the last thing done with it (by the C side's
	 * sched_finish_switch when it resumes in C). s1 and the other s
	 * registers are free: the user's are saved.
	 */
switch_to_partner:
	li	ra, STATE_RUNNING
	sw	ra, THREAD_STATE(t5)
	sd	tp, THREAD_CPU(t5)
	li	ra, SLICE_TICKS
	sw	ra, THREAD_SLICE(t5)
	li	ra, 1
	sb	ra, THREAD_ON_CPU(t5)
	sd	t5, CPU_CURRENT(tp)
	ld	ra, THREAD_PROC(t3)
	ld	a1, THREAD_PROC(t5)
	beq	ra, a1, 1f
	ld	a1, PROCESS_ASPACE(a1)
	csrw	satp, a1
	sfence.vma
1:	csrr	ra, sstatus
	sltz	a1, ra
	sb	a1, ARCH(ARCH_THREAD_FP_EAGER)(t3)
	bltz	ra, fp_save
fp_saved:
	ld	t6, THREAD_UREGS(t5)
	sd	tp, UREGS_CPU(t6)
	lbu	ra, ARCH(ARCH_THREAD_FP_EAGER)(t5)
	bnez	ra, fp_load
	li	ra, SSTATUS_FS			/* Off: the first F/D instruction traps */
	csrc	sstatus, ra
fp_loaded:
	bnez	t4, resume_in_c
	mv	sp, t6
	fence	rw, w
	sb	zero, THREAD_ON_CPU(t3)
	lbu	ra, THREAD_PENDING(t5)
	lbu	a1, CPU_NEED_RESCHED(tp)
	or	ra, ra, a1
	bnez	ra, partner_work
	.irp	n, USER_PRESERVED
	ld	x\n, UREGS_X(\n)(sp)
	.endr
	/* SIE clear, SPP user, SPIE set: see trap_entry.S's direct_exit. */
	ld	ra, UREGS_SEPC(sp)
	csrw	sepc, ra
	csrw	sscratch, sp
	ld	ra, UREGS_X(1)(sp)
	ld	tp, UREGS_X(4)(sp)
	li	t3, 0				/* (a1 and t4 are 0 here already) */
	li	t5, 0
	li	t6, 0
	ld	sp, UREGS_X(2)(sp)
	sret

	/* fpu_save and fpu_load change only a0, t0 and ra. */
fp_save:
	mv	t6, t0
	mv	a1, a0
	ld	a0, THREAD_UREGS(t3)
	call	fpu_save
	mv	a0, a1
	mv	t0, t6
	j	fp_saved
fp_load:
	li	ra, SSTATUS_FS			/* Dirty first: with FS Off, fld traps */
	csrs	sstatus, ra
	mv	s1, t0
	mv	a1, a0
	mv	a0, t6
	call	fpu_load
	mv	a0, a1
	mv	t0, s1
	li	ra, SSTATUS_FS_INITIAL		/* then Dirty -> Clean */
	csrc	sstatus, ra
	j	fp_loaded

	/* A partner parked in C resumes there (arch_switch_inline's jump), which finishes the switch. */
resume_in_c:
	sd	t3, CPU_SWITCHED_FROM(tp)
	ld	ra, ARCH(ARCH_THREAD_PC)(t5)
	addi	a0, t5, THREAD_ARCH
	jr	ra

	/* The partner has work to do on its way out (trap_exit_work): all in user_regs first. */
partner_work:
	sd	a0, UREGS_X(10)(sp)
	sd	a7, UREGS_X(17)(sp)
	mv	ra, sp
	store_msg
	mv	a0, t5
	li	s0, 0				/* the first frame record */
	call	trap_exit_work
	j	resume_exit

	/*
	 * Where a thread parked here resumes after a switch in C (arch_switch,
	 * arch_switch_inline: a0 = its struct arch_thread): C delivered the
	 * message to its user_regs and set wake_status.
	 */
	.globl	ipc_fast_resume
ipc_fast_resume:
	ld	sp, ARCH_THREAD_SP(a0)
	li	s0, 0
	call	sched_finish_switch
	ld	a0, CPU_CURRENT(tp)
	ld	t0, THREAD_WAKE_STATUS(a0)
	sd	t0, UREGS_X(10)(sp)
	lbu	t0, THREAD_PENDING(a0)
	lbu	t1, CPU_NEED_RESCHED(tp)
	or	t0, t0, t1
	beqz	t0, resume_exit
	call	trap_exit_work
resume_exit:
	.irp	n, USER_PRESERVED
	ld	x\n, UREGS_X(\n)(sp)
	.endr
	ld	t0, UREGS_SEPC(sp)
	csrw	sepc, t0
	csrw	sscratch, sp
	ld	ra, UREGS_X(1)(sp)
	ld	tp, UREGS_X(4)(sp)
	.irp	n, 5, 6, 7, 10, 12, 13, 14, 15, 16, 17
	ld	x\n, UREGS_X(\n)(sp)
	.endr
	.irp	n, SCRATCH
	li	x\n, 0
	.endr
	ld	sp, UREGS_X(2)(sp)
	sret
