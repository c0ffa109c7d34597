/* Notifications: a word of signal bits that threads wait on; interrupts arrive this way. */
#include <kernel/cap.h>
#include <kernel/errno.h>
#include <kernel/ipc.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/slab.h>
#include "syscall_defs.h"

static void notification_destroy(struct kobject *k)
{
	kfree(k);
}

struct notification *notification_create(void)
{
	struct notification *n = kmalloc(sizeof(*n));

	if (n) {
		kobj_init(&n->k, KOBJ_NOTIFICATION, notification_destroy);
		wq_init(&n->q);
	}
	return n;
}

void notification_signal(struct notification *n, uint64_t bits)
{
	unsigned long s = spin_lock_irqsave(&n->q.lock);

	n->bits |= bits;
	if (n->bits && n->q.head) {
		/* The first waiter takes every pending bit. */
		uint64_t v = n->bits;
		n->bits = 0;
		wq_wake_one(&n->q, 0, v);
	}
	spin_unlock_irqrestore(&n->q.lock, s);
}

static int lookup(handle_t h, uint32_t rights, struct notification **n)
{
	return cap_lookup(&process_current()->caps, h, KOBJ_NOTIFICATION, rights,
			  (struct kobject **)n, NULL);
}

int64_t sys_notify_create(uint64_t *handle)
{
	struct notification *n = notification_create();

	if (!n)
		return -ENOMEM;
	int err = cap_install(&process_current()->caps, &n->k,
			      RIGHT_SEND | RIGHT_RECV | RIGHT_DUPLICATE | RIGHT_TRANSFER, handle);
	kobj_put(&n->k);
	return err;
}

int64_t sys_notify_signal(handle_t notification, uint64_t bits)
{
	struct notification *n;
	int err = lookup(notification, RIGHT_SEND, &n);

	if (err)
		return err;
	notification_signal(n, bits);
	kobj_put(&n->k);
	return 0;
}

int64_t sys_notify_wait(handle_t notification, uint64_t timeout_ns, uint64_t *bits)
{
	struct notification *n;
	int err = lookup(notification, RIGHT_RECV, &n);

	if (err)
		return err;
	unsigned long s = spin_lock_irqsave(&n->q.lock);
	if (n->bits) {
		*bits = n->bits;
		n->bits = 0;
		spin_unlock_irqrestore(&n->q.lock, s);
		kobj_put(&n->k);
		return 0;
	}
	/* A handle held by a waiter keeps n alive only while the handle is open: hold a reference. */
	int64_t r = wq_wait(&n->q, s, timeout_ns ? arch_time_ns() + timeout_ns : 0);
	*bits = r == 0 ? thread_current()->wake_value : 0;
	kobj_put(&n->k);
	return r;
}

int64_t sys_notify_poll(handle_t notification, uint64_t *bits)
{
	struct notification *n;
	int err = lookup(notification, RIGHT_RECV, &n);

	if (err)
		return err;
	unsigned long s = spin_lock_irqsave(&n->q.lock);
	*bits = n->bits;
	n->bits = 0;
	spin_unlock_irqrestore(&n->q.lock, s);
	kobj_put(&n->k);
	return 0;
}
