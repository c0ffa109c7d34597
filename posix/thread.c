/* Threads and futexes: musl's 32-bit futexes are the kernel's, one to one. */
#include <time.h>

#include "posix.h"
#include "proto/proc.h"

/* Linux's futex operations (linux/futex.h). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256

/* The main thread's; other threads get theirs from clone (clone.c). */
long px_set_tid_address(const long *args)
{
	/* The kernel clears and wakes it when the thread exits, wherever its memory went. */
	int64_t err = vr_thread_set_clear_tid(0, (uint32_t *)args[0]);
	return err ? err : px_tid_out(PROC_TID_MAIN);
}

/* musl keeps every thread's id in its descriptor and asks only at start-up. */
long px_gettid(const long *args)
{
	return px_tid_out(px_sig_tid());
}

int px_tid_out(int tid)
{
	return tid == PROC_TID_MAIN ? (int)px_getpid(NULL) : PX_TID_BASE + tid;
}

int px_tid_in(int pid, int tid)
{
	if (tid == pid)
		return PROC_TID_MAIN;
	return tid > PX_TID_BASE ? tid - PX_TID_BASE : 0;
}

static long futex_wait(const int *uaddr, int val, const struct timespec *timeout)
{
	uint64_t ns = 0;

	if (timeout) {
		int64_t t = px_timespec_ns(timeout);
		if (t < 0)
			return t;
		if (t == 0)
			return -ETIMEDOUT;
		ns = (uint64_t)t;
	}
	int64_t err = vr_futex_wait((uint32_t *)uaddr, (uint32_t)val, ns);
	if (err == -EINTR)
		px_kernel_eintr = 1;
	return err;
}

static long futex_wake(const int *uaddr, int count)
{
	uint64_t woken = 0;
	int64_t err = vr_futex_wake((uint32_t *)uaddr, count < 0 ? 0 : (uint64_t)count, &woken);

	return err ? err : (long)woken;
}

long px_futex(const long *args)
{
	const int *uaddr = (const int *)args[0];
	int op = (int)args[1] & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);

	switch (op) {
	case FUTEX_WAIT: return futex_wait(uaddr, (int)args[2], (const struct timespec *)args[3]);
	case FUTEX_WAKE: return futex_wake(uaddr, (int)args[2]);
	default: return -ENOSYS;
	}
}

long px_sched_yield(const long *args)
{
	return vr_thread_yield();
}

long px_exit(const long *args)
{
	for (;;)
		vr_thread_exit(args[0] & 0xff);
}
