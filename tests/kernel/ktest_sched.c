/* In-kernel tests of kernel threads, the scheduler and wait queues. */
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/thread.h>

struct pingpong {
	struct wait_queue q;
	volatile int turn;	/* 0: ping's turn, 1: pong's */
	int rounds;
	int trace[64];
	volatile int n;
};

static void player(struct pingpong *pp, int me)
{
	for (int i = 0; i < pp->rounds; i++) {
		unsigned long s = spin_lock_irqsave(&pp->q.lock);
		while (pp->turn != me) {
			wq_wait(&pp->q, s, 0);
			s = spin_lock_irqsave(&pp->q.lock);
		}
		pp->trace[pp->n++] = me;
		pp->turn = !me;
		wq_wake_all(&pp->q, 0, 0);
		spin_unlock_irqrestore(&pp->q.lock, s);
	}
}

static void ping(void *arg)
{
	player(arg, 0);
}

static void pong(void *arg)
{
	player(arg, 1);
	thread_exit(42);
}

KTEST(threads_ping_pong)
{
	static struct pingpong pp;
	uint64_t before = thread_count();

	pp = (struct pingpong){WAIT_QUEUE_INIT, 0, 30, {0}, 0};
	struct thread *a = thread_create_kernel(ping, &pp, PRIO_DEFAULT);
	struct thread *b = thread_create_kernel(pong, &pp, PRIO_DEFAULT);
	KCHECK(a && b, "thread creation failed");
	thread_start(b);
	thread_start(a);
	int64_t sa = -1, sb = -1;
	KCHECK(thread_wait(a, &sa) == 0 && thread_wait(b, &sb) == 0, "thread_wait failed");
	KCHECK(sa == 0 && sb == 42, "exit statuses %ld and %ld", sa, sb);
	KCHECK(pp.n == 60, "%d turns taken", pp.n);
	for (int i = 0; i < 60; i++)
		KCHECK(pp.trace[i] == (i & 1), "turn %d was %d's", i, pp.trace[i]);
	kobj_put(&a->k);
	kobj_put(&b->k);
	/* Reaping happens after the switch away from a dead thread: give it a moment. */
	sched_sleep(1000000);
	KCHECK(thread_count() == before, "%ld threads leaked", (long)(thread_count() - before));
	return NULL;
}

static volatile unsigned ran_on[MAX_CPUS];

static void where_am_i(void *arg)
{
	ran_on[(uintptr_t)arg] = this_cpu()->id + 1;
}

KTEST(threads_on_every_cpu)
{
	struct thread *t[MAX_CPUS];
	unsigned n = ncpus_online;

	for (unsigned i = 0; i < n; i++) {
		ran_on[i] = 0;
		t[i] = thread_create_kernel(where_am_i, (void *)(uintptr_t)i, PRIO_DEFAULT);
		KCHECK(t[i], "thread creation failed");
		t[i]->affinity = (int)i;
		thread_start(t[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		int64_t st;
		thread_wait(t[i], &st);
		kobj_put(&t[i]->k);
		KCHECK(ran_on[i] == i + 1, "thread bound to CPU %u ran on CPU %u", i, ran_on[i] - 1);
	}
	return NULL;
}

KTEST(wait_timeout_and_sleep)
{
	struct wait_queue q = WAIT_QUEUE_INIT;
	uint64_t t0 = arch_time_ns();
	unsigned long s = spin_lock_irqsave(&q.lock);
	int64_t r = wq_wait(&q, s, arch_time_ns() + 20000000);
	uint64_t waited = arch_time_ns() - t0;

	KCHECK(r == -ETIMEDOUT, "timed wait returned %ld", r);
	KCHECK(waited >= 20000000, "woke after %lu ns of 20 ms", waited);
	t0 = arch_time_ns();
	KCHECK(sched_sleep(30000000) == 0, "sleep failed");
	KCHECK(arch_time_ns() - t0 >= 30000000, "slept only %lu ns", arch_time_ns() - t0);
	return NULL;
}
