/*
 * Timers: each process's ITIMER_REAL (alarm, setitimer) and the timers of
 * timer_create, and the timeouts of PROC_SIGTAKE (sigtimedwait). The
 * server's main thread waits only in ipc_recv, which has no timeout, so a
 * second thread sleeps on a notification until the earliest deadline and
 * then calls the server's own endpoint with PROC_TICK (badge 0); the main
 * thread sends the expired timers' signals, ends the timed-out waits and
 * tells the thread the next deadline. An earlier deadline signals the
 * notification, so the thread wakes and sleeps again for less. Nothing is
 * looked at on a period: with no deadline the thread sleeps until told.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "proc.h"

#define TIMER_STACK (16 << 10)

static handle_t notification;
static int64_t deadline; /* written by the main thread, read by the timer thread */

int64_t proc_now(void)
{
	uint64_t ns = 0;

	vr_clock_get(&ns);
	return (int64_t)ns;
}

static void *timer_main(void *arg)
{
	for (;;) {
		int64_t d = __atomic_load_n(&deadline, __ATOMIC_ACQUIRE), now = proc_now();
		uint64_t bits, m[8] = {VR_TAG(PROC_TICK, 0)};
		if (!d || now < d) {
			vr_notify_wait(notification, d ? (uint64_t)(d - now) : 0, &bits);
			continue;
		}
		/* The main thread answers after it has set the next deadline. */
		vr_ipc_call(proc_ep, m);
	}
	return arg;
}

int proc_timer_start(void)
{
	pthread_attr_t attr;
	pthread_t t;
	uint64_t n;

	if (vr_notify_create(&n))
		return -ENOMEM;
	notification = n;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, TIMER_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int err = pthread_create(&t, &attr, timer_main, NULL);
	pthread_attr_destroy(&attr);
	return -err;
}

static int64_t earliest(int64_t a, int64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

void proc_timer_update(void)
{
	int64_t d = 0;

	for (struct proc *p = proc_all; p; p = p->next) {
		for (struct ptimer *t = p->timers; t; t = t->next)
			d = earliest(d, t->due);
		for (struct waiter *w = p->sig_waiters; w; w = w->next)
			d = earliest(d, w->deadline);
	}
	int64_t old = __atomic_exchange_n(&deadline, d, __ATOMIC_ACQ_REL);
	if (d && (!old || d < old))
		vr_notify_signal(notification, 1);
}

void proc_timers_drop(struct proc *p)
{
	while (p->timers) {
		struct ptimer *t = p->timers;
		p->timers = t->next;
		free(t);
	}
}

static struct ptimer *find(struct proc *p, int64_t id)
{
	for (struct ptimer *t = p->timers; t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

static struct ptimer *add(struct proc *p, int id, int sig, int code, uint64_t value)
{
	struct ptimer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->id = id, t->sig = sig, t->code = code, t->value = value;
	t->next = p->timers;
	p->timers = t;
	return t;
}

int64_t op_timer_create(struct proc *caller, uint64_t m[8])
{
	int64_t sig = (int64_t)m[1];
	int id = 1, n = 0;

	if (sig < 0 || sig > SIG_MAX)
		return -EINVAL;
	for (struct ptimer *t = caller->timers; t; t = t->next)
		n += t->id != PROC_TIMER_REAL;
	if (n >= PROC_TIMER_MAX)
		return -EAGAIN;
	while (find(caller, id))
		id++;
	/* w3 1: si_value is the id (a timer_create without a sigevent). */
	return add(caller, id, (int)sig, SI_TIMER, m[3] == 1 ? (uint64_t)id : m[2]) ? id : -ENOMEM;
}

int64_t op_timer_set(struct proc *caller, uint64_t m[8])
{
	int64_t id = (int64_t)m[1], value = (int64_t)m[2], interval = (int64_t)m[3];
	struct ptimer *t = find(caller, id);
	int64_t now = proc_now();

	uint64_t flags = m[4];

	m[4] = 0;
	if (value < 0 || interval < 0 || (flags & ~(uint64_t)PROC_TIMER_GET))
		return -EINVAL;
	if (!t && id != PROC_TIMER_REAL)
		return -EINVAL;
	if (!t && (flags & PROC_TIMER_GET)) {
		m[2] = m[3] = 0;
		return 0;
	}
	if (!t && !(t = add(caller, PROC_TIMER_REAL, SIGALRM, SI_KERNEL, 0)))
		return -ENOMEM;
	int64_t left = t->due ? (t->due > now ? t->due - now : 1) : 0;
	m[2] = (uint64_t)t->interval;
	m[3] = (uint64_t)t->overrun;
	if (flags & PROC_TIMER_GET)
		return left;
	t->due = value ? (value > INT64_MAX - now ? INT64_MAX : now + value) : 0;
	t->interval = value ? interval : 0;
	t->overrun = 0;
	proc_timer_update();
	return left;
}

int64_t op_timer_delete(struct proc *caller, uint64_t m[8])
{
	for (struct ptimer **t = &caller->timers; *t; t = &(*t)->next) {
		if ((*t)->id == (int64_t)m[1] && (*t)->id != PROC_TIMER_REAL) {
			struct ptimer *gone = *t;
			*t = gone->next;
			free(gone);
			return 0;
		}
	}
	return -EINVAL;
}

/* The first timer of a live process that has expired by @now, or NULL; its process in @owner. */
static struct ptimer *expired(int64_t now, struct proc **owner)
{
	for (struct proc *p = proc_all; p; p = p->next) {
		if (p->state != PROC_ALIVE)
			continue;
		for (struct ptimer *t = p->timers; t; t = t->next) {
			if (t->due && t->due <= now) {
				*owner = p;
				return t;
			}
		}
	}
	return NULL;
}

int64_t op_tick(uint64_t m[8])
{
	int64_t now = proc_now();
	struct proc *p;
	struct ptimer *t;

	(void)m;
	/* One at a time, looking again after each: a signal may end its process and free others. */
	while ((t = expired(now, &p))) {
		int skipped = 0;
		if (t->interval) {
			/* Periods that passed unseen count as overruns, as Linux's. */
			int64_t late = (now - t->due) / t->interval;
			skipped = late > INT32_MAX ? INT32_MAX : (int)late;
			t->due += (late + 1) * t->interval;
		} else {
			t->due = 0;
		}
		if (!t->sig)
			continue;
		if (p->sig_pending & SIG_BIT(t->sig)) {
			/* Still pending: one more expiration it stands for. */
			int64_t o = (int64_t)t->overrun + 1 + skipped;
			t->overrun = o > INT32_MAX ? INT32_MAX : (int)o;
			continue;
		}
		t->overrun = skipped;
		proc_signal_value(p, t->sig, 0, t->code, t->value);
	}
	for (p = proc_all; p; p = p->next)
		if (p->sig_waiters)
			proc_sig_expire(p, now);
	proc_timer_update();
	return 0;
}
