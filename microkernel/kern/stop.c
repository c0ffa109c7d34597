/*
 * Stopping a process, the kernel's half of job control (SIGSTOP and the
 * other stop signals): process_stop marks a process stopped and each of its
 * threads parks at its next return to user mode until the process is
 * continued. A thread running user code on another CPU is kicked with an
 * IPI; a thread blocked in the kernel (a wait, an IPC call a server holds)
 * is left there: its call completes or fails as it would have, and the
 * thread parks on the way out, as a stopped Linux task does. A stop
 * returns once no thread of the process runs user code, so the caller
 * (the proc server, reporting the stop to a parent's wait) may take it as done.
 */
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/thread.h>

/* Whether a thread of @p other than the caller still runs with a stop to take. */
static bool stop_in_flight(struct process *p)
{
	unsigned long s = spin_lock_irqsave(&p->lock);
	bool busy = false;

	for (struct thread *t = p->threads; t && !busy; t = t->proc_next)
		busy = t != thread_current() &&
		       __atomic_load_n(&t->state, __ATOMIC_RELAXED) == THREAD_RUNNING &&
		       (__atomic_load_n(&t->pending, __ATOMIC_RELAXED) & PENDING_STOP);
	spin_unlock_irqrestore(&p->lock, s);
	return busy;
}

unsigned process_stop(struct process *p, enum stop_op op)
{
	unsigned long s = spin_lock_irqsave(&p->stop_wq.lock);

	if (op != STOP_QUERY)
		p->stopped = op == STOP_STOP;
	if (op == STOP_CONTINUE)
		wq_wake_all(&p->stop_wq, 0, 0);
	unsigned parked = p->nparked;
	spin_unlock_irqrestore(&p->stop_wq.lock, s);
	if (op != STOP_STOP)
		return parked;
	/*
	 * After p->stopped is set: a thread added from now on sees it
	 * (process_add_thread), one already on the list is marked here.
	 */
	s = spin_lock_irqsave(&p->lock);
	for (struct thread *t = p->threads; t; t = t->proc_next) {
		__atomic_fetch_or(&t->pending, PENDING_STOP, __ATOMIC_SEQ_CST);
		struct cpu *c = t->cpu;
		if (c && t->state == THREAD_RUNNING && c != this_cpu())
			arch_send_ipi(c);
	}
	spin_unlock_irqrestore(&p->lock, s);
	/* Running threads take the IPI at once; one in a system call blocks or parks soon. */
	while (stop_in_flight(p))
		sched_yield();
	return parked;
}

void process_stop_park(struct thread *t)
{
	struct process *p = t->proc;
	unsigned long s = spin_lock_irqsave(&p->stop_wq.lock);

	/* Cleared under the lock that p->stopped is read under: a later stop marks it again. */
	__atomic_fetch_and(&t->pending, (uint8_t)~PENDING_STOP, __ATOMIC_RELAXED);
	while (p->stopped && !(__atomic_load_n(&t->pending, __ATOMIC_RELAXED) & PENDING_KILL)) {
		p->nparked++;
		/* stop_wq is no_intr: only a kill (or the continue) ends this wait. */
		wq_wait(&p->stop_wq, s, 0);
		s = spin_lock_irqsave(&p->stop_wq.lock);
		p->nparked--;
	}
	spin_unlock_irqrestore(&p->stop_wq.lock, s);
}

/* A process's ticks, or a thread's (@process 0: the caller's); -ESRCH for a thread that ended. */
int64_t sys_process_ticks(handle_t process, uint64_t what, uint64_t *ticks)
{
	struct thread *t = thread_current();
	struct kobject *o = &t->k;
	int err = 0;

	if (what > 1)
		return -EINVAL;
	if (process &&
	    (err = cap_lookup(&process_current()->caps, process, KOBJ_NONE, 0, &o, NULL)))
		return err;
	if (o->type == KOBJ_PROCESS) {
		struct process *p = (struct process *)o;
		*ticks = __atomic_load_n(what ? &p->kticks : &p->ticks, __ATOMIC_RELAXED);
	} else if (o->type == KOBJ_THREAD) {
		t = (struct thread *)o;
		*ticks = __atomic_load_n(what ? &t->kticks : &t->ticks, __ATOMIC_RELAXED);
		err = t->state == THREAD_DEAD ? -ESRCH : 0;
	} else {
		err = -EINVAL;
	}
	if (process)
		kobj_put(o);
	return err;
}

int64_t sys_process_stop(handle_t process, uint64_t op, uint64_t *parked)
{
	struct process *p;

	if (op > STOP_QUERY)
		return -EINVAL;
	int err = cap_lookup(&process_current()->caps, process, KOBJ_PROCESS, RIGHT_MANAGE,
			     (struct kobject **)&p, NULL);
	if (err)
		return err;
	*parked = process_stop(p, (enum stop_op)op);
	process_put(p);
	return 0;
}
