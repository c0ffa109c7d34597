/*
 * Redirection, the kernel's half of asynchronous signals: thread_redirect
 * sends a thread to a user entry point with its registers saved on its own
 * stack; thread_sigreturn loads such a frame back.
 *
 * The frame can only be taken where every user register is in the thread's
 * user_regs: at a return to user mode after an interrupt or exception (the
 * system-call paths save only what C clobbers). So a thread running user
 * code is redirected at the next tick or at the IPI that thread_redirect
 * sends, and one returning from a system call at the IPI it sends its own
 * CPU (trap_exit_work); a thread in an interruptible wait is woken with
 * -EINTR instead and not redirected, since the system call's result
 * already tells it.
 */
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/ipc.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/trap.h>
#include <arch/uframe.h>

void thread_redirect(struct thread *t, vaddr_t entry, bool onstack)
{
	__atomic_store_n(&t->redirect_onstack, onstack, __ATOMIC_RELAXED);
	/* The same order as thread_kill's: set, then look for the wait (wq_wait_switch). */
	__atomic_store_n(&t->redirect_entry, entry, __ATOMIC_RELAXED);
	__atomic_fetch_or(&t->pending, PENDING_INTR, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	struct wait_queue *q = __atomic_load_n(&t->waiting_on, __ATOMIC_ACQUIRE);
	if (q && !q->no_intr) {
		unsigned long s = spin_lock_irqsave(&q->lock);
		if (t->waiting_on == q) {
			thread_intr_taken(t);
			wq_wake_thread(q, t, -EINTR, 0);
		}
		spin_unlock_irqrestore(&q->lock, s);
	}
	struct cpu *c = t->cpu;
	if (c && t->state == THREAD_RUNNING && c != this_cpu())
		arch_send_ipi(c);
}

void redirect_exit(struct thread *t, struct user_regs *r)
{
	vaddr_t entry = __atomic_exchange_n(&t->redirect_entry, 0, __ATOMIC_RELAXED);
	struct arch_uframe f;

	if (!entry)
		return;
	__atomic_fetch_and(&t->pending, (uint8_t)~PENDING_INTR, __ATOMIC_RELAXED);
	arch_uframe_save(r, &f);
	vaddr_t sp = arch_uregs_sp(r), top = sp - ARCH_RED_ZONE;
	/* The signal stack, unless the thread runs on it already (a handler there). */
	if (__atomic_load_n(&t->redirect_onstack, __ATOMIC_RELAXED) && t->sigstack_size &&
	    (sp <= t->sigstack_base || sp > t->sigstack_base + t->sigstack_size))
		top = t->sigstack_base + t->sigstack_size;
	vaddr_t at = ALIGN_DOWN(top - sizeof(f), 16);
	int err = at < top ? user_copy(t->proc, at, &f, sizeof(f), true) : -EFAULT;
	if (!err) {
		arch_uregs_redirect(r, entry, at);
		return;
	}
	/* A stack that cannot take the frame is the thread's fault, as a write there would be. */
	if (exception_raise(r, EXC_KIND_FAULT, at, PROT_WRITE)) {
		__atomic_store_n(&t->redirect_entry, entry, __ATOMIC_RELAXED);	/* fixed: again */
		return;
	}
	kprintf("process %lu thread %lu: no room for a redirection frame at %#lx (sp %#lx); killed\n",
		t->proc->id, t->id, at, sp);
	process_kill(t->proc, err == -ENOMEM ? -ENOMEM : -EFAULT);
}

#define SIGRETURN_INTR 1
#define SIGRETURN_DROP 2

int64_t sys_thread_sigstack(vaddr_t base, uint64_t size)
{
	struct thread *t = thread_current();

	if (size && (size < sizeof(struct arch_uframe) || !user_range_ok(base, size)))
		return -EINVAL;
	t->sigstack_base = size ? base : 0;
	t->sigstack_size = size;
	return 0;
}

int64_t sys_thread_sigreturn(vaddr_t frame, uint64_t flags)
{
	struct thread *t = thread_current();
	struct arch_uframe f;

	if (flags == SIGRETURN_DROP) {
		/* The call that put a signal off ended before any wait took the interruption. */
		if (frame)
			return -EINVAL;
		__atomic_fetch_and(&t->pending, (uint8_t)~PENDING_INTR_NEXT, __ATOMIC_RELAXED);
		return 0;
	}
	if (flags & ~(uint64_t)SIGRETURN_INTR)
		return -EINVAL;
	if (user_copy(t->proc, frame, &f, sizeof(f), false))
		return -EFAULT;
	arch_uframe_load(t->uregs, &f);
	if (flags & SIGRETURN_INTR)
		__atomic_fetch_or(&t->pending, PENDING_INTR_NEXT, __ATOMIC_RELAXED);
	/* Not the system-call exit: it would load only part of the registers. */
	trap_exit_to_user(t->uregs);
	arch_return_to_user(t->uregs);
}
