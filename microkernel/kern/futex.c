/*
 * Futexes: waiting on a 32-bit word of user memory (Linux's size, so
 * musl's locks map one to one). Waiters hash by
 * (process, address) into a fixed set of wait queues; the value is compared
 * under the bucket lock, so a wake between the check and the sleep is never
 * lost.
 */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/thread.h>
#include "syscall_defs.h"

#define BUCKETS 64

static struct wait_queue buckets[BUCKETS];
static struct spinlock init_lock = SPINLOCK_INIT;
static bool ready;

static struct wait_queue *bucket(struct process *p, vaddr_t addr)
{
	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		unsigned long s = spin_lock_irqsave(&init_lock);
		if (!ready) {
			for (unsigned i = 0; i < BUCKETS; i++)
				wq_init(&buckets[i]);
			__atomic_store_n(&ready, true, __ATOMIC_RELEASE);
		}
		spin_unlock_irqrestore(&init_lock, s);
	}
	uint64_t h = ((uintptr_t)p ^ addr) * 0x9e3779b97f4a7c15ull;
	return &buckets[h >> 58];
}

int64_t sys_futex_wait(vaddr_t addr, uint64_t expected, uint64_t timeout_ns)
{
	struct thread *self = thread_current();
	struct process *p = self->proc;
	uint32_t value;

	if (addr % 4 || expected > UINT32_MAX)
		return -EINVAL;
	struct wait_queue *q = bucket(p, addr);
	unsigned long s = spin_lock_irqsave(&q->lock);
	int err = user_copy(p, addr, &value, sizeof(value), false);
	if (err || value != expected) {
		spin_unlock_irqrestore(&q->lock, s);
		return err ? err : -EAGAIN;
	}
	/* The key rides in msg[], unused while the thread waits here. */
	self->msg[0] = (uintptr_t)p;
	self->msg[1] = addr;
	int64_t r = wq_wait(q, s, timeout_ns ? arch_time_ns() + timeout_ns : 0);
	return r;
}

static uint64_t wake(struct process *p, vaddr_t addr, uint64_t count)
{
	struct wait_queue *q = bucket(p, addr);
	unsigned long s = spin_lock_irqsave(&q->lock);
	uint64_t n = 0;
	struct thread *t = q->head;
	while (t && n < count) {
		struct thread *next = t->wq_next;
		if (t->msg[0] == (uintptr_t)p && t->msg[1] == addr) {
			wq_wake_thread(q, t, 0, 0);
			n++;
		}
		t = next;
	}
	spin_unlock_irqrestore(&q->lock, s);
	return n;
}

int64_t sys_futex_wake(vaddr_t addr, uint64_t count, uint64_t *woken)
{
	if (addr % 4)
		return -EINVAL;
	*woken = wake(process_current(), addr, count);
	return 0;
}

void futex_clear_and_wake(struct process *p, vaddr_t addr)
{
	uint32_t zero = 0;

	/* A bad address is the thread's own mistake: nothing is written, nobody woken. */
	if (user_copy(p, addr, &zero, sizeof(zero), true) == 0)
		wake(p, addr, 1);
}
