/*
 * The vfs server's timer: the server's one thread waits only in
 * ipc_recv, which has no timeout, so a second thread sleeps on a
 * notification until the earliest poll deadline and then calls the server's
 * own unbadged endpoint with VFS_TICK; the main loop answers the polls whose
 * time is up and tells the timer the next deadline. A new earlier deadline
 * signals the notification, so the thread wakes and sleeps again for less.
 * (A notification rather than a second endpoint: the thread must wake both
 * for a deadline change and for time, and notify_wait has a timeout.)
 */
#include <errno.h>
#include <pthread.h>
#include <veridian/vr.h>

#include "server.h"

static handle_t notification;
static uint64_t endpoint;
static int64_t deadline; /* written by the main thread, read by the timer thread */

static void *timer_main(void *arg)
{
	for (;;) {
		int64_t d = __atomic_load_n(&deadline, __ATOMIC_ACQUIRE), now = now_ns();
		uint64_t bits, msg[8] = {VR_TAG(VFS_TICK, 0)};
		if (!d || now < d) {
			vr_notify_wait(notification, d ? (uint64_t)(d - now) : 0, &bits);
			continue;
		}
		/* The main thread answers after it has set the next deadline. */
		vr_ipc_call(endpoint, msg);
	}
	return arg;
}

int timer_start(uint64_t ep)
{
	pthread_t t;
	uint64_t n;

	endpoint = ep;
	if (vr_notify_create(&n))
		return -ENOMEM;
	notification = n;
	return -pthread_create(&t, NULL, timer_main, NULL);
}

void timer_set(int64_t d)
{
	int64_t old = __atomic_exchange_n(&deadline, d, __ATOMIC_ACQ_REL);

	if (d && (!old || d < old))
		vr_notify_signal(notification, 1);
}
