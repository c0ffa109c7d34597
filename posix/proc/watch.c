/*
 * One watcher thread per child: it waits for the child's kernel process to
 * end, whatever ends it, and reports PROC_CHILD_GONE on the server's own
 * endpoint (badge 0), so the main thread learns of every death in its
 * serving loop. The thread owns nothing of the table: only a copy of the
 * pid and of the process handle, which the main thread closes only after
 * the report. After its report a watcher waits for the next child (up to
 * IDLE_MAX of them wait): making and ending a thread for every fork and
 * spawn cost about 16,000 instructions (its stack mapped and unmapped, its
 * TLS faulted in, clone and exit), a quarter of the system's share of a
 * fork + exit + wait.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "proc.h"

#define WATCH_STACK (16 * 1024)
#define IDLE_MAX 4

struct watch {
	struct watch *next;
	handle_t process;
	int pid;
};

/* The children handed to waiting watchers, and how many wait without one; under lock. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t handed = PTHREAD_COND_INITIALIZER;
static struct watch *jobs;
static unsigned idle;

/* After a report: the next child to watch, or NULL when enough watchers wait already. */
static struct watch *next_child(void)
{
	struct watch *w = NULL;

	pthread_mutex_lock(&lock);
	if (idle < IDLE_MAX) {
		idle++;
		while (!jobs)
			pthread_cond_wait(&handed, &lock);
		w = jobs;
		jobs = w->next;
	}
	pthread_mutex_unlock(&lock);
	return w;
}

static void *watch(void *arg)
{
	for (struct watch *w = arg; w; w = next_child()) {
		uint64_t status = 0;
		if (vr_process_wait(w->process, &status))
			status = (uint64_t)-EINVAL;
		/* A words-only call: no IPC buffer, which would outlive the thread. */
		uint64_t m[8] = {VR_TAG(PROC_CHILD_GONE, 3), (uint64_t)w->pid, status, w->process};
		free(w);
		vr_ipc_call(proc_ep, m);
	}
	return NULL;
}

/* Gives @w to a waiting watcher: false when none waits. */
static bool hand(struct watch *w)
{
	pthread_mutex_lock(&lock);
	bool ok = idle > 0;
	if (ok) {
		idle--;
		w->next = jobs;
		jobs = w;
		pthread_cond_signal(&handed);
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

int proc_watch(struct proc *p)
{
	pthread_attr_t attr;
	pthread_t t;
	struct watch *w = malloc(sizeof(*w));

	if (!w)
		return -ENOMEM;
	*w = (struct watch){NULL, p->process, p->pid};
	if (hand(w))
		return 0;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WATCH_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int err = pthread_create(&t, &attr, watch, w);
	pthread_attr_destroy(&attr);
	if (err)
		free(w);
	return -err;
}
