/*
 * Futexes: waiting on a 32-bit word of user memory (Linux's size, so
 * musl's locks map one to one). A futex is named by the physical address
 * of its word, so one in memory shared between processes (the same VMO
 * mapped in each, at any address) is the same futex in all of them. The word
 * must be in a writable mapping, resolved for writing: copy-on-write is
 * broken first, so the frame is the process's own. A fork may share it
 * later, and the next write then moves the page: futex_page_moved wakes the
 * waiters of the old frame to look again (a spurious wake-up, which futex
 * callers handle), and a wait that named the frame just before it moved
 * notices a change of `moves` and returns -EAGAIN. Waiters hash by the frame of that
 * address into a fixed set of wait queues (all of a page's in one, so that
 * a moved page has one queue to look through, not all: with any thread
 * waiting anywhere each copy-on-write copy scanned all 64, about 5,000
 * instructions); the value is compared under the bucket lock, so
 * a wake between the check and the sleep is never lost. A frame freed and
 * reused while a thread still waits on it can only wake that thread early,
 * which futex callers handle anyway.
 */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/thread.h>
#include "syscall_defs.h"

#define BUCKETS 64

static struct wait_queue buckets[BUCKETS];
static uint64_t waiting;	/* threads in sys_futex_wait */
static uint64_t moves;		/* pages moved while someone was waiting */
static struct spinlock init_lock = SPINLOCK_INIT;
static bool ready;

static struct wait_queue *bucket(paddr_t key)
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
	uint64_t h = (key / PAGE_SIZE) * 0x9e3779b97f4a7c15ull;
	return &buckets[h >> 58];
}

int64_t sys_futex_wait(vaddr_t addr, uint64_t expected, uint64_t timeout_ns)
{
	struct thread *self = thread_current();
	paddr_t key;

	if (addr % 4 || expected > UINT32_MAX)
		return -EINVAL;
	__atomic_fetch_add(&waiting, 1, __ATOMIC_SEQ_CST);
	uint64_t seen = __atomic_load_n(&moves, __ATOMIC_SEQ_CST);
	int64_t r = user_page_phys(self->proc, addr, &key);
	if (r == 0) {
		struct wait_queue *q = bucket(key);
		unsigned long s = spin_lock_irqsave(&q->lock);
		uint32_t value = __atomic_load_n((uint32_t *)phys_to_virt(key), __ATOMIC_SEQ_CST);
		if (value != expected || __atomic_load_n(&moves, __ATOMIC_SEQ_CST) != seen) {
			spin_unlock_irqrestore(&q->lock, s);
			r = -EAGAIN;
		} else {
			/* The key rides in msg[0], unused while the thread waits here. */
			self->msg[0] = key;
			r = wq_wait(q, s, timeout_ns ? arch_time_ns() + timeout_ns : 0);
		}
	}
	__atomic_fetch_sub(&waiting, 1, __ATOMIC_SEQ_CST);
	return r;
}

void futex_page_moved(paddr_t old)
{
	if (!__atomic_load_n(&waiting, __ATOMIC_SEQ_CST))
		return;
	__atomic_fetch_add(&moves, 1, __ATOMIC_SEQ_CST);
	struct wait_queue *q = bucket(old);
	unsigned long s = spin_lock_irqsave(&q->lock);
	for (struct thread *t = q->head, *next; t; t = next) {
		next = t->wq_next;
		if (t->msg[0] - old < PAGE_SIZE)
			wq_wake_thread(q, t, 0, 0);
	}
	spin_unlock_irqrestore(&q->lock, s);
}

static uint64_t wake(paddr_t key, uint64_t count)
{
	struct wait_queue *q = bucket(key);
	unsigned long s = spin_lock_irqsave(&q->lock);
	uint64_t n = 0;
	struct thread *t = q->head;
	while (t && n < count) {
		struct thread *next = t->wq_next;
		if (t->msg[0] == key) {
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
	paddr_t key;

	if (addr % 4)
		return -EINVAL;
	int err = user_page_phys(process_current(), addr, &key);
	if (err)
		return err;
	*woken = wake(key, count);
	return 0;
}

void futex_clear_and_wake(struct process *p, vaddr_t addr)
{
	paddr_t key;

	/* A bad address is the thread's own mistake: nothing is written, nobody woken. */
	if (addr % 4 || user_page_phys(p, addr, &key))
		return;
	__atomic_store_n((uint32_t *)phys_to_virt(key), 0, __ATOMIC_SEQ_CST);
	wake(key, 1);
}
