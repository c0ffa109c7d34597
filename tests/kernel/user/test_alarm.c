/*
 * process_alarm: a spinning process's alarm signals the notification once
 * its ticks reach the value asked for, and only then; one already reached
 * goes off at once; a disarmed one never does. Bad requests fail.
 */
#include "../../../roottask/utest.h"

static volatile uint64_t *spins;

static uint64_t spin_forever(uint64_t arg)
{
	for (;;)
		__atomic_fetch_add(spins, 1, __ATOMIC_RELAXED);
	return 0;
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

	/* Reached already: at once. Disarmed: never (the notification stays quiet). */
	UCHECK(vr_process_alarm(c, 1, n, 0x4) == 0, "process_alarm (reached)");
	UCHECK(vr_notify_poll(n, &bits) == 0 && bits == 0x4, "a reached alarm: %lx", bits);
	UCHECK(vr_process_alarm(c, later + 2, n, 0x8) == 0, "process_alarm");
	UCHECK(vr_process_alarm(c, 0, 0, 0) == 0, "process_alarm 0 disarms");
	uint64_t t0 = later;
	while (vr_process_ticks(c, 0, &later) == 0 && later < t0 + 4)
		vr_thread_sleep(5000000);
	UCHECK(vr_notify_poll(n, &bits) == 0 && bits == 0, "a disarmed alarm went off: %lx", bits);

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
