/*
 * Terminal signals: ^C, ^Z, ^\ and window-size changes. A thread of the
 * server keeps asking the vfs server for the signals its terminals raised
 * (VFS_TTY_SIGNAL, answered when there is one) and hands each to the main
 * thread on the server's own endpoint (PROC_TTY_SIGNAL, badge 0), which
 * sends it to the process group. So neither one-threaded server ever waits
 * for the other.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "proc.h"
#include "proto/vfs.h"

#define LISTEN_STACK (16 << 10)

static void *listen_tty(void *arg)
{
	(void)arg;
	for (;;) {
		/* Words only, both ways: this thread needs no IPC buffer. */
		uint64_t m[8] = {VR_TAG(VFS_TTY_SIGNAL, 0)};
		int64_t err = vr_ipc_call(proc_vfs_admin, m);
		if (err == -EPIPE || err == -EBADF)
			return NULL;	/* the vfs server is gone */
		if (err < 0 || (int64_t)m[1] <= 0)
			continue;
		uint64_t r[8] = {VR_TAG(PROC_TTY_SIGNAL, 2), m[1], m[2]};
		vr_ipc_call(proc_ep, r);
	}
}

int proc_tty_start(void)
{
	pthread_attr_t attr;
	pthread_t t;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, LISTEN_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int err = pthread_create(&t, &attr, listen_tty, NULL);
	pthread_attr_destroy(&attr);
	return -err;
}

int64_t op_tty_signal(uint64_t m[8])
{
	int64_t pgrp = (int64_t)m[1], sig = (int64_t)m[2];
	int n = 0, cap = 0, *pids = NULL;

	if (sig < 1 || sig > SIG_MAX || pgrp <= PID_INIT || pgrp >= PID_MAX)
		return -EINVAL;
	/* Collect first: ending one process may free others (its reaped orphans). */
	for (struct proc *p = proc_all; p; p = p->next) {
		if (p->pgid != pgrp || p->state != PROC_ALIVE)
			continue;
		if (n == cap) {
			int *more = realloc(pids, (cap = cap ? 2 * cap : 16) * sizeof(*pids));
			if (!more)
				break;
			pids = more;
		}
		pids[n++] = p->pid;
	}
	for (int i = 0; i < n; i++) {
		struct proc *p = proc_find(pids[i]);
		if (p)
			proc_signal(p, (int)sig, 0, SI_KERNEL);
	}
	free(pids);
	return 0;
}
