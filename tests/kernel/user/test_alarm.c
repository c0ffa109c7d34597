/*
 * process_alarm: a spinning process's alarm signals the notification once
 * its ticks reach the value asked for, and only then; one already reached
 * goes off at once; a disarmed one never does. Bad requests fail.
 * thread_alarm: the same on one thread's ticks (process_ticks of a thread):
 * a spinning thread's goes off while a sleeping one's does not.
 */
#include "../../../roottask/utest.h"

static volatile uint64_t *spins;

static uint64_t spin_forever(uint64_t arg)
{
	for (;;)
		__atomic_fetch_add(spins, 1, __ATOMIC_RELAXED);
	return 0;
}

/*
 * @arm (process_alarm or thread_alarm) on @h, whose ticks are at least
 * *@later: an alarm reached already goes off at once; a disarmed one never
 * does (the notification stays quiet while @h runs four more ticks).
 */
static const char *reached_and_disarmed(int64_t (*arm)(handle_t, uint64_t, handle_t, uint64_t),
					handle_t h, handle_t n, uint64_t *later)
{
	uint64_t bits = 0, t0 = *later;

	UCHECK(arm(h, 1, n, 0x4) == 0, "alarm (reached)");
	UCHECK(vr_notify_poll(n, &bits) == 0 && bits == 0x4, "a reached alarm: %lx", bits);
	UCHECK(arm(h, t0 + 2, n, 0x8) == 0, "alarm");
	UCHECK(arm(h, 0, 0, 0) == 0, "alarm 0 disarms");
	while (vr_process_ticks(h, 0, later) == 0 && *later < t0 + 4)
		vr_thread_sleep(5000000);
	UCHECK(vr_notify_poll(n, &bits) == 0 && bits == 0, "a disarmed alarm went off: %lx", bits);
	return NULL;
}

UTEST(process_alarm_goes_off_at_its_ticks)
{
	handle_t vmo, c, n, ro;
	uint64_t at, ticks = 0, later = 0, bits = 0;

	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo_create");
	UCHECK(vr_vm_map(0, vmo, 0, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE | VR_MAP_SHARED,
			 &at) == 0,
	       "map shared");
	vr_handle_close(vmo);
	spins = (volatile uint64_t *)(uintptr_t)at;
	UCHECK(vr_notify_create(&n) == 0, "notify_create");
	c = fork_run(spin_forever, 0);
	UCHECK(c, "fork");
	UCHECK(vr_process_ticks(c, 0, &ticks) == 0, "process_ticks");

	/* Three more ticks of its own: it runs until then, however long that takes. */
	UCHECK(vr_process_alarm(c, ticks + 3, n, 0x30) == 0, "process_alarm");
	UCHECK(vr_notify_wait(n, 0, &bits) == 0 && bits == 0x30, "the alarm's bits: %lx", bits);
	UCHECK(vr_process_ticks(c, 0, &later) == 0 && later >= ticks + 3,
	       "it went off at %lu ticks, before %lu", later, ticks + 3);

	const char *err = reached_and_disarmed(vr_process_alarm, c, n, &later);
	if (err)
		return err;

	UCHECK(vr_process_alarm(c, later + 5, n, 0) == -VR_EINVAL, "bits 0 were taken");
	UCHECK(vr_process_alarm(0x5a5a5a5a5a5a5a5bull, 5, n, 1) == -VR_EBADF,
	       "a forged process handle was taken");
	UCHECK(vr_process_alarm(c, later + 5, 0x5a5a5a5a5a5a5a5bull, 1) == -VR_EBADF,
	       "a forged notification was taken");
	UCHECK(vr_handle_derive(c, VR_RIGHT_DUPLICATE, &ro) == 0, "derive");
	UCHECK(vr_process_alarm(ro, later + 5, n, 1) == -VR_EACCES, "armed without MANAGE");
	vr_handle_close(ro);

	vr_process_kill(c, -7);
	UCHECK(reap(c) == -7, "the kill's status");
	vr_handle_close(n);
	vr_unmap((void *)spins, VR_PAGE);
	return NULL;
}

static volatile uint64_t t_spins, t_stop, t_asleep;

static uint64_t spin_until_told(uint64_t arg)
{
	while (!__atomic_load_n(&t_stop, __ATOMIC_RELAXED))
		__atomic_fetch_add(&t_spins, 1, __ATOMIC_RELAXED);
	return 0;
}

static uint64_t sleep_on(uint64_t n)
{
	uint64_t bits = 0;

	__atomic_store_n(&t_asleep, 1, __ATOMIC_RELEASE);
	vr_notify_wait(n, 0, &bits);
	return bits;
}

UTEST(thread_alarm_counts_one_thread)
{
	handle_t spinner, sleeper, n, quiet, wake, ro;
	uint64_t ticks = 0, later = 0, slept = 0, slept2 = 0, all = 0, bits = 0, st = 0;

	t_stop = t_spins = t_asleep = 0;
	UCHECK(vr_notify_create(&n) == 0 && vr_notify_create(&quiet) == 0 &&
		   vr_notify_create(&wake) == 0,
	       "notify_create");
	UCHECK(vr_thread_spawn(sleep_on, wake, &sleeper) == 0, "spawn the sleeper");
	while (!__atomic_load_n(&t_asleep, __ATOMIC_ACQUIRE))
		vr_thread_sleep(1000000);
	vr_thread_sleep(10000000); /* it is waiting by now */
	UCHECK(vr_process_ticks(sleeper, 0, &slept) == 0, "process_ticks of a thread");
	UCHECK(vr_thread_alarm(sleeper, slept + 1, quiet, 0x1) == 0, "thread_alarm (sleeper)");
	UCHECK(vr_thread_spawn(spin_until_told, 0, &spinner) == 0, "spawn the spinner");
	UCHECK(vr_process_ticks(spinner, 0, &ticks) == 0, "process_ticks of the spinner");

	/* Three more ticks of the spinner's own: it runs until then, however long that takes. */
	UCHECK(vr_thread_alarm(spinner, ticks + 3, n, 0x30) == 0, "thread_alarm");
	UCHECK(vr_notify_wait(n, 0, &bits) == 0 && bits == 0x30, "the alarm's bits: %lx", bits);
	UCHECK(vr_process_ticks(spinner, 0, &later) == 0 && later >= ticks + 3,
	       "it went off at %lu ticks, before %lu", later, ticks + 3);
	UCHECK(vr_process_ticks(sleeper, 0, &slept2) == 0 && slept2 == slept,
	       "a waiting thread's ticks went from %lu to %lu", slept, slept2);
	UCHECK(vr_notify_poll(quiet, &bits) == 0 && bits == 0, "a waiting thread's alarm: %lx",
	       bits);
	UCHECK(vr_process_ticks(0, 0, &ticks) == 0 && vr_process_ticks(0, 1, &ticks) == 0,
	       "process_ticks of the caller's thread");
	UCHECK(vr_process_ticks(vr_self, 0, &all) == 0 && all >= later, "the process's %lu < %lu",
	       all, later);

	const char *err = reached_and_disarmed(vr_thread_alarm, spinner, n, &later);
	if (err)
		return err;
	/* The caller's own (0), reached: it spins until it has a tick of its own. */
	uint64_t own = 0;
	while (vr_process_ticks(0, 0, &own) == 0 && !own)
		for (int i = 0; i < 100000; i++)
			__atomic_fetch_add(&t_spins, 1, __ATOMIC_RELAXED);
	UCHECK(vr_thread_alarm(0, own, n, 0x2) == 0 && vr_notify_poll(n, &bits) == 0 && bits == 0x2,
	       "the caller's own alarm (reached at %lu): %lx", own, bits);

	/* Bad requests. */
	UCHECK(vr_thread_alarm(spinner, later + 5, n, 0) == -VR_EINVAL, "bits 0 were taken");
	UCHECK(vr_thread_alarm(0x5a5a5a5a5a5a5a5bull, 5, n, 1) == -VR_EBADF,
	       "a forged thread handle was taken");
	UCHECK(vr_thread_alarm(spinner, later + 5, 0x5a5a5a5a5a5a5a5bull, 1) == -VR_EBADF,
	       "a forged notification was taken");
	UCHECK(vr_thread_alarm(n, later + 5, n, 1) == -VR_EINVAL, "a notification as the thread");
	UCHECK(vr_thread_alarm(spinner, later + 5, spinner, 1) == -VR_EINVAL,
	       "a thread as the notification");
	UCHECK(vr_process_ticks(n, 0, &ticks) == -VR_EINVAL, "process_ticks of a notification");
	UCHECK(vr_process_ticks(spinner, 2, &ticks) == -VR_EINVAL, "process_ticks what 2");
	UCHECK(vr_handle_derive(spinner, VR_RIGHT_DUPLICATE, &ro) == 0, "derive");
	/* Without MANAGE (as a thread of another process would be, given without it). */
	UCHECK(vr_thread_alarm(ro, later + 5, n, 1) == -VR_EACCES, "armed without MANAGE");
	UCHECK(vr_process_ticks(ro, 0, &ticks) == 0, "process_ticks needs no rights");
	vr_handle_close(ro);

	/* A thread that ended: refused. */
	__atomic_store_n(&t_stop, 1, __ATOMIC_RELAXED);
	UCHECK(vr_thread_wait(spinner, &st) == 0, "the spinner's end");
	UCHECK(vr_thread_alarm(spinner, later + 5, n, 1) == -VR_ESRCH, "a dead thread's alarm");
	UCHECK(vr_process_ticks(spinner, 0, &ticks) == -VR_ESRCH, "a dead thread's ticks");
	vr_notify_signal(wake, 1);
	UCHECK(vr_thread_wait(sleeper, &st) == 0, "the sleeper's end");
	vr_handle_close(spinner);
	vr_handle_close(sleeper);

	vr_handle_close(n);
	vr_handle_close(quiet);
	vr_handle_close(wake);
	return NULL;
}
