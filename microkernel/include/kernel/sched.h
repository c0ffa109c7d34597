/*
 * The scheduler: per-CPU run queues, fixed priorities with round robin among
 * equals, preemption on the tick and on wake-ups of higher priority, and
 * wait queues for everything that blocks.
 *
 * The kernel is not preemptible: a thread gives up its CPU only by calling
 * schedule() (directly, or through a wait) with interrupts masked, and a
 * thread returning to user mode calls sched_exit_to_user() to honour a
 * pending reschedule.
 */
#pragma once

#include <kernel/process.h>
#include <kernel/thread.h>
#include <kernel/wait.h>
/* An architecture may switch inline in the IPC paths (<arch/switch.h>: arch_switch_inline). */
#if __has_include(<arch/switch.h>)
#include <arch/switch.h>
#else
#define arch_switch_inline arch_switch
#endif

void sched_init(void);			/* on the boot CPU, after cpu_init() */
void sched_init_secondary(void);	/* on each secondary CPU */

/* Picks the next thread to run here and switches to it. Interrupts masked. */
void schedule(void);

/* Lets equal-priority threads run. */
void sched_yield(void);

/* Puts a runnable (new or woken) thread on a run queue, preempting where it should run. */
void sched_enqueue(struct thread *t);

/* The idle loop of every CPU; never returns. */
noreturn void sched_idle_loop(void);

/* Called by generic trap code before any return to user mode. */
void sched_exit_to_user(void);

/* Called after every switch by the thread that now runs. */
void sched_finish_switch(void);

/* sched_finish_switch() for the switch paths, on this CPU @c. */
static inline void sched_finish_switch_inline(struct cpu *c)
{
	struct thread *prev = c->switched_from;

	c->switched_from = NULL;
	if (!prev)
		return;
	__atomic_store_n(&prev->on_cpu, false, __ATOMIC_RELEASE);
	if (prev->state == THREAD_DEAD)
		thread_reap(prev);
}

/* Threads runnable on all CPUs (not counting idle). */
unsigned sched_runnable(void);

void wq_init(struct wait_queue *q);

/*
 * Sleeps on @q until woken or until @deadline_ns (0: none). The caller holds
 * q->lock taken with spin_lock_irqsave (state @irq); it is released while
 * asleep and not re-taken. Returns the status the waker gave, or -ETIMEDOUT,
 * or -EINTR when the thread is being killed.
 */
int64_t wq_wait(struct wait_queue *q, unsigned long irq, uint64_t deadline_ns);

/* Wakes the first waiter with @status/@value; caller holds q->lock. Returns it or NULL. */
struct thread *wq_wake_one(struct wait_queue *q, int64_t status, uint64_t value);

/* Wakes every waiter; caller holds q->lock. */
unsigned wq_wake_all(struct wait_queue *q, int64_t status, uint64_t value);

/* Removes the first waiter of @q without waking it (it stays blocked); caller holds q->lock. */
struct thread *wq_take(struct wait_queue *q);

/* Like wq_wait, but hands the CPU straight to @next (blocked, on no queue) when it sleeps. */
int64_t wq_wait_switch(struct wait_queue *q, unsigned long irq, uint64_t deadline_ns,
		       struct thread *next);

/* Takes a timed-out wait's thread off the timer list (the slow part of wq_unpark). */
void wq_timer_remove(struct thread *t);

/* Puts the blocked thread @t on @q, where only a wake-up or a kill ends its wait. */
static inline __attribute__((always_inline)) void wq_park(struct wait_queue *q, struct thread *t)
{
	t->wq_next = NULL;
	t->wq_prev = q->tail;
	if (q->tail)
		q->tail->wq_next = t;
	else
		q->head = t;
	q->tail = t;
	__atomic_store_n(&t->waiting_on, q, __ATOMIC_RELEASE);
}

/* Takes the blocked @t off @q without waking it; caller holds q->lock. */
static inline __attribute__((always_inline)) void wq_unpark(struct wait_queue *q, struct thread *t)
{
	if (t->wq_prev)
		t->wq_prev->wq_next = t->wq_next;
	else
		q->head = t->wq_next;
	if (t->wq_next)
		t->wq_next->wq_prev = t->wq_prev;
	else
		q->tail = t->wq_prev;
	t->wq_next = t->wq_prev = NULL;
	t->waiting_on = NULL;
	/* Whoever takes @t off @q holds q->lock, under which @t set sleep_until. */
	if (__atomic_load_n(&t->sleep_until, __ATOMIC_RELAXED))
		wq_timer_remove(t);
}

/* Wakes @t, which waits on @q (caller holds q->lock). */
void wq_wake_thread(struct wait_queue *q, struct thread *t, int64_t status, uint64_t value);

/*
 * Runs @next (blocked, on no queue) right now on this CPU in place of the
 * current thread, which must already be blocked or parked: the IPC fast path.
 */
void sched_switch_to(struct thread *next);

/*
 * The IPC fast path's pieces of sched_switch_to, with interrupts masked on
 * CPU @c: whether @next may take the CPU right now (its affinity allows it,
 * nothing of higher priority waits here, its context is saved), and the
 * switch itself, which returns when the current thread runs again.
 */
static inline __attribute__((always_inline)) bool sched_can_switch_to(struct cpu *c,
								      struct thread *next)
{
	uint64_t levels = c->rq.bitmap;

	/*
	 * A thread bound elsewhere, or a higher-priority one waiting here (a
	 * level bit above next's), goes the long way. A shift, not the
	 * highest bit's index: riscv64 without Zbb counts leading zeros in
	 * some 30 instructions.
	 */
	return (next->affinity < 0 || (unsigned)next->affinity == c->id) &&
	       (!levels || !(levels >> next->prio >> 1)) &&
	       !__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE);
}

/*
 * Switches CPU @c from its current thread to @next, whose context is saved
 * (on_cpu false, as sched_can_switch_to checks); returns when the current
 * thread runs again. Inline, because every IPC round trip does it twice.
 */
static inline __attribute__((always_inline)) void sched_switch_direct(struct cpu *c,
								      struct thread *next)
{
	struct thread *prev = c->current;

	next->state = THREAD_RUNNING;
	next->cpu = c;
	next->slice = TIMESLICE_TICKS;
	next->on_cpu = true;
	c->current = next;
	c->switched_from = prev;
	/* Each process has page tables of its own (a kernel thread uses the kernel's). */
	if (next->proc != prev->proc) {
		arch_aspace_switch(next->proc ? next->proc->aspace
					      : arch_aspace_token(arch_kernel_root()));
		/* I/O ports go with the address space (a kernel thread uses none). */
		if (next->proc)
			arch_io_switch(&next->proc->io);
	}
	arch_switch_inline(prev, next);
	sched_finish_switch_inline(arch_this_cpu());
}

/* Sleeps for @ns nanoseconds (or until killed). */
int64_t sched_sleep(uint64_t ns);

/* Checks timed waits; called from the tick. */
void sched_timers(uint64_t now);

/* Round robin and timed waits; called by timer_tick() with interrupts masked. */
void sched_tick(void);

/* Threads running (not idle) or runnable now, on every CPU. */
unsigned sched_active(void);
/* Load average @which (0: 1 minute, 1: 5, 2: 15), fixed point with 11 fraction bits. */
uint64_t sched_load(unsigned which);

/* Ends @t's wait (if any) early with @status. */
void sched_interrupt_wait(struct thread *t, int64_t status);
