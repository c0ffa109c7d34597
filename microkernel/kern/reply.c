/*
 * Reply objects (after seL4's reply capabilities): a server thread sets its
 * caller aside with ipc_reply_save, receives other calls, and answers the
 * saved one later with ipc_reply(handle) (kern/ipc.c).
 *
 * The caller waits on the object's own queue, so thread_kill finds it there
 * as on any other. Unlike a thread's reply slot, r->caller holds a reference
 * to the caller and is valid only while the caller is parked on r->wait: a
 * caller killed meanwhile leaves, the reference keeps its memory until the
 * object lets go, and the server finds out when it answers (-EPIPE). The
 * object ends when its last handle closes; a caller still waiting then gets
 * -EPIPE, as when a server thread dies with a call unanswered.
 */
#include <kernel/errno.h>
#include <kernel/ipc.h>
#include <kernel/sched.h>
#include <kernel/slab.h>

static void reply_destroy(struct kobject *k)
{
	struct reply *r = (struct reply *)k;
	struct thread *c = reply_take(r);

	/* No answer came, and none can now. */
	if (c) {
		c->wake_status = -EPIPE;
		sched_enqueue(c);
		kobj_put(&c->k);
	}
	kfree(r);
}

struct reply *reply_create(void)
{
	struct reply *r = kmalloc(sizeof(*r));

	if (r) {
		kobj_init(&r->k, KOBJ_REPLY, reply_destroy);
		wq_init(&r->wait);
		r->caller = NULL;
	}
	return r;
}

void reply_park(struct reply *r, struct thread *caller)
{
	unsigned long s = spin_lock_irqsave(&r->wait.lock);

	r->caller = caller;
	wq_park(&r->wait, caller);
	/*
	 * The check of await_reply: thread_kill sets PENDING_KILL, then looks
	 * for the queue to take the caller off; a kill that looked while the
	 * caller was between queues is seen here. So is a thread_redirect that
	 * came while the server had the call: a saved call may be interrupted.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&caller->pending, __ATOMIC_RELAXED) & PENDING_WAKES) {
		thread_intr_taken(caller);
		wq_wake_thread(&r->wait, caller, -EINTR, 0);
	}
	spin_unlock_irqrestore(&r->wait.lock, s);
}

struct thread *reply_take(struct reply *r)
{
	unsigned long s = spin_lock_irqsave(&r->wait.lock);
	struct thread *c = r->caller;
	bool waiting = c && c->waiting_on == &r->wait;

	r->caller = NULL;
	if (waiting)
		wq_unpark(&r->wait, c);
	spin_unlock_irqrestore(&r->wait.lock, s);
	if (c && !waiting) {
		kobj_put(&c->k);	/* killed while waiting: it is gone */
		return NULL;
	}
	return c;
}

bool reply_caller_gone(struct reply *r)
{
	unsigned long s = spin_lock_irqsave(&r->wait.lock);
	bool gone = !r->caller || r->caller->waiting_on != &r->wait;

	spin_unlock_irqrestore(&r->wait.lock, s);
	return gone;
}
