/*
 * Clocks and sleeping, on the kernel's clock_get (nanoseconds since boot) and
 * thread_sleep. There is no wall clock yet: CLOCK_REALTIME counts from boot too.
 * The CPU-time clocks count the kernel's ticks (process_ticks) of the process
 * or of one of its threads.
 */
#include <time.h>

#include "ipc.h"
#include "posix.h"
#include "proto/proc.h"

#define NS 1000000000LL

int64_t px_timespec_ns(const struct timespec *ts)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NS)
		return -EINVAL;
	if (ts->tv_sec > INT64_MAX / NS - 1)
		return INT64_MAX;
	return ts->tv_sec * NS + ts->tv_nsec;
}

static int clock_ok(long id)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME: return 1;
	default: return 0;
	}
}

int px_cpu_clock(long clock, int *tid, bool *user)
{
	int id = (int)clock, self = (int)px_getpid(NULL);

	*tid = 0, *user = false;
	if (id == CLOCK_PROCESS_CPUTIME_ID)
		return 1;
	if (id == CLOCK_THREAD_CPUTIME_ID)
		return *tid = px_sig_tid(), 1;
	if (id >= 0)
		return 0;
	/* Linux's: ~pid << 3 | which (0 PROF, 1 VIRT, 2 SCHED), | 4 for a thread; pid 0 the caller. */
	int which = id & 3, pid = ~(id >> 3);
	if (which == 3)
		return -EINVAL;
	*user = which == 1;
	if (!(id & 4))
		return pid == 0 || pid == self ? 1 : -EINVAL;
	*tid = pid ? px_tid_in(self, pid) : px_sig_tid();
	return *tid ? 1 : -EINVAL;
}

int64_t px_tick_ns(void)
{
	static int64_t tick;
	uint64_t hz = 0;

	if (!tick) {
		vr_system_info(INFO_TICK_HZ, &hz);
		tick = hz ? NS / (int64_t)hz : NS / 100;
	}
	return tick;
}

long px_cpu_ticks(int tid, bool user, uint64_t *ticks)
{
	uint64_t all = 0, kernel = 0, r[8];
	long err;

	if (!tid || tid == px_sig_tid()) {
		/* The process (its own handle) or the calling thread (0): the kernel's counts. */
		handle_t h = tid ? 0 : px_self;
		err = vr_process_ticks(h, 0, &all);
		if (!err && user)
			err = vr_process_ticks(h, 1, &kernel);
	} else {
		/* Another thread: the proc server holds its handle. */
		const uint64_t w[1] = {(uint64_t)tid};
		err = px_proc ? px_call(px_proc, PROC_TIMES, w, 1, NULL, 0, r) : -ENOSYS;
		all = r[2], kernel = r[3];
	}
	if (err < 0)
		return err;
	*ticks = all - (user ? (kernel < all ? kernel : all) : 0);
	return 0;
}

long px_clock_gettime(const long *args)
{
	struct timespec *ts = (struct timespec *)args[1];
	uint64_t ns, ticks;
	bool user;
	int tid, cpu = px_cpu_clock(args[0], &tid, &user);
	int64_t err;

	if (cpu < 0 || (!cpu && !clock_ok(args[0])))
		return -EINVAL;
	if (cpu && (err = px_cpu_ticks(tid, user, &ticks)))
		return err;
	if (cpu)
		ns = ticks * (uint64_t)px_tick_ns();
	else if ((err = vr_clock_get(&ns)))
		return err;
	ts->tv_sec = (time_t)(ns / NS);
	ts->tv_nsec = (long)(ns % NS);
	return 0;
}

long px_clock_getres(const long *args)
{
	struct timespec *ts = (struct timespec *)args[1];
	bool user;
	int tid, cpu = px_cpu_clock(args[0], &tid, &user);

	/* A CPU-time clock's too, as Linux's: 1 ns, though it moves a tick at a time. */
	if (cpu < 0 || (!cpu && !clock_ok(args[0])))
		return -EINVAL;
	if (ts)
		*ts = (struct timespec){0, 1};
	return 0;
}

static long sleep_ns(const struct timespec *req, struct timespec *rem)
{
	int64_t ns = px_timespec_ns(req);

	if (ns < 0)
		return ns;
	if (rem)
		*rem = (struct timespec){0, 0};
	uint64_t start = 0, now = 0;
	vr_clock_get(&start);
	int64_t err = ns ? vr_thread_sleep((uint64_t)ns) : 0;
	if (err == -EINTR) {
		/* A signal: the time left, for nanosleep's caller to sleep again. */
		px_kernel_eintr = 1;
		vr_clock_get(&now);
		uint64_t left = now - start < (uint64_t)ns ? (uint64_t)ns - (now - start) : 0;
		if (rem)
			*rem = (struct timespec){(time_t)(left / 1000000000), (long)(left % 1000000000)};
	}
	return err;
}

long px_nanosleep(const long *args)
{
	return sleep_ns((const struct timespec *)args[0], (struct timespec *)args[1]);
}

long px_clock_nanosleep(const long *args)
{
	const struct timespec *req = (const struct timespec *)args[2];

	if (!clock_ok(args[0]))
		return -EINVAL;
	if (args[1] & TIMER_ABSTIME) {
		uint64_t now;
		int64_t want = px_timespec_ns(req), err = vr_clock_get(&now);
		if (want < 0)
			return want;
		if (err)
			return err;
		err = (uint64_t)want > now ? vr_thread_sleep((uint64_t)want - now) : 0;
		if (err == -EINTR)
			px_kernel_eintr = 1;
		return err;
	}
	return sleep_ns(req, (struct timespec *)args[3]);
}
