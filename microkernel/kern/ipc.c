/*
 * Synchronous IPC. A call meets a receive on an endpoint: the message moves
 * from the sender's registers to the receiver's, the sender waits on the
 * receiver's reply_wait queue, and the CPU passes straight to the receiver
 * without a trip through the run queue; a reply does the same backwards.
 * The receive returns the badge of the capability the caller called through
 * (0 when unbadged) as its status; the call's own status and replies carry none.
 *
 * The reply slot: a server thread's reply_wait holds at most one thread, the
 * caller it must answer (reply_wait.head; a server receives only with the
 * slot empty). The slot holds no reference: a caller killed while waiting
 * is taken off it by the kill (under reply_wait.lock, before it can run and
 * exit), so the slot is simply empty then and the server finds out when it
 * replies. The kill claims the caller by exchanging its waiting_on for
 * NULL; the fast answer claims it the same way without the lock, so
 * exactly one of the two has it. ipc_reply_save moves the caller on to a reply object
 * (kern/reply.c).
 *
 * Locks: an endpoint's q.lock, then a thread's reply_wait.lock; the two
 * queues' (reply_wait's and a reply object's) are never held together.
 */
#include <kernel/cap.h>
#include <kernel/errno.h>
#include <kernel/ipc.h>
#include <kernel/mm.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <kernel/vmo.h>
#include <uapi/veridian/rootinfo.h>
#include "syscall_defs.h"

static void endpoint_destroy(struct kobject *k)
{
	kfree(k);
}

struct endpoint *endpoint_create(struct process *owner)
{
	struct endpoint *ep = kmalloc(sizeof(*ep));

	if (!ep)
		return NULL;
	kobj_init(&ep->k, KOBJ_ENDPOINT, endpoint_destroy);
	wq_init(&ep->q);
	ep->owner = owner;
	unsigned long s = spin_lock_irqsave(&owner->lock);
	ep->owner_next = owner->endpoints;
	owner->endpoints = ep;
	kobj_get(&ep->k);
	spin_unlock_irqrestore(&owner->lock, s);
	return ep;
}

void endpoints_owner_exit(struct process *p)
{
	unsigned long s = spin_lock_irqsave(&p->lock);
	struct endpoint *ep = p->endpoints;

	p->endpoints = NULL;
	spin_unlock_irqrestore(&p->lock, s);
	while (ep) {
		struct endpoint *next = ep->owner_next;
		s = spin_lock_irqsave(&ep->q.lock);
		ep->dead = true;
		wq_wake_all(&ep->q, -EPIPE, 0);
		spin_unlock_irqrestore(&ep->q.lock, s);
		kobj_put(&ep->k);
		ep = next;
	}
}

/* The tag of the message in @r. */
static inline uint64_t msg_tag(const struct user_regs *r)
{
	uint64_t m[MSG_REGS];

	arch_msg_get(r, m);
	return m[0];
}

/* Checks a tag before anything is sent. */
static bool tag_ok(uint64_t tag)
{
	return TAG_WORDS(tag) <= MSG_REGS - 1 && TAG_CAPS(tag) <= TAG_WORDS(tag) &&
	       (!(tag & TAG_LONG) || TAG_LONG_LEN(tag) <= IPC_LONG_MAX);
}

/*
 * Gives @to the message @msg of @from: handles are copied (or moved) into
 * to's table, the long payload into to's buffer, the words into its
 * registers. On failure nothing reaches @to and @from keeps its handles.
 * deliver() below is the entry; it does the words-only case itself.
 */
static __attribute__((noinline)) int deliver_full(struct thread *from,
						  const uint64_t msg[MSG_REGS], struct thread *to)
{
	uint64_t out[MSG_REGS];
	unsigned words = TAG_WORDS(msg[0]), caps = TAG_CAPS(msg[0]);
	int err = 0;

	memcpy(out, msg, sizeof(out));
	if (caps && (!from->proc || !to->proc))
		return -EINVAL;
	for (unsigned i = 0; i < caps && !err; i++) {
		unsigned w = 1 + words - caps + i;
		err = cap_transfer(&from->proc->caps, msg[w], &to->proc->caps, CAP_COPY, RIGHTS_ALL,
				   &out[w]);
		if (err)
			while (i--)
				cap_close(&to->proc->caps, out[1 + words - caps + i]);
	}
	if (!err && (msg[0] & TAG_LONG)) {
		if (!from->ipc_buffer || !to->ipc_buffer)
			err = -EINVAL;
		else
			memcpy(phys_to_virt(to->ipc_buffer), phys_to_virt(from->ipc_buffer),
			       TAG_LONG_LEN(msg[0]));
		if (err)
			for (unsigned i = 0; i < caps; i++)
				cap_close(&to->proc->caps, out[1 + words - caps + i]);
	}
	if (err)
		return err;
	if (msg[0] & TAG_MOVE_CAPS)
		for (unsigned i = 0; i < caps; i++)
			cap_close(&from->proc->caps, msg[1 + words - caps + i]);
	for (unsigned i = words + 1; i < MSG_REGS; i++)
		out[i] = 0;
	/* A thread in an exception call gets the answer in the kernel, not in its registers. */
	if (to->exception_call)
		memcpy(to->msg, out, sizeof(out));
	else
		arch_msg_set(to->uregs, out);
	return 0;
}

/*
 * Words-only delivery straight from @from's registers to @to's; the words the
 * tag does not use arrive as zeros, so nothing else of @from's leaks. One
 * case per count (the fast paths' tags have at most 7 words), so that each
 * loads only the words it sends (the tag is already in hand) and stores
 * every register once; the barriers keep the compiler from merging the
 * cases back into one that loads all eight.
 */
#define SEND_WORDS(n)                                    \
	case n:                                          \
		__asm__ volatile("" ::: "memory");       \
		arch_msg_get(from, m);                   \
		m[0] = tag;                              \
		for (unsigned i = n + 1; i < MSG_REGS; i++) \
			m[i] = 0;                        \
		arch_msg_set(to, m);                     \
		__asm__ volatile("" ::: "memory");       \
		return;

static inline __attribute__((always_inline)) void
deliver_words(const struct user_regs *from, uint64_t tag, struct user_regs *to)
{
	uint64_t m[MSG_REGS];

	switch (TAG_WORDS(tag)) {
	SEND_WORDS(0)
	SEND_WORDS(1)
	SEND_WORDS(2)
	SEND_WORDS(3)
	SEND_WORDS(4)
	SEND_WORDS(5)
	SEND_WORDS(6)
	SEND_WORDS(7)
	default:
		__builtin_unreachable();
	}
}

static inline __attribute__((always_inline)) int deliver(struct thread *from, const uint64_t msg[MSG_REGS], struct thread *to)
{
	unsigned words = TAG_WORDS(msg[0]);
	uint64_t out[MSG_REGS];

	if (TAG_CAPS(msg[0]) || (msg[0] & TAG_LONG) || to->exception_call)
		return deliver_full(from, msg, to);
	/* The common case: words only, straight into the receiver's registers. */
	for (unsigned i = 0; i < MSG_REGS; i++)
		out[i] = i <= words ? msg[i] : 0;
	arch_msg_set(to->uregs, out);
	return 0;
}

/*
 * Makes @caller wait for @server's reply. Caller of this holds no reply_wait
 * lock. Returns false, with @caller not parked, when @caller is being
 * killed: thread_kill sets PENDING_KILL before it looks for a queue to take
 * the thread off, and this looks at it after parking, so one of
 * the two always sees the other and no kill is lost.
 */
static inline __attribute__((always_inline)) bool await_reply(struct thread *server,
							      struct thread *caller)
{
	spin_lock(&server->reply_wait.lock);
	caller->wake_status = 0;
	caller->state = THREAD_BLOCKED;
	wq_park(&server->reply_wait, caller);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Only a kill: a server's reply queue is not interruptible (wait.h). */
	bool killed = __atomic_load_n(&caller->pending, __ATOMIC_RELAXED) & PENDING_KILL;
	if (killed)
		wq_unpark(&server->reply_wait, caller);
	spin_unlock(&server->reply_wait.lock);
	return !killed;
}

/*
 * await_reply for the fast call, without @server's reply_wait.lock: the
 * slot is empty (@server was receiving, fast_call checks) and nobody else
 * looks at it until @caller is published there (waiting_on, stored last,
 * with release): thread_kill reaches the slot only through
 * caller->waiting_on, and @server runs only after the switch. A kill that
 * comes after publication takes the lock, as ever, so the rare kill seen
 * here takes it too: either it takes @caller back out, or the kill did
 * already (then @caller was woken, as any kill after the park would wake
 * it, and goes on as parked). Returns false when @caller is not parked.
 */
static inline __attribute__((always_inline)) bool await_reply_fast(struct thread *server,
								   struct thread *caller)
{
	struct wait_queue *q = &server->reply_wait;

	/* A thread on no queue has no neighbours (wq_unpark clears them), so it has none to set. */
	caller->wake_status = 0;
	caller->state = THREAD_BLOCKED;
	q->head = q->tail = caller;
	__atomic_store_n(&caller->waiting_on, q, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(&caller->pending, __ATOMIC_RELAXED) & PENDING_KILL))
		return true;
	spin_lock(&q->lock);
	bool parked = caller->waiting_on != q;	/* the kill took it out and woke it */
	if (!parked)
		wq_unpark(q, caller);
	spin_unlock(&q->lock);
	return parked;
}

/*
 * Takes the caller @self must answer out of its reply slot, or returns NULL
 * if it has none (or the caller left). Caller holds self->reply_wait.lock.
 */
static struct thread *take_caller(struct thread *self)
{
	struct thread *c = self->reply_wait.head;

	if (c)
		wq_unpark(&self->reply_wait, c);
	return c;
}

/* A tag the fast paths take: words only (at most MSG_REGS - 1), no handles, no long payload. */
#define TAG_FAST_MASK (0x8u | 0x30u | TAG_LONG)

/*
 * The fast paths' lookup through the table (lock_ep_fast's miss): finds the
 * endpoint @h names with @rights and remembers it in @self's cache, which
 * holds a reference (so the endpoint stays memory the hit path may lock)
 * and drops the one on the endpoint it held before. Returns it, or NULL
 * (the cache unchanged) if @h names no such endpoint.
 */
static __attribute__((noinline)) struct endpoint *ep_cache_fill(struct thread *self, handle_t h,
								uint32_t rights)
{
	struct cap_table *t = &self->proc->caps;
	struct endpoint *ep = NULL, *old = NULL;

	spin_lock(&t->lock);
	struct cap *c = cap_decode(t, h);
	if (c && c->obj->type == KOBJ_ENDPOINT && (c->rights & rights) == rights) {
		ep = (struct endpoint *)c->obj;
		kobj_get(&ep->k);
		old = self->ep;
		self->ep = ep;
		self->ep_handle = h;
		self->ep_badge = c->badge;
		self->ep_rights = c->rights;
		self->ep_removals = t->removals;
	}
	spin_unlock(&t->lock);
	kobj_put(old ? &old->k : NULL);
	return ep;
}

/*
 * The fast paths' lookup of the endpoint @h names (with @rights) for @self,
 * returned with its q.lock held, or NULL (nothing held) for the slow path to
 * sort out. No reference is taken: a live endpoint (not dead) stays alive
 * while q.lock is held, since its owner drops the owner's reference only
 * after marking it dead under that lock. The usual case takes no table
 * lock: the thread's cache (struct thread.ep) still tells the truth when
 * the table has lost no capability since it was filled (a capability's
 * object, rights and badge never change in place), and its reference
 * keeps the endpoint's memory valid to lock. A close that comes after
 * the check is ordered after this call, as one right after the table's
 * lock would be. q.lock is taken after the table's lock (on a miss),
 * against the usual order, so only tried. Interrupts are masked (system call).
 */
static inline __attribute__((always_inline)) struct endpoint *
lock_ep_fast(struct thread *self, handle_t h, uint32_t rights, uint64_t *badge)
{
	struct cap_table *t = &self->proc->caps;
	struct endpoint *ep = self->ep;

	/*
	 * Relaxed: a close this call must see (one that happened before it)
	 * reached this thread through some acquire already, which orders this
	 * load after it.
	 */
	if (__builtin_expect(h != self->ep_handle || !ep ||
			     __atomic_load_n(&t->removals, __ATOMIC_RELAXED) != self->ep_removals ||
			     (self->ep_rights & rights) != rights, 0)) {
		ep = ep_cache_fill(self, h, rights);
		if (!ep)
			return NULL;
	}
	*badge = self->ep_badge;
	if (!spin_trylock(&ep->q.lock))
		return NULL;
	if (ep->dead) {
		spin_unlock(&ep->q.lock);
		return NULL;
	}
	return ep;
}

/* Looks up @h in the table of @self's process (passed in: this_cpu() is a volatile read); *info (may be NULL) gets its rights and badge. */
static int lookup_ep(struct thread *self, handle_t h, uint32_t rights, struct endpoint **ep,
		     struct cap_info *info)
{
	return cap_lookup(&self->proc->caps, h, KOBJ_ENDPOINT, rights, (struct kobject **)ep, info);
}

int64_t sys_endpoint_create(uint64_t *handle)
{
	struct process *p = process_current();
	struct endpoint *ep = endpoint_create(p);

	if (!ep)
		return -ENOMEM;
	int err = cap_install(&p->caps, &ep->k,
			      RIGHT_SEND | RIGHT_RECV | RIGHT_GRANT | RIGHT_DUPLICATE | RIGHT_TRANSFER,
			      handle);
	kobj_put(&ep->k);
	return err;
}

int64_t sys_endpoint_mint(handle_t endpoint, uint64_t badge, uint64_t rights, uint64_t *handle)
{
	struct endpoint *ep;

	if (badge == 0 || badge >= CAP_BADGE_LIMIT)
		return -EINVAL;
	/* Only endpoints take badges; cap_derive checks DUPLICATE and that @endpoint has none. */
	int err = lookup_ep(thread_current(), endpoint, RIGHT_DUPLICATE, &ep, NULL);
	if (err)
		return err;
	kobj_put(&ep->k);
	return cap_derive(&process_current()->caps, endpoint, (uint32_t)rights, badge, handle);
}

/*
 * Calls @ep with @msg from @self through a capability with @badge; the reply
 * lands in self's registers (or self->msg).
 */
static int64_t call(struct endpoint *ep, struct thread *self, const uint64_t msg[MSG_REGS],
		    uint64_t badge)
{
	unsigned long s = spin_lock_irqsave(&ep->q.lock);

	if (ep->dead) {
		spin_unlock_irqrestore(&ep->q.lock, s);
		return -EPIPE;
	}
	if (ep->recv_waiting && ep->q.head) {
		/* The fast path: a receiver is waiting; hand it the message and the CPU. */
		struct thread *r = wq_take(&ep->q);
		ep->recv_waiting = ep->q.head != NULL;
		int err = deliver(self, msg, r);
		if (err) {
			wq_park(&ep->q, r);
			ep->recv_waiting = true;
			spin_unlock_irqrestore(&ep->q.lock, s);
			return err;
		}
		r->wake_status = (int64_t)badge;
		if (!await_reply(r, self)) {
			/* Killed: the server has the message; its answer will find no one. */
			self->state = THREAD_RUNNING;
			spin_unlock_irqrestore(&ep->q.lock, s);
			sched_enqueue(r);
			return -EINTR;
		}
		spin_unlock(&ep->q.lock);
		struct cpu *c = this_cpu();
		if (sched_can_switch_to(c, r))
			sched_switch_direct(c, r);
		else
			sched_switch_to(r);
		arch_irq_restore(s);
		return self->wake_status;
	}
	/* No receiver: queue with the message; a receiver takes it from here. */
	memcpy(self->msg, msg, sizeof(self->msg));
	self->badge = badge;
	ep->recv_waiting = false;
	return wq_wait(&ep->q, s, 0);
}

/*
 * The fast path of a call (after seL4's): a words-only message to an
 * endpoint where a receiver waits, in one pass that hands the receiver the
 * message, parks @self for the reply and switches straight to it. Returns
 * false, having changed nothing, when a condition does not hold.
 * Interrupts are masked (system call).
 */
static inline __attribute__((always_inline)) bool fast_call(struct cpu *c, struct thread *self,
							    struct user_regs *u, handle_t h)
{
	uint64_t tag = msg_tag(u), badge;
	struct endpoint *ep;
	struct thread *r;

	if (tag & TAG_FAST_MASK)
		return false;
	ep = lock_ep_fast(self, h, RIGHT_SEND, &badge);
	if (!ep)
		return false;
	r = ep->q.head;
	if (!ep->recv_waiting || !r || r->reply_wait.head || !sched_can_switch_to(c, r)) {
		spin_unlock(&ep->q.lock);
		return false;
	}
	/* wq_unpark of the queue's head, which has no previous neighbour. */
	struct thread *rest = r->wq_next;
	ep->q.head = rest;
	if (rest)
		rest->wq_prev = NULL;
	else
		ep->q.tail = NULL;
	ep->recv_waiting = rest != NULL;
	r->wq_next = NULL;
	r->waiting_on = NULL;
	if (__atomic_load_n(&r->sleep_until, __ATOMIC_RELAXED))
		wq_timer_remove(r);
	deliver_words(u, tag, r->uregs);
	r->wake_status = (int64_t)badge;
	if (!await_reply_fast(r, self)) {
		self->state = THREAD_RUNNING;
		self->wake_status = -EINTR;
		spin_unlock(&ep->q.lock);
		sched_enqueue(r);
		return true;
	}
	spin_unlock(&ep->q.lock);
	sched_switch_direct(c, r);
	return true;
}

/* Everything but the fast path. */
static __attribute__((noinline)) int64_t call_slow(struct thread *self, handle_t endpoint)
{
	uint64_t tag = msg_tag(self->uregs), msg[MSG_REGS];
	struct endpoint *ep;
	struct cap_info info;

	if (!tag_ok(tag))
		return -EINVAL;
	int err = lookup_ep(self, endpoint, RIGHT_SEND | (TAG_CAPS(tag) ? RIGHT_GRANT : 0), &ep, &info);
	if (err)
		return err;
	/* The handle (and the owner's list) keep the endpoint alive while we are queued on it. */
	kobj_put(&ep->k);
	arch_msg_get(self->uregs, msg);
	return call(ep, self, msg, info.badge);
}

int64_t sys_ipc_call(handle_t endpoint)
{
	struct thread *self = thread_current();

	if (fast_call(this_cpu(), self, self->uregs, endpoint))
		return self->wake_status;
	return call_slow(self, endpoint);
}

bool exception_raise(struct user_regs *r, uint64_t kind, uint64_t addr, uint64_t detail)
{
	struct thread *self = thread_current();
	struct process *p = self->proc;
	unsigned long s = spin_lock_irqsave(&p->lock);
	struct kobject *ep = p->exception_ep ? kobj_get(p->exception_ep) : NULL;
	uint64_t badge = p->exception_badge;

	spin_unlock_irqrestore(&p->lock, s);
	if (!ep)
		return false;
	uint64_t msg[MSG_REGS] = {(uint64_t)EXCEPTION_LABEL << 32 | 5, kind, addr, arch_uregs_pc(r),
				  detail, self->id};
	self->exception_call = true;
	/* As if through the handle the handler was set with: the handler learns whose fault it is. */
	int64_t err = call((struct endpoint *)ep, self, msg, badge);
	self->exception_call = false;
	kobj_put(ep);
	if (err)
		return false;
	/* Label 0 means "resume": the handler fixed what was wrong; 2 resumes in a handler. */
	uint64_t label = self->msg[0] >> 32, entry = self->msg[1], flags = self->msg[2];
	if (label == VR_EXCEPTION_REDIRECT) {
		if (!entry || !user_range_ok(entry, 1) || (flags & ~(uint64_t)VR_REDIRECT_ONSTACK))
			return false;
		thread_redirect(self, entry, flags & VR_REDIRECT_ONSTACK);
		return true;
	}
	return label == 0;
}

/*
 * Receives on @ep for @self: takes a queued sender (returns its badge), or
 * parks @self as a receiver, switching to @next if given. Caller holds
 * ep->q.lock (@s).
 */
static int64_t receive(struct endpoint *ep, struct thread *self, unsigned long s,
		       struct thread *next)
{
	while (!ep->recv_waiting && ep->q.head) {
		struct thread *snd = wq_take(&ep->q);
		uint64_t badge = snd->badge;	/* read now: once enqueued, snd may call again */
		int err = deliver(snd, snd->msg, self);
		if (err) {
			/* The sender's message cannot be delivered: its call fails. */
			snd->wake_status = err;
			sched_enqueue(snd);
			continue;
		}
		if (!await_reply(self, snd)) {
			/* The sender is being killed: it leaves; its message is here all the same. */
			snd->wake_status = -EINTR;
			sched_enqueue(snd);
		}
		spin_unlock_irqrestore(&ep->q.lock, s);
		if (next)
			sched_enqueue(next);
		return (int64_t)badge;
	}
	ep->recv_waiting = true;
	return wq_wait_switch(&ep->q, s, 0, next);
}

/* Whether the caller @self must answer still waits (a receive fails, a save may go ahead). */
static bool reply_pending(struct thread *self)
{
	return __atomic_load_n(&self->reply_wait.head, __ATOMIC_RELAXED) != NULL;
}

int64_t sys_ipc_recv(handle_t endpoint)
{
	struct thread *self = thread_current();
	struct endpoint *ep;
	int err = lookup_ep(self, endpoint, RIGHT_RECV, &ep, NULL);

	if (err)
		return err;
	if (reply_pending(self)) {
		kobj_put(&ep->k);
		return -EBUSY;
	}
	unsigned long s = spin_lock_irqsave(&ep->q.lock);
	kobj_put(&ep->k);
	if (ep->dead) {
		spin_unlock_irqrestore(&ep->q.lock, s);
		return -EPIPE;
	}
	return receive(ep, self, s, NULL);
}

/* Sends @self's reply to its caller; returns the caller (off every queue) or NULL. */
static struct thread *reply(struct thread *self, int *err)
{
	uint64_t msg[MSG_REGS];

	arch_msg_get(self->uregs, msg);
	*err = tag_ok(msg[0]) ? 0 : -EINVAL;
	if (*err)
		return NULL;
	unsigned long s = spin_lock_irqsave(&self->reply_wait.lock);
	struct thread *c = take_caller(self);
	spin_unlock_irqrestore(&self->reply_wait.lock, s);
	if (!c) {
		*err = -EPIPE;
		return NULL;
	}
	/* A reply that cannot be delivered still ends the call, with the error. */
	int derr = deliver(self, msg, c);
	c->wake_status = derr;
	*err = derr;
	return c;
}

/*
 * Answers the caller saved in the reply object @h names. The answer
 * consumes the object: its handle is closed whatever happens, and a caller
 * that left meanwhile (killed) makes it -EPIPE.
 */
static int64_t reply_saved(struct thread *self, handle_t h)
{
	struct cap_table *caps = &self->proc->caps;
	uint64_t msg[MSG_REGS];
	struct reply *r;
	int err = cap_lookup(caps, h, KOBJ_REPLY, RIGHT_SEND, (struct kobject **)&r, NULL);

	if (err)
		return err;
	cap_close(caps, h);
	struct thread *c = reply_take(r);
	kobj_put(&r->k);
	if (!c)
		return -EPIPE;
	arch_msg_get(self->uregs, msg);
	/* A reply that cannot be delivered still ends the call, with the error. */
	err = tag_ok(msg[0]) ? deliver(self, msg, c) : -EINVAL;
	c->wake_status = err;
	sched_enqueue(c);
	kobj_put(&c->k);
	return err;
}

int64_t sys_ipc_reply(handle_t saved)
{
	int err;

	if (saved)
		return reply_saved(thread_current(), saved);
	struct thread *c = reply(thread_current(), &err);
	if (c)
		sched_enqueue(c);
	return err;
}

/*
 * Moves the caller @self must answer into a new reply object, so that @self
 * can receive again at once and answer it later with ipc_reply(handle).
 * -EPIPE, as for ipc_reply, when there is no caller to answer.
 */
int64_t sys_ipc_reply_save(uint64_t *handle)
{
	struct thread *self = thread_current();
	struct reply *r;

	if (!reply_pending(self))
		return -EPIPE;
	r = reply_create();
	if (!r)
		return -ENOMEM;
	/* Any thread of the process may answer, or hand the reply on over IPC. */
	int err = cap_install(&self->proc->caps, &r->k,
			      RIGHT_SEND | RIGHT_DUPLICATE | RIGHT_TRANSFER, handle);
	if (!err) {
		unsigned long s = spin_lock_irqsave(&self->reply_wait.lock);
		struct thread *c = take_caller(self);
		if (c)
			kobj_get(&c->k);	/* r's; blocked on no queue, it cannot go */
		spin_unlock_irqrestore(&self->reply_wait.lock, s);
		/* A caller killed since reply_pending leaves r empty: answering it gives -EPIPE. */
		if (c)
			reply_park(r, c);
	}
	kobj_put(&r->k);
	return err;
}

/*
 * The fast path of reply_recv (after seL4's): a words-only answer to a
 * caller that still waits, on an endpoint with no sender queued, in one pass
 * that parks @self as the receiver and switches straight to the caller.
 * Everything is checked before anything changes; false means a condition
 * does not hold and nothing happened. Interrupts are masked (system call).
 */
static inline __attribute__((always_inline)) bool fast_reply_recv(struct cpu *c,
								  struct thread *self,
								  struct user_regs *u, handle_t h)
{
	uint64_t tag = msg_tag(u), badge;
	struct endpoint *ep;
	struct thread *cl;

	if ((tag & TAG_FAST_MASK) || self->pending)
		return false;
	ep = lock_ep_fast(self, h, RIGHT_RECV, &badge);
	if (!ep)
		return false;
	if (!ep->recv_waiting && ep->q.head) {
		spin_unlock(&ep->q.lock);
		return false;
	}
	/*
	 * The slot's one caller, claimed without the slot's lock: only a kill
	 * (sched_interrupt_wait) takes it out otherwise, and it claims it with
	 * the same exchange of waiting_on, under the lock; whichever exchanges
	 * first has it. The slot cannot fill again meanwhile (this thread is
	 * not receiving), so a caller still waiting on it is the one read here.
	 */
	struct wait_queue *slot = &self->reply_wait;
	cl = __atomic_load_n(&slot->head, __ATOMIC_RELAXED);
	if (!cl || cl->exception_call || !sched_can_switch_to(c, cl) ||
	    !__atomic_compare_exchange_n(&cl->waiting_on, &slot, NULL, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED)) {
		/* (A failed exchange has overwritten slot.) */
		spin_unlock(&ep->q.lock);
		return false;
	}
	/* wq_unpark's work: no neighbours, and a reply wait has no deadline. */
	self->reply_wait.head = self->reply_wait.tail = NULL;
	/*
	 * No wake_status to set: the caller's is 0 since it parked (only the
	 * one who claims it writes it), and whatever ends this receive (a
	 * call's badge, a kill, the endpoint's death) sets self's.
	 */
	deliver_words(u, tag, cl->uregs);
	self->state = THREAD_BLOCKED;
	wq_park(&ep->q, self);
	ep->recv_waiting = true;
	/* The same check as await_reply's: a kill between the first check and here. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&self->pending, __ATOMIC_RELAXED) & PENDING_WAKES) {
		thread_intr_taken(self);
		wq_unpark(&ep->q, self);
		ep->recv_waiting = ep->q.head != NULL;
		self->state = THREAD_RUNNING;
		self->wake_status = -EINTR;
		spin_unlock(&ep->q.lock);
		sched_enqueue(cl);
		return true;
	}
	spin_unlock(&ep->q.lock);
	sched_switch_direct(c, cl);
	return true;
}

/*
 * The rare ends of an architecture's fast path in assembly (riscv64's
 * ipc_fast.S), which does fast_call's and fast_reply_recv's steps in the same
 * order and calls these where its last check after parking found a kill or
 * an interruption: they go on from there as the C above does. @ep is
 * locked; the partner's message is in its user_regs and its wake_status
 * set. Each returns @self's status, after trap_exit_check_self.
 */
int64_t ipc_fast_call_killed(struct thread *self, struct thread *r, struct endpoint *ep)
{
	struct wait_queue *q = &r->reply_wait;

	spin_lock(&q->lock);
	bool parked = self->waiting_on != q;	/* the kill took it out and woke it */
	if (!parked)
		wq_unpark(q, self);
	spin_unlock(&q->lock);
	if (parked) {
		spin_unlock(&ep->q.lock);
		sched_switch_direct(this_cpu(), r);
	} else {
		self->state = THREAD_RUNNING;
		self->wake_status = -EINTR;
		spin_unlock(&ep->q.lock);
		sched_enqueue(r);
	}
	trap_exit_check_self(self);
	return self->wake_status;
}

int64_t ipc_fast_recv_intr(struct thread *self, struct thread *cl, struct endpoint *ep)
{
	thread_intr_taken(self);
	wq_unpark(&ep->q, self);
	ep->recv_waiting = ep->q.head != NULL;
	self->state = THREAD_RUNNING;
	self->wake_status = -EINTR;
	spin_unlock(&ep->q.lock);
	sched_enqueue(cl);
	trap_exit_check_self(self);
	return self->wake_status;
}

/* Everything but the fast path. */
static __attribute__((noinline)) int64_t reply_recv_slow(struct thread *self, handle_t endpoint)
{
	struct endpoint *ep;
	int err = lookup_ep(self, endpoint, RIGHT_RECV, &ep, NULL);

	if (err)
		return err;
	int rerr;
	struct thread *c = reply(self, &rerr);

	/*
	 * A malformed answer still ends the call, with the error (as one that
	 * cannot be delivered does): the slot must be empty to receive.
	 */
	if (!c && rerr == -EINVAL) {
		unsigned long s = spin_lock_irqsave(&self->reply_wait.lock);
		c = take_caller(self);
		spin_unlock_irqrestore(&self->reply_wait.lock, s);
		if (c)
			c->wake_status = -EINVAL;
	}
	unsigned long s = spin_lock_irqsave(&ep->q.lock);
	kobj_put(&ep->k);
	if (ep->dead) {
		spin_unlock_irqrestore(&ep->q.lock, s);
		if (c)
			sched_enqueue(c);
		return -EPIPE;
	}
	/* Wait for the next call, running the caller we answered in the meantime. */
	return receive(ep, self, s, c);
}

int64_t sys_ipc_reply_recv(handle_t endpoint)
{
	struct thread *self = thread_current();

	/* Called again: the message is in self's registers. */
	if (fast_reply_recv(this_cpu(), self, self->uregs, endpoint))
		return self->wake_status;
	return reply_recv_slow(self, endpoint);
}

/*
 * The system-call entry of the message calls, which each architecture's
 * entry tells apart (x86_64: SYS_MSG_FIRST..SYS_MSG_LAST; aarch64: svc #1;
 * riscv64: bit 63 of the number, cleared before this): the two fast paths
 * inline, without syscall_handler's dispatch; any other number goes there.
 */
void syscall_ipc(struct user_regs *r)
{
	struct cpu *c = this_cpu();
	struct thread *self = c->current;
	handle_t h = (handle_t)arch_syscall_arg(r, 0);
	int64_t status;

	/* r is self->uregs: a system call's registers. */
	switch (arch_syscall_nr(r)) {
	case SYS_IPC_CALL:
		status = fast_call(c, self, r, h) ? self->wake_status : call_slow(self, h);
		break;
	case SYS_IPC_REPLY_RECV:
		status = fast_reply_recv(c, self, r, h) ? self->wake_status : reply_recv_slow(self, h);
		break;
	default:
		syscall_handler(r);
		return;
	}
	arch_syscall_set_result(r, status, 0);
	trap_exit_check_self(self);
}

int64_t sys_ipc_buffer_set(uint64_t vaddr)
{
	struct thread *self = thread_current();
	struct process *p = self->proc;

	if (vaddr % PAGE_SIZE)
		return -EINVAL;
	struct kobject *old = self->ipc_buffer_vmo;
	if (vaddr == 0) {
		self->ipc_buffer = 0;
		self->ipc_buffer_vmo = NULL;
		kobj_put(old);
		return 0;
	}
	/*
	 * Resolve the page now (copy-on-write broken) and keep its VMO alive, so
	 * the frame stays put; a fork copies a VMO so held at once, never sharing it.
	 */
	paddr_t pa;
	struct kobject *vmo;
	int err = user_page_hold(p, vaddr, &pa, &vmo);
	if (!err) {
		self->ipc_buffer = pa;
		self->ipc_buffer_vmo = vmo;
		kobj_put(old);
	}
	return err;
}

void ipc_thread_exit(struct thread *t)
{
	unsigned long s = spin_lock_irqsave(&t->reply_wait.lock);

	/* Everyone waiting for this thread's answer will never get one. */
	wq_wake_all(&t->reply_wait, -EPIPE, 0);
	spin_unlock_irqrestore(&t->reply_wait.lock, s);
	kobj_put(t->ep ? &t->ep->k : NULL);
	t->ep = NULL;
	kobj_put(t->ipc_buffer_vmo);
	t->ipc_buffer_vmo = NULL;
	t->ipc_buffer = 0;
}
