/* In-kernel tests of processes and the threads in them. */
#include <kernel/errno.h>
#include <kernel/ktest.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/thread.h>

struct waiter {
	struct thread *on;
	int64_t result;
};

static void wait_for(void *arg)
{
	struct waiter *w = arg;
	int64_t status;

	w->result = thread_wait(w->on, &status);
}

/*
 * A thread blocked waiting for one that never started wakes with -ESRCH when
 * the process ends (killed with nothing running), and both are freed.
 */
KTEST(process_end_wakes_waiters_of_unstarted_threads)
{
	static struct waiter w;
	uint64_t threads = thread_count(), procs = process_count();
	struct process *p = process_create();

	KCHECK(p, "no memory for the process");
	w.on = thread_create_user(p, 0x400000, 0x600000, 0);
	w.result = 1;
	struct thread *k = w.on ? thread_create_kernel(wait_for, &w, PRIO_DEFAULT) : NULL;
	if (k)
		thread_start(k);
	/* Let it block; it must not return before the end either way. */
	for (unsigned i = 0; k && i < 1000 && k->state != THREAD_BLOCKED; i++)
		sched_sleep(1000000);
	bool blocked = k && k->state == THREAD_BLOCKED && w.result == 1;
	int64_t status = -1, kstatus;
	process_kill(p, 7);
	process_wait(p, &status);
	if (k) {
		thread_wait(k, &kstatus);
		kobj_put(&k->k);
	}
	if (w.on)
		kobj_put(&w.on->k);
	process_put(p);
	KCHECK(w.on && k, "no memory for the threads");
	KCHECK(blocked, "the waiter did not block (result %ld)", w.result);
	KCHECK(w.result == -ESRCH, "the waiter woke with %ld", w.result);
	KCHECK(status == 7, "the process exited with %ld", status);
	for (uint64_t deadline = arch_time_ns() + 1000000000ull;
	     (thread_count() != threads || process_count() != procs) && arch_time_ns() < deadline;)
		sched_sleep(1000000);
	KCHECK(thread_count() == threads && process_count() == procs,
	       "threads or processes leaked");
	return NULL;
}
