/* Threads: the unit the scheduler runs. Each has a kernel stack; user threads belong to a process. */
#pragma once

#include <kernel/cpu.h>
#include <kernel/kobject.h>
#include <kernel/spinlock.h>
#include <kernel/wait.h>
#include <arch/thread.h>

#define KSTACK_ORDER 2		/* 16 KiB kernel stacks */
/* The lowest word of every kernel stack: a stack that grew past its end has overwritten it. */
#define KSTACK_CANARY 0x6b737461636b2121ull
#define PRIO_LEVELS 32		/* 0 lowest .. 31 highest */
#define PRIO_DEFAULT 8
#define TIMESLICE_TICKS 2	/* round robin among equals every 20 ms */

/* Bits of thread.pending. */
#define PENDING_KILL 1u
#define PENDING_INTR 2u
#define PENDING_INTR_NEXT 4u	/* like PENDING_INTR, but kept across returns to user mode */
#define PENDING_STOP 8u		/* park at the next return to user mode while the process is stopped */
#define PENDING_IO 16u		/* ioport_settle before the next return to user mode (kern/ioport.c) */
/* The bits that end an interruptible wait (PENDING_STOP leaves the thread in it). */
#define PENDING_WAKES (PENDING_KILL | PENDING_INTR | PENDING_INTR_NEXT)

enum thread_state {
	THREAD_NEW,		/* created, not started */
	THREAD_RUNNABLE,	/* on a run queue */
	THREAD_RUNNING,
	THREAD_BLOCKED,
	THREAD_DEAD,
};

struct process;
struct cpu;
struct endpoint;
struct wait_queue;
struct notification;

/*
 * A CPU-time alarm of a process or a thread (kern/alarm.c): once its ticks
 * reach @at (0: none), @n gets @bits, once. @lock protects the three; the
 * tick reads @at without it first, so an unarmed one costs one load.
 */
struct cpu_alarm {
	struct spinlock lock;
	uint64_t at, bits;
	struct notification *n;	/* holds a reference, or NULL */
};

struct thread {
	struct kobject k;
	struct arch_thread arch;
	uint64_t id;
	void *kstack_top;
	paddr_t kstack;			/* 2^KSTACK_ORDER frames */
	struct user_regs *uregs;	/* the saved user registers (at the top of the kernel stack) */
	struct process *proc;		/* NULL for kernel threads; holds a reference */

	/* Scheduling, protected by the run queue lock of ->cpu. */
	enum thread_state state;
	unsigned prio;
	unsigned slice;
	struct cpu *cpu;		/* whose run queue it is on, or where it last ran */
	int affinity;			/* CPU index it must run on, or -1 */
	volatile bool on_cpu;		/* its context is live on some CPU (not yet saved) */
	struct thread *rq_next, *rq_prev;

	/* Blocking: the wait queue it sleeps on and how the wait ended. */
	struct wait_queue *waiting_on;
	struct thread *wq_next, *wq_prev;
	int64_t wake_status;
	uint64_t wake_value;
	uint64_t sleep_until;		/* ns, for timed waits; 0 when none */

	/* Exit: the status, and whoever waits for it (under exit_wq.lock). */
	int64_t exit_status;
	bool never_ran;			/* its process ended before it started: it never will */
	/*
	 * What the thread must attend to (atomic bit operations, no lock):
	 * PENDING_KILL, exit at the next return to user mode; PENDING_INTR,
	 * end the current or next interruptible wait with -EINTR, cleared when
	 * such a wait ends so or when the thread returns to user mode;
	 * PENDING_INTR_NEXT, the same, cleared only by such a wait;
	 * PENDING_STOP, its process was stopped: park on the way to user mode
	 * (kern/stop.c); PENDING_IO, it changed some process's I/O ports:
	 * ioport_settle on the way to user mode (kern/ioport.c).
	 */
	volatile uint8_t pending;
	/* thread_redirect's entry, taken at the next full-frame return to user mode; 0: none. */
	vaddr_t redirect_entry;
	/* The redirection goes on the signal stack (thread_sigstack; the thread's own, no lock). */
	bool redirect_onstack;
	vaddr_t sigstack_base;
	size_t sigstack_size;
	struct thread *kill_next;	/* process_kill's list, under no lock (its own) */
	struct wait_queue exit_wq;
	void (*entry)(void *);		/* kernel threads: what to run */
	void *arg;
	struct thread *proc_next, *proc_prev;	/* the process's thread list */

	/* IPC: the registered long-message buffer (a page kept alive by its VMO) and replies. */
	paddr_t ipc_buffer;
	struct kobject *ipc_buffer_vmo;
	/* The reply slot: its head is the caller this thread must answer (at most one; kern/ipc.c). */
	struct wait_queue reply_wait;
	uint64_t msg[8];		/* a blocked sender's message */
	uint64_t badge;			/* and the badge of the capability it called through */
	bool exception_call;		/* blocked reporting a fault: the answer goes to msg[] */
	/*
	 * The IPC fast paths' last endpoint lookup (kern/ipc.c), the thread's
	 * own: handle @ep_handle of its table named @ep (a reference held
	 * here) with @ep_rights and @ep_badge for as long as the table's
	 * removals count is still @ep_removals. ep NULL: nothing cached.
	 */
	struct endpoint *ep;
	uint64_t ep_handle;
	uint64_t ep_badge;
	uint64_t ep_removals;
	uint32_t ep_rights;

	/* A user word the exit clears and futex-wakes (Linux's CLONE_CHILD_CLEARTID), or 0. */
	vaddr_t clear_tid;
	/* Its user stack, unmapped by its exit (thread_set_stack); size 0: none. */
	vaddr_t ustack_base;
	size_t ustack_size;

	/* Ticks that found it running, those of them in the kernel (sched_tick), its alarm. */
	uint64_t ticks, kticks;
	struct cpu_alarm alarm;
};

/* The tick found @a's owner at @ticks: the alarm goes off if they reached it (kern/alarm.c). */
void alarm_tick(struct cpu_alarm *a, uint64_t ticks);
/* Drops @a's notification (its owner's destruction). */
void alarm_drop(struct cpu_alarm *a);

/* Creates a kernel thread running @entry(@arg); returns NULL when memory is exhausted. */
struct thread *thread_create_kernel(void (*entry)(void *), void *arg, unsigned prio);

/*
 * Creates a user thread of @proc (not yet runnable) that will enter user mode
 * at @pc with stack @sp and first argument @arg.
 */
struct thread *thread_create_user(struct process *proc, vaddr_t pc, vaddr_t sp, uint64_t arg);

/* Makes a new thread runnable; -ESRCH when its process is exiting. */
int thread_start(struct thread *t);

/* Ends the current thread; never returns. */
noreturn void thread_exit(int64_t status);

/* Asks @t to exit at its next return to user mode (or wakes it from a wait to do so). */
void thread_kill(struct thread *t);

/*
 * Makes user thread @t save its user registers on its user stack and enter
 * @entry at its next return to user mode through a full register frame (an
 * interrupt or exception; a CPU running it gets an IPI). An interruptible
 * wait it is in, or enters before it returns, ends with -EINTR instead; it
 * is then not redirected (its system call tells it). kern/redirect.c.
 */
void thread_redirect(struct thread *t, vaddr_t entry, bool onstack);

/* A wait of @t ended with -EINTR: a redirection pending for it is answered so. */
static inline void thread_intr_taken(struct thread *t)
{
	__atomic_fetch_and(&t->pending, (uint8_t) ~(PENDING_INTR | PENDING_INTR_NEXT), __ATOMIC_RELAXED);
	__atomic_store_n(&t->redirect_entry, 0, __ATOMIC_RELAXED);
}

/* The redirection itself, at a full-frame return of the current thread (kern/redirect.c). */
void redirect_exit(struct thread *t, struct user_regs *r);

static inline struct thread *thread_current(void)
{
	return this_cpu()->current;
}

/* Number of threads alive (for leak tests). */
uint64_t thread_count(void);

/*
 * Waits until @t has exited and returns its status through @status; -ESRCH
 * when it never started and its process has ended, so it never will.
 */
int64_t thread_wait(struct thread *t, int64_t *status);

/* Ends a user thread that never started, once its process has ended (for process.c). */
void thread_end_unstarted(struct thread *t);

/* Internal to the scheduler: the idle thread of a CPU, and freeing a dead thread's stack. */
struct thread *thread_create_idle(void);
void thread_reap(struct thread *t);

/* Panics if @t overflowed its kernel stack (the stacks have no guard page: the direct map). */
void thread_check_stack(struct thread *t);
