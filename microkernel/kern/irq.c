/*
 * Interrupts for user-space drivers: an IRQ object binds a device line to a
 * notification. When the line fires, the notification gets the bound bits
 * and the line stays masked until the driver acknowledges it.
 * Its handles may be copied (to hand the line to a driver); the line is
 * unbound when the last one is closed.
 */
#include <kernel/cap.h>
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/ipc.h>
#include <kernel/process.h>
#include <kernel/slab.h>
#include "syscall_defs.h"

#define MAX_LINES 1024

struct irq {
	struct kobject k;
	unsigned line;
	struct notification *n;	/* holds a reference */
	uint64_t bits;
};

/* lock protects bound[]. */
static struct spinlock lock = SPINLOCK_INIT;
static struct irq *bound[MAX_LINES];
uint64_t irq_line_counts[256];

void irq_line_handler(unsigned line)
{
	if (line < ARRAY_SIZE(irq_line_counts))
		__atomic_fetch_add(&irq_line_counts[line], 1, __ATOMIC_RELAXED);
	spin_lock(&lock);
	struct irq *irq = line < MAX_LINES ? bound[line] : NULL;
	if (irq)
		notification_signal(irq->n, irq->bits);
	spin_unlock(&lock);
}

static void irq_destroy(struct kobject *k)
{
	struct irq *irq = (struct irq *)k;
	unsigned long s = spin_lock_irqsave(&lock);

	arch_irq_line_disable(irq->line);
	bound[irq->line] = NULL;
	spin_unlock_irqrestore(&lock, s);
	kobj_put(&irq->n->k);
	kfree(irq);
}

int64_t sys_irq_bind(handle_t resource, uint64_t line, handle_t notification, uint64_t bits,
		     uint64_t *handle)
{
	struct cap_table *caps = &process_current()->caps;
	struct kobject *r;
	struct notification *n;
	int err = cap_lookup(caps, resource, KOBJ_RESOURCE, RIGHT_MANAGE, &r, NULL);

	if (err)
		return err;
	kobj_put(r);
	if (line >= MAX_LINES || line >= arch_irq_line_count() || !bits)
		return -EINVAL;
	err = cap_lookup(caps, notification, KOBJ_NOTIFICATION, RIGHT_SEND, (struct kobject **)&n, NULL);
	if (err)
		return err;
	struct irq *irq = kmalloc(sizeof(*irq));
	if (!irq) {
		kobj_put(&n->k);
		return -ENOMEM;
	}
	kobj_init(&irq->k, KOBJ_IRQ, irq_destroy);
	irq->line = (unsigned)line;
	irq->n = n;
	irq->bits = bits;
	unsigned long s = spin_lock_irqsave(&lock);
	if (bound[line])
		err = -EBUSY;
	else
		bound[line] = irq;
	spin_unlock_irqrestore(&lock, s);
	if (err) {
		kobj_put(&n->k);
		kfree(irq);
		return err;
	}
	err = arch_irq_line_enable((unsigned)line, this_cpu());
	if (!err)
		err = cap_install(caps, &irq->k, RIGHT_MANAGE | RIGHT_DUPLICATE | RIGHT_TRANSFER, handle);
	kobj_put(&irq->k);	/* on failure this unbinds it again */
	return err;
}

int64_t sys_irq_ack(handle_t irq_handle)
{
	struct irq *irq;
	int err = cap_lookup(&process_current()->caps, irq_handle, KOBJ_IRQ, RIGHT_MANAGE,
			     (struct kobject **)&irq, NULL);

	if (err)
		return err;
	arch_irq_line_ack(irq->line);
	kobj_put(&irq->k);
	return 0;
}
