/*
 * Clocks and sleeping, on the kernel's clock_get (nanoseconds since boot) and
 * thread_sleep. There is no wall clock yet: CLOCK_REALTIME counts from boot too.
 */
#include <time.h>

#include "posix.h"

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

long px_clock_gettime(const long *args)
{
	struct timespec *ts = (struct timespec *)args[1];
	uint64_t ns;

	if (!clock_ok(args[0]))
		return -EINVAL;
	int64_t err = vr_clock_get(&ns);
	if (err)
		return err;
	ts->tv_sec = (time_t)(ns / NS);
	ts->tv_nsec = (long)(ns % NS);
	return 0;
}

long px_clock_getres(const long *args)
{
	struct timespec *ts = (struct timespec *)args[1];

	if (!clock_ok(args[0]))
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
