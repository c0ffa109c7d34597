/*
 * CPU time: times and getrusage, from the proc server's PROC_TIMES (the
 * kernel's ticks of this process through its execs, the part the kernel
 * took, and the same of the reaped children). Only the times are kept:
 * getrusage's other fields are 0.
 */
#include <sys/resource.h>
#include <sys/times.h>
#include <string.h>

#include "ipc.h"
#include "posix.h"
#include "proto/proc.h"

#define USER_HZ 100	/* clock_t's ticks (sysconf(_SC_CLK_TCK)) */

/* @len bytes at @v out to the caller's @user (-EFAULT for a bad pointer) through the IPC buffer. */
static long copy_out(void *user, const void *v, size_t len)
{
	void *b = px_ipc_buffer();

	if (!b)
		return -ENOMEM;
	memcpy(b, v, len);
	return px_copy_out(user, len);
}

/* Our ticks, the kernel's part, the children's, theirs in the kernel. */
static long cpu_ticks(uint64_t t[4])
{
	uint64_t r[8];

	if (!px_proc)
		return -ENOSYS;
	long err = px_call(px_proc, PROC_TIMES, NULL, 0, NULL, 0, r);
	if (err < 0)
		return err;
	for (int i = 0; i < 4; i++)
		t[i] = r[2 + i];
	return 0;
}

static uint64_t tick_hz(void)
{
	uint64_t hz = 0;

	vr_system_info(INFO_TICK_HZ, &hz);
	return hz ? hz : USER_HZ;
}

long px_times(const long *args)
{
	struct tms *buf = (struct tms *)args[0];
	uint64_t t[4], hz = tick_hz(), ns = 0;
	long err = cpu_ticks(t);

	if (err)
		return err;
	if (buf) {
		struct tms v = {
			.tms_utime = (clock_t)((t[0] - t[1]) * USER_HZ / hz),
			.tms_stime = (clock_t)(t[1] * USER_HZ / hz),
			.tms_cutime = (clock_t)((t[2] - t[3]) * USER_HZ / hz),
			.tms_cstime = (clock_t)(t[3] * USER_HZ / hz),
		};
		if ((err = copy_out(buf, &v, sizeof(v))))
			return err;
	}
	/* The clock ticks since boot, as Linux counts them from an arbitrary point. */
	vr_clock_get(&ns);
	return (long)(ns / (1000000000 / USER_HZ));
}

static struct timeval tv_of(uint64_t ticks, uint64_t hz)
{
	uint64_t us = ticks * 1000000 / hz;

	return (struct timeval){.tv_sec = (time_t)(us / 1000000), .tv_usec = (suseconds_t)(us % 1000000)};
}

/* RUSAGE_THREAD: the calling thread's own ticks (process_ticks of thread 0). */
long px_getrusage(const long *args)
{
	int who = (int)args[0];
	uint64_t t[4], hz = tick_hz();
	struct rusage ru = {0};

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	long err = who == RUSAGE_THREAD ? vr_process_ticks(0, 0, &t[0]) : cpu_ticks(t);
	if (!err && who == RUSAGE_THREAD)
		err = vr_process_ticks(0, 1, &t[1]);
	if (err)
		return err;
	unsigned i = who == RUSAGE_CHILDREN ? 2 : 0;
	ru.ru_utime = tv_of(t[i] - t[i + 1], hz);
	ru.ru_stime = tv_of(t[i + 1], hz);
	return copy_out((void *)args[1], &ru, sizeof(ru));
}
