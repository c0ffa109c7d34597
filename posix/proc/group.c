/*
 * Process ids, process groups and sessions, with POSIX's rules: a process
 * moves itself, or a forked child that has not exec'd, between groups of
 * its own session (a shell does both, so that the group exists before its
 * next child joins it); setsid makes a new session and group led by the
 * caller.
 */
#include <errno.h>

#include "proc.h"

int64_t op_getpid(struct proc *caller, uint64_t m[8])
{
	m[2] = (uint64_t)caller->ppid;
	return caller->pid;
}

/* The process @pid names for the caller (0: itself), or NULL. */
static struct proc *target(struct proc *caller, int64_t pid)
{
	return pid == 0 ? caller : pid > PID_INIT ? proc_find(pid) : NULL;
}

int64_t op_setpgid(struct proc *caller, uint64_t m[8])
{
	int64_t pid = (int64_t)m[1], pgid = (int64_t)m[2];

	if (pid < 0 || pgid < 0 || pgid >= PID_MAX)
		return -EINVAL;
	struct proc *t = target(caller, pid);
	if (!t || (t != caller && t->ppid != caller->pid))
		return -ESRCH;
	/* A child in another session may not be moved, nor one that has exec'd its program. */
	if (t != caller && t->sid != caller->sid)
		return -EPERM;
	if (t != caller && t->execed)
		return -EACCES;
	if (pgid == 0)
		pgid = t->pid;
	if (t->sid == t->pid || t->pid <= PID_INIT)
		return -EPERM;
	if (pgid != t->pid && !proc_group_in_session((int)pgid, t->sid))
		return -EPERM;
	t->pgid = (int)pgid;
	vfs_session_sid(t->session, t->sid, t->pgid);
	/* A parent waiting for its children of one group may have none left. */
	proc_waiters_check(proc_find(t->ppid));
	return 0;
}

int64_t op_getpgid(struct proc *caller, uint64_t m[8])
{
	struct proc *t = target(caller, (int64_t)m[1]);

	return t ? t->pgid : -ESRCH;
}

int64_t op_getsid(struct proc *caller, uint64_t m[8])
{
	struct proc *t = target(caller, (int64_t)m[1]);

	return t ? t->sid : -ESRCH;
}

int64_t op_setsid(struct proc *caller, uint64_t m[8])
{
	/* A group leader, or a process whose pid another's group uses, cannot start a session. */
	if (caller->pid <= PID_INIT || caller->pgid == caller->pid)
		return -EPERM;
	for (struct proc *p = proc_all; p; p = p->next)
		if (p->state != PROC_REAPED && p->pgid == caller->pid)
			return -EPERM;
	caller->sid = caller->pgid = caller->pid;
	/* The new session has no controlling terminal: the vfs knows terminals' sessions by this. */
	vfs_session_sid(caller->session, caller->sid, caller->pgid);
	proc_waiters_check(proc_find(caller->ppid));
	return caller->sid;
}
