/*
 * CPU-time alarms: process_alarm asks that a notification get some bits once
 * a process's ticks (its CPU time, as sched_tick samples it) reach a value.
 * The proc server builds ITIMER_VIRTUAL, ITIMER_PROF and the CPU-time clocks'
 * timers on it; nothing runs for a process that has no alarm but one load
 * in the tick.
 */
#include <kernel/cap.h>
#include <kernel/errno.h>
#include <kernel/ipc.h>
#include <kernel/process.h>
#include "syscall_defs.h"

void process_alarm_tick(struct process *p, uint64_t ticks)
{
	spin_lock(&p->alarm_lock);
	if (p->alarm && ticks >= p->alarm) {
		/* Once: the caller arms it again for the next deadline. */
		p->alarm = 0;
		notification_signal(p->alarm_n, p->alarm_bits);
	}
	spin_unlock(&p->alarm_lock);
}

void process_alarm_drop(struct process *p)
{
	if (p->alarm_n)
		kobj_put(&p->alarm_n->k);
}

int64_t sys_process_alarm(handle_t process, uint64_t ticks, handle_t notification, uint64_t bits)
{
	struct cap_table *caps = &process_current()->caps;
	struct notification *n = NULL, *old;
	struct process *p;
	int err =
	    cap_lookup(caps, process, KOBJ_PROCESS, RIGHT_MANAGE, (struct kobject **)&p, NULL);

	if (err)
		return err;
	if (ticks && !bits)
		err = -EINVAL;
	else if (ticks)
		err = cap_lookup(caps, notification, KOBJ_NOTIFICATION, RIGHT_SEND,
				 (struct kobject **)&n, NULL);
	if (err) {
		process_put(p);
		return err;
	}
	unsigned long s = spin_lock_irqsave(&p->alarm_lock);
	old = p->alarm_n;
	p->alarm_n = n;
	p->alarm_bits = bits;
	p->alarm = ticks;
	if (ticks && __atomic_load_n(&p->ticks, __ATOMIC_RELAXED) >= ticks) {
		p->alarm = 0;
		notification_signal(n, bits);
	}
	spin_unlock_irqrestore(&p->alarm_lock, s);
	if (old)
		kobj_put(&old->k);
	process_put(p);
	return 0;
}
