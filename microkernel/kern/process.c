/* Processes: creation, their threads, exit and teardown. */
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/ipc.h>
#include <kernel/panic.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include <kernel/thread.h>

void vm_teardown(struct process *p);

static uint64_t alive;
static uint64_t next_id = 1;

static void teardown(struct process *p)
{
	endpoints_owner_exit(p);
	vm_teardown(p);
	cap_table_finish(&p->caps);
	/*
	 * The page tables outlive the teardown (process_destroy frees them):
	 * another CPU may still run one of the process's exiting threads on
	 * them, between its process_remove_thread and its switch away, and
	 * would lose the kernel's own mappings with them (x86_64 and riscv64
	 * map the kernel in every root: a triple fault, or a trap loop). Each
	 * thread keeps its reference to the process until it is reaped, after
	 * that switch. Nothing maps into the process any more (p->exiting).
	 */
	kobj_put(p->exception_ep);
	p->exception_ep = NULL;
}

/* A reference to @t unless its last one is already gone (it is being destroyed). */
static bool thread_tryget(struct thread *t)
{
	uint32_t refs = __atomic_load_n(&t->k.refs, __ATOMIC_RELAXED);

	do {
		if (refs == 0)
			return false;
	} while (!__atomic_compare_exchange_n(&t->k.refs, &refs, refs + 1, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

bool process_tryget(struct process *p)
{
	uint32_t refs = __atomic_load_n(&p->k.refs, __ATOMIC_RELAXED);

	do {
		if (refs == 0)
			return false;
	} while (!__atomic_compare_exchange_n(&p->k.refs, &refs, refs + 1, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

static void process_destroy(struct kobject *k)
{
	struct process *p = (struct process *)k;

	if (!p->tearing)
		teardown(p);
	if (p->root)
		arch_aspace_destroy(p->root);
	alarm_drop(&p->alarm);
	kfree(p);
	__atomic_fetch_sub(&alive, 1, __ATOMIC_RELAXED);
}

struct process *process_create(void)
{
	struct process *p = kmalloc(sizeof(*p));

	if (!p)
		return NULL;
	kobj_init(&p->k, KOBJ_PROCESS, process_destroy);
	p->lock = (struct spinlock)SPINLOCK_INIT;
	p->alarm.lock = (struct spinlock)SPINLOCK_INIT;
	wq_init(&p->exit_wq);
	wq_init(&p->stop_wq);
	p->stop_wq.no_intr = true;
	p->stopped = false;
	p->nparked = 0;
	p->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	if (cap_table_init(&p->caps, PROCESS_MAX_HANDLES) < 0 || arch_aspace_create(&p->root) < 0) {
		kfree(p);
		return NULL;
	}
	p->aspace = arch_aspace_token(p->root);
	memset(&p->io, 0, sizeof(p->io));
	p->caps.io = &p->io;
	__atomic_fetch_add(&alive, 1, __ATOMIC_RELAXED);
	return p;
}

int process_add_thread(struct process *p, struct thread *t)
{
	unsigned long s = spin_lock_irqsave(&p->lock);

	if (p->exiting || p->exited) {
		spin_unlock_irqrestore(&p->lock, s);
		return -ESRCH;
	}
	t->proc_prev = NULL;
	t->proc_next = p->threads;
	if (p->threads)
		p->threads->proc_prev = t;
	p->threads = t;
	p->nthreads++;
	t->proc = p;
	kobj_get(&p->k);
	/* process_stop sets p->stopped before it marks the threads under p->lock. */
	if (__atomic_load_n(&p->stopped, __ATOMIC_RELAXED))
		__atomic_fetch_or(&t->pending, PENDING_STOP, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&p->lock, s);
	return 0;
}

static void unlink_thread(struct process *p, struct thread *t)
{
	if (t->proc_prev)
		t->proc_prev->proc_next = t->proc_next;
	else
		p->threads = t->proc_next;
	if (t->proc_next)
		t->proc_next->proc_prev = t->proc_prev;
	t->proc_next = t->proc_prev = NULL;
	p->nthreads--;
}

int process_thread_starting(struct process *p)
{
	unsigned long s = spin_lock_irqsave(&p->lock);
	int err = p->exiting || p->exited ? -ESRCH : 0;

	if (!err)
		p->nrunning++;
	spin_unlock_irqrestore(&p->lock, s);
	return err;
}

void process_drop_unstarted(struct process *p, struct thread *t)
{
	unsigned long s = spin_lock_irqsave(&p->lock);

	/* The end of the process may have taken it off already. */
	if (p->threads == t || t->proc_prev)
		unlink_thread(p, t);
	spin_unlock_irqrestore(&p->lock, s);
}

/*
 * The end of @p, by whoever set p->tearing: nothing runs in it and no thread
 * can start, so the threads left on its list never ran and never will. They
 * end (their waiters learn it), then the process is torn down and its
 * waiters wake.
 */
static void end(struct process *p)
{
	for (;;) {
		unsigned long s = spin_lock_irqsave(&p->lock);
		struct thread *t = p->threads;
		bool held = t && thread_tryget(t);
		if (t)
			unlink_thread(p, t);
		spin_unlock_irqrestore(&p->lock, s);
		if (!t)
			break;
		/* Not held: its last reference is gone and thread_destroy frees it. */
		if (held) {
			thread_end_unstarted(t);
			kobj_put(&t->k);
		}
	}
	teardown(p);
	unsigned long s = spin_lock_irqsave(&p->exit_wq.lock);
	p->exited = true;
	wq_wake_all(&p->exit_wq, 0, (uint64_t)p->exit_status);
	spin_unlock_irqrestore(&p->exit_wq.lock, s);
}

void process_remove_thread(struct process *p, struct thread *t, int64_t status)
{
	unsigned long s = spin_lock_irqsave(&p->lock);

	unlink_thread(p, t);
	bool last = --p->nrunning == 0 && !p->tearing;
	if (last && !p->exiting) {
		p->exiting = true;
		p->exit_status = status;
	}
	if (last)
		p->tearing = true;
	spin_unlock_irqrestore(&p->lock, s);
	if (!last)
		return;
	/* The last thread still runs on these page tables: leave them before freeing them. */
	if (thread_current() == t)
		arch_aspace_switch(arch_aspace_token(arch_kernel_root()));
	end(p);
}

void process_kill(struct process *p, int64_t status)
{
	unsigned long s = spin_lock_irqsave(&p->lock);

	if (!p->exiting) {
		p->exiting = true;
		p->exit_status = status;
	}
	/*
	 * Mark the threads here; wake them after unlocking, since waking takes
	 * wait-queue locks, and a futex wait holds its queue's lock while it
	 * reads user memory under p->lock.
	 */
	struct thread *victims = NULL;
	for (struct thread *t = p->threads; t; t = t->proc_next) {
		if (!thread_tryget(t))
			continue;	/* never started, and being destroyed */
		__atomic_fetch_or(&t->pending, PENDING_KILL, __ATOMIC_RELAXED);
		t->kill_next = victims;
		victims = t;
	}
	/* Threads never started do not keep a process alive. */
	bool none = p->nrunning == 0 && !p->tearing;
	if (none)
		p->tearing = true;
	spin_unlock_irqrestore(&p->lock, s);
	while (victims) {
		struct thread *t = victims;
		victims = t->kill_next;
		thread_kill(t);
		kobj_put(&t->k);
	}
	/* Nothing started: no last thread will end the process, so end it here. */
	if (none)
		end(p);
}

int64_t process_wait(struct process *p, int64_t *status)
{
	unsigned long s = spin_lock_irqsave(&p->exit_wq.lock);

	if (p->exited) {
		*status = p->exit_status;
		spin_unlock_irqrestore(&p->exit_wq.lock, s);
		return 0;
	}
	if (process_current() == p) {
		spin_unlock_irqrestore(&p->exit_wq.lock, s);
		return -EINVAL;
	}
	int64_t r = wq_wait(&p->exit_wq, s, 0);
	if (r == 0)
		*status = p->exit_status;
	return r;
}

uint64_t process_count(void)
{
	return __atomic_load_n(&alive, __ATOMIC_RELAXED);
}
