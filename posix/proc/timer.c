/*
 * Timers: each process's interval timers (ITIMER_REAL, alarm; ITIMER_VIRTUAL
 * and ITIMER_PROF) and the timers of timer_create, and the timeouts of
 * PROC_SIGTAKE (sigtimedwait). The
 * server's main thread waits only in ipc_recv, which has no timeout, so a
 * second thread sleeps on a notification until the earliest deadline and
 * then calls the server's own endpoint with PROC_TICK (badge 0); the main
 * thread sends the expired timers' signals, ends the timed-out waits and
 * tells the thread the next deadline. An earlier deadline signals the
 * notification, so the thread wakes and sleeps again for less. Nothing is
 * looked at on a period: with no deadline the thread sleeps until told.
 *
 * Timers on a CPU-time clock (ITIMER_VIRTUAL: the process's user time;
 * ITIMER_PROF and CLOCK_PROCESS_CPUTIME_ID: all of it) count the kernel's
 * ticks (process_ticks). The kernel's alarm on the process (process_alarm)
 * signals the notification with ALARM_BIT once its ticks reach the earliest
 * such deadline (for user time, the ticks it needs at the least: kernel
 * ticks may come between, so it is armed again then); the thread then calls
 * PROC_TICK as for a deadline of the clock.
 *
 * A thread's CPU clock (PROC_CLOCK_THREAD) counts that thread's ticks
 * (process_ticks of its handle): its timers arm the kernel thread's own
 * alarm (thread_alarm) the same way. Once the thread ended, its timers never
 * expire, read as disarmed, and setting one is -ESRCH, as Linux's.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "proc.h"

#define TIMER_STACK (16 << 10)
#define NS 1000000000LL
#define CHANGED_BIT 1 /* the notification's bits: the deadline changed */
#define ALARM_BIT 2   /* a process's or a thread's CPU-time alarm went off */

static handle_t notification;
static int64_t deadline; /* written by the main thread, read by the timer thread */
static int64_t tick_ns;	 /* the length of a kernel tick */

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
		uint64_t bits = 0, m[8] = {VR_TAG(PROC_TICK, 0)};
		if (!d || now < d) {
			vr_notify_wait(notification, d ? (uint64_t)(d - now) : 0, &bits);
			if (!(bits & ALARM_BIT))
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
	uint64_t n, hz = 0;

	if (vr_notify_create(&n))
		return -ENOMEM;
	notification = n;
	vr_system_info(INFO_TICK_HZ, &hz);
	tick_ns = hz ? NS / (int64_t)hz : NS / 100;
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
			if (t->clock == PROC_CLOCK_REAL)
				d = earliest(d, t->due);
		for (struct waiter *w = p->sig_waiters; w; w = w->next)
			d = earliest(d, w->deadline);
	}
	int64_t old = __atomic_exchange_n(&deadline, d, __ATOMIC_ACQ_REL);
	if (d && (!old || d < old))
		vr_notify_signal(notification, CHANGED_BIT);
}

/* Whether @p has a timer armed on a CPU-time clock, or a kernel alarm armed for one. */
static bool cpu_armed(const struct proc *p)
{
	for (struct ptimer *t = p->timers; t; t = t->next)
		if (t->clock != PROC_CLOCK_REAL && t->due)
			return true;
	for (struct proc_thread *th = p->threads; th; th = th->next)
		if (th->alarm)
			return true;
	return p->cpu_alarm;
}

/* Thread @tid's CPU time in ticks; -1 when it is not there or ended. */
static int64_t thread_ticks(struct proc *p, int tid)
{
	struct proc_thread *th = p->process ? proc_thread(p, tid) : NULL;
	uint64_t ticks = 0;

	if (!th || !th->handle || vr_process_ticks(th->handle, 0, &ticks))
		return -1;
	return (int64_t)ticks;
}

/* @p's CPU time in ticks: all of it (PROC_CLOCK_CPU) or its user part (PROC_CLOCK_USER). */
static int64_t cpu_ticks(const struct proc *p, int clock)
{
	uint64_t all = 0, kernel = 0;

	if (p->process) {
		vr_process_ticks(p->process, 0, &all);
		if (clock == PROC_CLOCK_USER)
			vr_process_ticks(p->process, 1, &kernel);
	}
	return (int64_t)(all - (kernel < all ? kernel : all));
}

/*
 * The time on @t's clock, in ns: the clock's @now, @p's CPU time or its
 * thread's (-1: that thread ended).
 */
static int64_t clock_now(struct proc *p, const struct ptimer *t, int64_t now)
{
	if (t->clock == PROC_CLOCK_THREAD) {
		int64_t ticks = thread_ticks(p, t->ctid);
		return ticks < 0 ? -1 : ticks * tick_ns;
	}
	return t->clock == PROC_CLOCK_REAL ? now : cpu_ticks(p, t->clock) * tick_ns;
}

/* The ticks at which @t's CPU clock reaches its deadline. */
static int64_t due_ticks(const struct ptimer *t)
{
	int64_t ticks = (t->due + tick_ns - 1) / tick_ns;

	return ticks > 0 ? ticks : 1;
}

/* Arms @th's kernel thread alarm for its earliest deadline among @p's timers (none: disarms). */
static void thread_arm(struct proc *p, struct proc_thread *th)
{
	int64_t at = 0;

	for (struct ptimer *t = p->timers; t; t = t->next)
		if (t->clock == PROC_CLOCK_THREAD && t->due && t->ctid == th->tid)
			at = earliest(at, due_ticks(t));
	if ((at || th->alarm) && th->handle)
		vr_thread_alarm(th->handle, (uint64_t)at, at ? notification : 0, ALARM_BIT);
	th->alarm = at != 0;
}

/*
 * Arms @p's kernel alarm for its earliest CPU-time deadline: the ticks at
 * which its CPU time reaches it, or for user time the ticks it reaches it
 * at the soonest (all of them in user mode). Disarms it when there is none.
 */
static void cpu_arm(struct proc *p)
{
	int64_t at = 0, all, user = -1;

	if (!p->process || p->state != PROC_ALIVE)
		return;
	all = cpu_ticks(p, PROC_CLOCK_CPU);
	for (struct ptimer *t = p->timers; t; t = t->next) {
		if (t->clock == PROC_CLOCK_REAL || t->clock == PROC_CLOCK_THREAD || !t->due)
			continue;
		int64_t ticks = due_ticks(t);
		if (t->clock == PROC_CLOCK_USER) {
			if (user < 0)
				user = cpu_ticks(p, PROC_CLOCK_USER);
			ticks = all + (ticks > user ? ticks - user : 1);
		}
		at = earliest(at, ticks);
	}
	if (at || p->cpu_alarm)
		vr_process_alarm(p->process, (uint64_t)at, at ? notification : 0, ALARM_BIT);
	p->cpu_alarm = at != 0;
	proc_thread(p, PROC_TID_MAIN); /* listed, so that its timers arm it too */
	for (struct proc_thread *th = p->threads; th; th = th->next)
		thread_arm(p, th);
}

void proc_timers_drop(struct proc *p)
{
	if (p->cpu_alarm && p->process)
		vr_process_alarm(p->process, 0, 0, 0);
	p->cpu_alarm = false;
	for (struct proc_thread *th = p->threads; th; th = th->next) {
		if (th->alarm && th->handle)
			vr_thread_alarm(th->handle, 0, 0, 0);
		th->alarm = false;
	}
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

static struct ptimer *add(struct proc *p, int id, int clock, int sig, int code, uint64_t value)
{
	struct ptimer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->id = id, t->clock = clock, t->sig = sig, t->code = code, t->value = value;
	t->next = p->timers;
	p->timers = t;
	return t;
}

int64_t op_timer_create(struct proc *caller, uint64_t m[8])
{
	int64_t sig = (int64_t)m[1], tid = (int64_t)m[5], ctid = (int64_t)m[6];
	uint64_t clock = m[4];
	int id = 1, n = 0;
	struct ptimer *t;

	if (sig < 0 || sig > SIG_MAX || m[3] > 1 || clock > PROC_CLOCK_THREAD)
		return -EINVAL;
	/* A thread's CPU clock: a live thread of the caller's. */
	if (clock == PROC_CLOCK_THREAD &&
	    (ctid <= 0 || ctid > INT32_MAX || thread_ticks(caller, (int)ctid) < 0))
		return -EINVAL;
	/* SIGEV_THREAD_ID: a thread of the caller's, with a signal. */
	if (tid && (!sig || tid < 0 || tid > INT32_MAX || !proc_thread(caller, (int)tid)))
		return -EINVAL;
	for (t = caller->timers; t; t = t->next)
		n += t->id > 0;
	if (n >= PROC_TIMER_MAX)
		return -EAGAIN;
	while (find(caller, id))
		id++;
	/* w3 1: si_value is the id (a timer_create without a sigevent). */
	t = add(caller, id, (int)clock, (int)sig, SI_TIMER, m[3] == 1 ? (uint64_t)id : m[2]);
	if (!t)
		return -ENOMEM;
	t->tid = (int)tid;
	t->ctid = clock == PROC_CLOCK_THREAD ? (int)ctid : 0;
	return id;
}

/* A new interval timer @id (PROC_TIMER_REAL, _VIRTUAL or _PROF) with its signal and clock. */
static struct ptimer *itimer(struct proc *p, int64_t id)
{
	static const int sig[] = {SIGALRM, SIGVTALRM, SIGPROF};
	static const int clock[] = {PROC_CLOCK_REAL, PROC_CLOCK_USER, PROC_CLOCK_CPU};

	return add(p, (int)id, clock[-id], sig[-id], SI_KERNEL, 0);
}

int64_t op_timer_set(struct proc *caller, uint64_t m[8])
{
	int64_t id = (int64_t)m[1], value = (int64_t)m[2], interval = (int64_t)m[3];
	struct ptimer *t = find(caller, id);
	int64_t now = proc_now();

	uint64_t flags = m[4];

	m[4] = 0;
	if (value < 0 || interval < 0 || (flags & ~(uint64_t)(PROC_TIMER_GET | PROC_TIMER_ABS)))
		return -EINVAL;
	if (!t && (id > PROC_TIMER_REAL || id < PROC_TIMER_PROF))
		return -EINVAL;
	if (!t && (flags & PROC_TIMER_GET)) {
		m[2] = m[3] = 0;
		return 0;
	}
	if (!t && !(t = itimer(caller, id)))
		return -ENOMEM;
	now = clock_now(caller, t, now);
	if (now < 0) {
		/* Its thread ended: disarmed for good. */
		t->due = t->interval = 0;
		m[2] = m[3] = 0;
		return flags & PROC_TIMER_GET ? 0 : -ESRCH;
	}
	int64_t left = t->due ? (t->due > now ? t->due - now : 1) : 0;
	m[2] = (uint64_t)t->interval;
	m[3] = (uint64_t)t->overrun;
	if (flags & PROC_TIMER_GET)
		return left;
	if (value && (flags & PROC_TIMER_ABS))
		/* A time already past expires at once (at the next look). */
		t->due = value > now ? value : now ? now : 1;
	else
		t->due = value ? (value > INT64_MAX - now ? INT64_MAX : now + value) : 0;
	t->interval = value ? interval : 0;
	t->overrun = 0;
	if (t->clock == PROC_CLOCK_REAL)
		proc_timer_update();
	else
		cpu_arm(caller);
	return left;
}

int64_t op_timer_delete(struct proc *caller, uint64_t m[8])
{
	for (struct ptimer **t = &caller->timers; *t; t = &(*t)->next) {
		if ((*t)->id == (int64_t)m[1] && (*t)->id > 0) {
			struct ptimer *gone = *t;
			*t = gone->next;
			free(gone);
			if (cpu_armed(caller))
				cpu_arm(caller);
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * The first timer of a live process that has expired by @now (a CPU-time
 * one: by its process's time), or NULL; its process in @owner, the time on
 * its clock in @when.
 */
static struct ptimer *expired(int64_t now, struct proc **owner, int64_t *when)
{
	for (struct proc *p = proc_all; p; p = p->next) {
		if (p->state != PROC_ALIVE)
			continue;
		for (struct ptimer *t = p->timers; t; t = t->next) {
			if (!t->due)
				continue;
			if ((*when = clock_now(p, t, now)) < 0)
				t->due = 0; /* its thread ended: it never expires */
			if (*when < t->due || !t->due)
				continue;
			*owner = p;
			return t;
		}
	}
	return NULL;
}

int64_t op_tick(uint64_t m[8])
{
	int64_t now = proc_now(), when;
	struct proc *p;
	struct ptimer *t;

	(void)m;
	/* One at a time, looking again after each: a signal may end its process and free others. */
	while ((t = expired(now, &p, &when))) {
		struct proc_thread *to = NULL;
		int skipped = 0;
		if (t->interval) {
			/* Periods that passed unseen count as overruns, as Linux's. */
			int64_t late = (when - t->due) / t->interval;
			skipped = late > INT32_MAX ? INT32_MAX : (int)late;
			t->due += (late + 1) * t->interval;
		} else {
			t->due = 0;
		}
		/* SIGEV_THREAD_ID: a thread the server forgot (it ended) gets nothing. */
		if (!t->sig || (t->tid && !(to = proc_thread(p, t->tid))))
			continue;
		if ((to ? to->pending : p->sig_pending) & SIG_BIT(t->sig)) {
			/* Still pending: one more expiration it stands for. */
			int64_t o = (int64_t)t->overrun + 1 + skipped;
			t->overrun = o > INT32_MAX ? INT32_MAX : (int)o;
			continue;
		}
		t->overrun = skipped;
		proc_signal_to(p, to, t->sig, 0, t->code, t->value);
	}
	for (p = proc_all; p; p = p->next) {
		if (p->sig_waiters)
			proc_sig_expire(p, now);
		if (cpu_armed(p))
			cpu_arm(p);
	}
	proc_timer_update();
	return 0;
}
