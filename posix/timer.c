/*
 * Timers that send signals: setitimer/getitimer (ITIMER_REAL, and so musl's
 * alarm; ITIMER_VIRTUAL and ITIMER_PROF on the process's CPU time) and
 * timer_create/timer_settime/timer_gettime/timer_getoverrun/timer_delete
 * with SIGEV_SIGNAL, SIGEV_NONE or SIGEV_THREAD_ID (musl's SIGEV_THREAD is
 * a thread of its own that waits for SIGTIMER sent to it so). The proc
 * server keeps them (PROC_TIMER_*, proto/proc.h) and sends the signal when
 * one expires; the signal is then delivered as any other. There is one
 * clock (CLOCK_REALTIME counts from boot as CLOCK_MONOTONIC does);
 * CLOCK_PROCESS_CPUTIME_ID timers count the process's CPU time, and
 * CLOCK_THREAD_CPUTIME_ID's and pthread_getcpuclockid's one thread's.
 */
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "ipc.h"
#include "posix.h"
#include "proto/proc.h"

#define NS 1000000000LL
#define SIGEV_THREAD_ID 4

/* The kernel ABI's struct sigevent, as musl passes it to timer_create. */
struct k_sigevent {
	uint64_t value;
	int signo, notify, tid;
};

static long timer_call(uint32_t op, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t r[8])
{
	const uint64_t w[4] = {a, b, c, d};

	return px_proc ? px_call(px_proc, op, w, 4, NULL, 0, r) : -ENOSYS;
}

/*
 * PROC_TIMER_CREATE: a timer on @clock (PROC_CLOCK_THREAD: thread @ctid's) sending @sig (0: none)
 * with @value to thread @tid (0: any).
 */
static long timer_new(uint64_t clock, int ctid, int sig, uint64_t value, uint64_t flags, int tid)
{
	const uint64_t w[6] = {(uint64_t)sig, value, flags, clock, (uint64_t)tid, (uint64_t)ctid};
	uint64_t r[8];

	return px_proc ? px_call(px_proc, PROC_TIMER_CREATE, w, 6, NULL, 0, r) : -ENOSYS;
}

static int64_t timeval_ns(const struct timeval *tv)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -EINVAL;
	if (tv->tv_sec > INT64_MAX / NS - 1)
		return INT64_MAX;
	return tv->tv_sec * NS + tv->tv_usec * 1000;
}

/* @ns as a timeval, rounded up to a microsecond so that a timer still running never reads 0. */
static struct timeval ns_timeval(int64_t ns)
{
	ns = (ns + 999) / 1000;
	return (struct timeval){.tv_sec = ns / 1000000, .tv_usec = ns % 1000000};
}

static struct timespec ns_timespec(int64_t ns)
{
	return (struct timespec){.tv_sec = ns / NS, .tv_nsec = ns % NS};
}

static long itimer(long which, int64_t value, int64_t interval, uint64_t flags,
		   struct itimerval *old)
{
	uint64_t r[8];

	if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF)
		return -EINVAL;
	/* The server's ids of the interval timers are -which. */
	long left = timer_call(PROC_TIMER_SET, (uint64_t)-which, (uint64_t)value,
			       (uint64_t)interval, flags, r);
	if (left < 0)
		return left;
	if (old) {
		old->it_value = ns_timeval(left);
		old->it_interval = ns_timeval((int64_t)r[2]);
	}
	return 0;
}

long px_setitimer(const long *args)
{
	const struct itimerval *new = (const struct itimerval *)args[1];
	int64_t value, interval;

	if (!new)
		return -EFAULT;
	if ((value = timeval_ns(&new->it_value)) < 0)
		return value;
	if ((interval = timeval_ns(&new->it_interval)) < 0)
		return interval;
	return itimer(args[0], value, interval, 0, (struct itimerval *)args[2]);
}

long px_getitimer(const long *args)
{
	if (!args[1])
		return -EFAULT;
	return itimer(args[0], 0, 0, PROC_TIMER_GET, (struct itimerval *)args[1]);
}

long px_timer_create(const long *args)
{
	const struct k_sigevent *sev = (const struct k_sigevent *)args[1];
	int *id = (int *)args[2], tid = 0, ctid;
	bool user;
	int cpu = px_cpu_clock(args[0], &ctid, &user);
	uint64_t clock = PROC_CLOCK_REAL;
	long t;

	/* A thread's user time alone is not kept: all of its CPU time is. */
	if (cpu < 0 || (ctid && user))
		return -EINVAL;
	if (cpu)
		clock = ctid ? PROC_CLOCK_THREAD : user ? PROC_CLOCK_USER : PROC_CLOCK_CPU;
	else if (args[0] != CLOCK_REALTIME && args[0] != CLOCK_MONOTONIC &&
		 args[0] != CLOCK_BOOTTIME)
		return -EINVAL;
	if (!id)
		return -EFAULT;
	if (!sev)
		t = timer_new(clock, ctid, SIGALRM, 0, 1, 0);
	else if (sev->notify == SIGEV_NONE)
		t = timer_new(clock, ctid, 0, sev->value, 0, 0);
	else if (sev->notify != SIGEV_SIGNAL && sev->notify != SIGEV_THREAD_ID)
		return -EINVAL;
	else if (sev->signo < 1 || sev->signo > _NSIG - 1)
		return -EINVAL;
	else if (sev->notify == SIGEV_THREAD_ID &&
		 !(tid = px_tid_in((int)px_getpid(NULL), sev->tid)))
		return -EINVAL;
	else
		t = timer_new(clock, ctid, sev->signo, sev->value, 0, tid);
	if (t < 0)
		return t;
	*id = (int)t;
	return 0;
}

static long timer_get(long id, struct itimerspec *cur, long left, const uint64_t r[8])
{
	if (left < 0)
		return left;
	if (cur) {
		cur->it_value = ns_timespec(left);
		cur->it_interval = ns_timespec((int64_t)r[2]);
	}
	(void)id;
	return 0;
}

long px_timer_settime(const long *args)
{
	long id = (int)args[0], flags = args[1];
	const struct itimerspec *new = (const struct itimerspec *)args[2];
	int64_t value, interval;
	uint64_t r[8];

	if (id < 1 || !new || (flags & ~(long)TIMER_ABSTIME))
		return id < 1 ? -EINVAL : !new ? -EFAULT : -EINVAL;
	if ((value = px_timespec_ns(&new->it_value)) < 0)
		return value;
	if ((interval = px_timespec_ns(&new->it_interval)) < 0)
		return interval;
	/* An absolute time is on the timer's clock, which the server knows. */
	long left = timer_call(PROC_TIMER_SET, (uint64_t)id, (uint64_t)value, (uint64_t)interval,
			       flags & TIMER_ABSTIME ? PROC_TIMER_ABS : 0, r);
	return timer_get(id, (struct itimerspec *)args[3], left, r);
}

long px_timer_gettime(const long *args)
{
	long id = (int)args[0];
	uint64_t r[8];

	if (id < 1)
		return -EINVAL;
	if (!args[1])
		return -EFAULT;
	long left = timer_call(PROC_TIMER_SET, (uint64_t)id, 0, 0, PROC_TIMER_GET, r);
	return timer_get(id, (struct itimerspec *)args[1], left, r);
}

long px_timer_getoverrun(const long *args)
{
	long id = (int)args[0];
	uint64_t r[8];

	if (id < 1)
		return -EINVAL;
	long left = timer_call(PROC_TIMER_SET, (uint64_t)id, 0, 0, PROC_TIMER_GET, r);
	return left < 0 ? left : (long)r[3];
}

long px_timer_delete(const long *args)
{
	long id = (int)args[0];
	uint64_t r[8];

	if (id < 1)
		return -EINVAL;
	return timer_call(PROC_TIMER_DELETE, (uint64_t)id, 0, 0, 0, r);
}
