/*
 * kill(): signals with their default actions only, until signal handlers
 * exist. Most signals end the process with that signal; SIGCHLD, SIGURG,
 * SIGWINCH and SIGCONT are ignored, and so are the stop signals while there
 * is no job control. Every process has uid 0 for now, so any may signal any
 * other; init (pid 1, the server) and the root task cannot be signalled.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "proc.h"

#define SIG_MAX 64	/* Linux's _NSIG - 1: signals are 1 .. 64 */

static bool terminates(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
	case SIGCONT:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU: return false;
	default: return true;
	}
}

/* Whether a kill for @pid from @caller reaches @p. */
static bool targets(const struct proc *caller, const struct proc *p, int64_t pid)
{
	if (p->pid <= PID_INIT || p->state == PROC_REAPED)
		return false;
	if (pid > 0)
		return p->pid == pid;
	if (pid == -1)
		return p != caller;
	return p->pgid == (pid == 0 ? caller->pgid : -pid);
}

int64_t op_kill(struct proc *caller, uint64_t m[8])
{
	int64_t pid = (int64_t)m[1], sig = (int64_t)m[2];
	int n = 0, cap = 0, *pids = NULL;

	if (sig < 0 || sig > SIG_MAX || pid <= -PID_MAX || pid >= PID_MAX)
		return -EINVAL;
	if (pid == PID_INIT)
		return -EPERM;
	/* Collect first: ending one process may free others (its reaped orphans). */
	for (struct proc *p = proc_all; p; p = p->next) {
		if (!targets(caller, p, pid))
			continue;
		if (n == cap) {
			int *more = realloc(pids, (cap = cap ? 2 * cap : 16) * sizeof(*pids));
			if (!more) {
				free(pids);
				return -ENOMEM;
			}
			pids = more;
		}
		pids[n++] = p->pid;
	}
	for (int i = 0; sig && terminates((int)sig) && i < n; i++) {
		struct proc *p = proc_find(pids[i]);
		if (p)
			proc_end(p, (int)sig);
	}
	free(pids);
	return n ? 0 : -ESRCH;
}
