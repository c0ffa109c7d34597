/* Processes: exit statuses, and a thousand alive at once torn down without a leak. */
#include "../../../roottask/utest.h"

static uint64_t return_seven(uint64_t arg)
{
	return 7 + arg;
}

static uint64_t exit_minus_three(uint64_t arg)
{
	vr_exit_thread(-3);
}

UTEST(process_exit_status)
{
	handle_t p = spawn(return_seven, 0);

	UCHECK(p, "spawn failed");
	int64_t st = reap(p);
	UCHECK(st == 7, "status %ld, not 7", st);
	p = spawn(exit_minus_three, 0);
	UCHECK(p && reap(p) == -3, "thread_exit(-3) did not become the process status");
	return NULL;
}

/* Children of the 1000-process test: wait on the notification they were given. */
static uint64_t wait_on(uint64_t notification)
{
	uint64_t bits;

	vr_notify_wait(notification, 0, &bits);
	return 0;
}

#define MANY 1000

UTEST(process_thousand_alive_no_leak)
{
	static handle_t kids[MANY];
	handle_t n;

	/* Warm up: the shared code segments are loaded once, on the first spawn... */
	uint64_t procs0 = info(INFO_PROCESSES);
	handle_t warm = spawn(return_seven, 0);
	UCHECK(warm && reap(warm) == 7, "warm-up child failed");
	/*
	 * (its process is freed when its last thread is reaped, a moment after it
	 * exits, or longer if the host stalls that CPU: then a count taken too
	 * early falls during the spawns below). Settled: back to procs0 or below,
	 * and unchanged for 10 ms.
	 */
	uint64_t last = info(INFO_PROCESSES);
	for (int i = 0, still = 0; i < 2000 && (last > procs0 || still < 10); i++) {
		vr_thread_sleep(1000000);
		uint64_t now = info(INFO_PROCESSES);
		still = now == last ? still + 1 : 0;
		last = now;
	}
	/* ...and our own handle table grows to hold a thousand handles, and stays grown. */
	static handle_t extra[MANY + 50];
	for (int i = 0; i < MANY + 50; i++)
		UCHECK(vr_handle_derive(vr_self, VR_RIGHT_MANAGE, &extra[i]) == 0, "derive %d failed", i);
	for (int i = 0; i < MANY + 50; i++)
		vr_handle_close(extra[i]);
	uint64_t frames = info(INFO_FREE_FRAMES), procs = info(INFO_PROCESSES);
	uint64_t threads = info(INFO_THREADS), caps = info(INFO_CAPS);

	UCHECK(vr_notify_create(&n) == 0, "notify_create");
	int made = 0;
	for (; made < MANY; made++) {
		handle_t given;
		if (vr_spawn_prepare(&vr_self_image, &kids[made]) != 0)
			break;
		if (vr_process_handle_give(kids[made], n, VR_RIGHT_RECV, &given) != 0 ||
		    vr_spawn_start(kids[made], wait_on, given) != 0) {
			vr_handle_close(kids[made]);
			break;
		}
	}
	uint64_t alive = info(INFO_PROCESSES) - procs;
	vr_printf("process test: %d children spawned, %lu alive, %lu frames in use\n", made, alive,
		  frames - info(INFO_FREE_FRAMES));
	for (int i = 0; i < made; i++)
		vr_process_kill(kids[i], -VR_EINTR);
	int bad = 0;
	for (int i = 0; i < made; i++)
		bad += reap(kids[i]) != -VR_EINTR;
	vr_handle_close(n);
	UCHECK(made == MANY, "only %d processes could be created", made);
	UCHECK(alive == MANY, "%lu processes alive at once, not %d", alive, MANY);
	UCHECK(bad == 0, "%d children ended with the wrong status", bad);
	/* Dead threads are reaped after their CPU switches away: let that happen. */
	for (int i = 0; i < 2000 && info(INFO_THREADS) != threads; i++)
		vr_thread_sleep(1000000);
	UCHECK(info(INFO_PROCESSES) == procs, "%ld processes leaked", (long)(info(INFO_PROCESSES) - procs));
	UCHECK(info(INFO_THREADS) == threads, "%ld threads leaked", (long)(info(INFO_THREADS) - threads));
	UCHECK(info(INFO_CAPS) == caps, "%ld capabilities leaked", (long)(info(INFO_CAPS) - caps));
	/*
	 * Each child held dozens of frames (page tables, stacks, data). Slab caches
	 * may keep one empty slab each, so a handful of frames may stay with the
	 * kernel; a leak of even one frame per process would show as a thousand.
	 */
	long leaked = (long)(frames - info(INFO_FREE_FRAMES));
	UCHECK(leaked <= 16, "%ld frames leaked", leaked);
	return NULL;
}

/*
 * A thread created in a child but never started, once the child's only
 * running thread has ended it: starting it and waiting for it fail with
 * -ESRCH (the wait used to block for ever), and nothing is left of it once
 * its handle is closed.
 */
UTEST(process_unstarted_thread_after_exit)
{
	uint64_t threads = info(INFO_THREADS), procs = info(INFO_PROCESSES), status = 0;
	handle_t p;
	uint64_t t;

	UCHECK(vr_spawn_prepare(&vr_self_image, &p) == 0, "spawn_prepare");
	/* Where it would start does not matter: it never does. */
	int64_t err = vr_thread_create(p, (uint64_t)return_seven, 0x100000, 0, &t);
	if (err == 0)
		err = vr_spawn_start(p, return_seven, 0);
	UCHECK(err == 0, "thread_create or spawn_start: %ld", err);
	UCHECK(vr_process_wait(p, &status) == 0 && status == 7, "child status %lu", status);
	err = vr_thread_wait(t, &status);
	UCHECK(err == -VR_ESRCH, "waiting for the unstarted thread gave %ld", err);
	err = vr_thread_start(t);
	UCHECK(err == -VR_ESRCH, "starting it after the end gave %ld", err);
	vr_handle_close(t);
	vr_handle_close(p);
	/* Dead threads are reaped after their CPU switches away: let that happen. */
	for (int i = 0; i < 2000 && info(INFO_THREADS) != threads; i++)
		vr_thread_sleep(1000000);
	UCHECK(info(INFO_THREADS) == threads, "%ld threads leaked",
	       (long)(info(INFO_THREADS) - threads));
	UCHECK(info(INFO_PROCESSES) == procs, "%ld processes leaked",
	       (long)(info(INFO_PROCESSES) - procs));
	return NULL;
}
