/*
 * Job control: stopping and continuing processes (the kernel parks every
 * thread of a stopped process, vr_process_stop), telling their parents
 * (waits with WUNTRACED and WCONTINUED, SIGCHLD unless SA_NOCLDSTOP), and
 * POSIX's rule for process groups that an exit leaves orphaned: a stopped
 * member would never be continued by its shell, so every member gets
 * SIGHUP and SIGCONT.
 */
#include <signal.h>

#include "proc.h"

#define STOP_CONTINUE 0
#define STOP_STOP 1

static void tell_parent(struct proc *p, int code)
{
	struct proc *parent = proc_find(p->ppid);

	proc_wait_event(p);
	if (parent && parent->pid > PID_INIT && !parent->nocldstop)
		proc_signal(parent, SIGCHLD, p->pid, code);
}

void proc_stop(struct proc *p, int sig)
{
	uint64_t parked;

	if (p->stopped || p->state != PROC_ALIVE || !p->process)
		return;
	if (vr_process_stop(p->process, STOP_STOP, &parked) != 0)
		return;
	p->stopped = true;
	p->stop_report = sig;
	p->cont_report = false;
	tell_parent(p, CLD_STOPPED);
}

void proc_continue(struct proc *p)
{
	uint64_t parked;

	if (!p->stopped || p->state != PROC_ALIVE)
		return;
	vr_process_stop(p->process, STOP_CONTINUE, &parked);
	p->stopped = false;
	p->stop_report = 0;
	p->cont_report = true;
	tell_parent(p, CLD_CONTINUED);
}

/* Whether group @pgid has no member, other than @gone, with a parent other than @gone in another group of its session. */
static bool orphaned_without(int pgid, const struct proc *gone)
{
	for (struct proc *q = proc_all; q; q = q->next) {
		if (q->state != PROC_ALIVE || q->pgid != pgid || q == gone)
			continue;
		struct proc *parent = proc_find(q->ppid);
		if (parent && parent != gone && parent->state == PROC_ALIVE && parent->pgid != pgid &&
		    parent->sid == q->sid)
			return false;
	}
	return true;
}

bool proc_group_orphaned(int pgid)
{
	return orphaned_without(pgid, NULL);
}

static bool has_stopped(int pgid, const struct proc *gone)
{
	for (struct proc *q = proc_all; q; q = q->next)
		if (q->state == PROC_ALIVE && q->pgid == pgid && q != gone && q->stopped)
			return true;
	return false;
}

/* The groups proc_orphans_before_end found, for proc_orphans_after_end. */
#define ORPHANS_MAX 16
static int orphans[ORPHANS_MAX], norphans;

static void note(int pgid, const struct proc *gone)
{
	for (int i = 0; i < norphans; i++)
		if (orphans[i] == pgid)
			return;
	if (norphans < ORPHANS_MAX && !orphaned_without(pgid, NULL) && orphaned_without(pgid, gone) &&
	    has_stopped(pgid, gone))
		orphans[norphans++] = pgid;
}

void proc_orphans_before_end(struct proc *p)
{
	note(p->pgid, p);
	for (struct proc *c = proc_all; c; c = c->next)
		if (c->ppid == p->pid && c->state == PROC_ALIVE)
			note(c->pgid, p);
}

/* Sends @sig to every live member of @pgid (collected first: ending one may free others). */
static void signal_group(int pgid, int sig)
{
	int pids[64], n = 0;

	for (struct proc *q = proc_all; q && n < 64; q = q->next)
		if (q->state == PROC_ALIVE && q->pgid == pgid && q->pid > PID_INIT)
			pids[n++] = q->pid;
	for (int i = 0; i < n; i++) {
		struct proc *q = proc_find(pids[i]);
		if (q)
			proc_signal(q, sig, 0, SI_KERNEL);
	}
}

void proc_orphans_after_end(void)
{
	int groups[ORPHANS_MAX], n = norphans;

	/* Signalling may end processes, which notes groups of its own: take ours first. */
	for (int i = 0; i < n; i++)
		groups[i] = orphans[i];
	norphans = 0;
	for (int i = 0; i < n; i++) {
		signal_group(groups[i], SIGHUP);
		signal_group(groups[i], SIGCONT);
	}
}
