/*
 * CPU-time alarms: process_alarm and thread_alarm ask that a notification
 * get some bits once a process's or a thread's ticks (its CPU time, as
 * sched_tick samples it) reach a value. The proc server builds
 * ITIMER_VIRTUAL, ITIMER_PROF and the CPU-time clocks' timers on them;
 * nothing runs for one that has no alarm but one load in the tick.
 */
#include <kernel/cap.h>
#include <kernel/errno.h>
#include <kernel/ipc.h>
#include <kernel/process.h>
#include "syscall_defs.h"

void alarm_tick(struct cpu_alarm *a, uint64_t ticks)
{
	spin_lock(&a->lock);
	if (a->at && ticks >= a->at) {
		/* Once: the caller arms it again for the next deadline. */
		a->at = 0;
		notification_signal(a->n, a->bits);
	}
	spin_unlock(&a->lock);
}

void alarm_drop(struct cpu_alarm *a)
{
	if (a->n)
		kobj_put(&a->n->k);
}

/* Arms @a for @ticks of the count at @now (0 disarms): @notification gets @bits. */
static int alarm_set(struct cpu_alarm *a, const uint64_t *now, uint64_t ticks,
		     handle_t notification, uint64_t bits)
{
	struct notification *n = NULL, *old;
	int err = 0;

	if (ticks && !bits)
		return -EINVAL;
	if (ticks && (err = cap_lookup(&process_current()->caps, notification, KOBJ_NOTIFICATION,
				       RIGHT_SEND, (struct kobject **)&n, NULL)))
		return err;
	unsigned long s = spin_lock_irqsave(&a->lock);
	old = a->n;
	a->n = n;
	a->bits = bits;
	a->at = ticks;
	if (ticks && __atomic_load_n(now, __ATOMIC_RELAXED) >= ticks) {
		a->at = 0;
		notification_signal(n, bits);
	}
	spin_unlock_irqrestore(&a->lock, s);
	if (old)
		kobj_put(&old->k);
	return 0;
}

int64_t sys_process_alarm(handle_t process, uint64_t ticks, handle_t notification, uint64_t bits)
{
	struct process *p;
	int err = cap_lookup(&process_current()->caps, process, KOBJ_PROCESS, RIGHT_MANAGE,
			     (struct kobject **)&p, NULL);

	if (err)
		return err;
	err = alarm_set(&p->alarm, &p->ticks, ticks, notification, bits);
	process_put(p);
	return err;
}

/* The same on a thread's own ticks (@thread 0: the caller); -ESRCH once it ended. */
int64_t sys_thread_alarm(handle_t thread, uint64_t ticks, handle_t notification, uint64_t bits)
{
	struct thread *t = thread_current();
	int err = 0;

	if (thread)
		err = cap_lookup(&process_current()->caps, thread, KOBJ_THREAD, RIGHT_MANAGE,
				 (struct kobject **)&t, NULL);
	else
		kobj_get(&t->k);
	if (err)
		return err;
	/* One that ended never ticks again: refused (its destruction drops the alarm). */
	err = t->state == THREAD_DEAD ? -ESRCH
				      : alarm_set(&t->alarm, &t->ticks, ticks, notification, bits);
	kobj_put(&t->k);
	return err;
}
