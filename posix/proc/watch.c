/*
 * One watcher thread per child: it waits for the child's kernel process to
 * end, whatever ends it, and reports PROC_CHILD_GONE on the server's own
 * endpoint (badge 0), so the main thread learns of every death in its
 * serving loop. The thread owns nothing of the table: only a copy of the
 * pid and of the process handle, which the main thread closes only after
 * the report.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "proc.h"

#define WATCH_STACK (16 * 1024)

struct watch {
	handle_t process;
	int pid;
};

static void *watch(void *arg)
{
	struct watch *w = arg;
	uint64_t status = 0;

	if (vr_process_wait(w->process, &status))
		status = (uint64_t)-EINVAL;
	/* A words-only call: no IPC buffer, which would outlive the thread. */
	uint64_t m[8] = {VR_TAG(PROC_CHILD_GONE, 3), (uint64_t)w->pid, status, w->process};
	free(w);
	vr_ipc_call(proc_ep, m);
	return NULL;
}

int proc_watch(struct proc *p)
{
	pthread_attr_t attr;
	pthread_t t;
	struct watch *w = malloc(sizeof(*w));

	if (!w)
		return -ENOMEM;
	*w = (struct watch){p->process, p->pid};
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WATCH_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int err = pthread_create(&t, &attr, watch, w);
	pthread_attr_destroy(&attr);
	if (err)
		free(w);
	return -err;
}
