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

#include <kernel/thread.h>
#include <kernel/wait.h>

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

/* Puts the blocked thread @t on @q, where only a wake-up or a kill ends its wait. */
void wq_park(struct wait_queue *q, struct thread *t);

/* Like wq_wait, but hands the CPU straight to @next (blocked, on no queue) when it sleeps. */
int64_t wq_wait_switch(struct wait_queue *q, unsigned long irq, uint64_t deadline_ns,
		       struct thread *next);

/* Takes the blocked @t off @q without waking it; caller holds q->lock. */
void wq_unpark(struct wait_queue *q, struct thread *t);

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
static inline bool sched_can_switch_to(struct cpu *c, struct thread *next)
{
	uint32_t levels = c->rq.bitmap;

	/* A thread bound elsewhere, or a higher-priority one waiting here, goes the long way. */
	return (next->affinity < 0 || (unsigned)next->affinity == c->id) &&
	       (!levels || 31 - (unsigned)__builtin_clz(levels) <= next->prio) &&
	       !__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE);
}

void sched_switch_direct(struct cpu *c, struct thread *next);

/* Sleeps for @ns nanoseconds (or until killed). */
int64_t sched_sleep(uint64_t ns);

/* Checks timed waits; called from the tick. */
void sched_timers(uint64_t now);

/* Round robin and timed waits; called by timer_tick() with interrupts masked. */
void sched_tick(void);

/* Ends @t's wait (if any) early with @status. */
void sched_interrupt_wait(struct thread *t, int64_t status);
