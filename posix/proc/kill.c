/*
 * Signals: kill(), what each process told of its signal sets, and the
 * pending signals its translation layer takes to run their handlers
 * (proto/proc.h). Default actions: most signals end the process with that
 * signal; SIGCHLD, SIGURG and SIGWINCH are ignored; the stop signals stop
 * it (stop.c; SIGTSTP, SIGTTIN and SIGTTOU not in an orphaned group) and
 * SIGCONT continues it, whatever its disposition, before any handler runs.
 * A process may signal those its uids allow (cred.c, else EPERM); init
 * (pid 1, the server) and the root task cannot be signalled.
 *
 * Masks and pending sets are per thread (thread.c), beside the process's
 * pending set: a signal sent to one thread (tgkill) waits for that thread,
 * one sent to the process for any thread that does not block it.
 * Asynchronous delivery: a handled signal that a thread does not block,
 * with no PROC_SIGTAKE waiting for it, makes the server redirect that
 * thread (thread_redirect; for a process signal the first thread if it does
 * not block it, as Linux prefers the main thread) to the entry its
 * translation layer told; that thread, in user code, runs the handler at
 * once, and in an interruptible wait gets -EINTR and runs it on the way out
 * of the call.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "proc.h"

#define SIG_STOPS (SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))

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

/* The lowest-numbered signal of @set, which is not empty. */
static int lowest(uint64_t set)
{
	return __builtin_ctzll(set) + 1;
}

/* The signals pending for @p's thread @t (may be NULL) or the process. */
static uint64_t pending_for(const struct proc *p, const struct proc_thread *t)
{
	return p->sig_pending | (t ? t->pending : 0);
}

/*
 * Takes a pending signal of @want for thread @t (may be NULL), its own
 * first, as Linux dequeues them: the signal (0: none) and who sent it.
 */
static int take_one(struct proc *p, struct proc_thread *t, uint64_t want, struct sig_from *from)
{
	uint64_t mine = t ? t->pending & want : 0;
	int sig;

	if (mine) {
		sig = lowest(mine);
		*from = t->from[sig - 1];
		t->pending &= ~SIG_BIT(sig);
		return sig;
	}
	if (!(p->sig_pending & want))
		return 0;
	sig = lowest(p->sig_pending & want);
	*from = p->sig_from[sig - 1];
	p->sig_pending &= ~SIG_BIT(sig);
	return sig;
}

static void take_answer(handle_t reply, int sig, const struct sig_from *f)
{
	uint64_t m[8] = {VR_TAG(0, 4), (uint64_t)sig, (uint64_t)f->pid, (uint64_t)(int64_t)f->code,
			 f->value};

	vr_ipc_reply_to(reply, m);
}

/*
 * Answers @p's blocked PROC_SIGTAKEs that a pending signal satisfies, oldest
 * first; drops those whose caller left (an interrupted wait). Whether one
 * was answered.
 */
static bool wake(struct proc *p)
{
	bool answered = false;

	for (struct waiter **w = &p->sig_waiters; *w;) {
		struct proc_thread *t = proc_thread(p, (int)(*w)->pid);
		uint64_t got = pending_for(p, t) & (*w)->options;
		if (!got && !proc_reply_gone((*w)->reply)) {
			w = &(*w)->next;
			continue;
		}
		struct waiter *done = *w;
		*w = done->next;
		if (proc_reply_gone(done->reply)) {
			vr_handle_close(done->reply);
		} else {
			struct sig_from f;
			take_answer(done->reply, take_one(p, t, got, &f), &f);
			answered = true;
		}
		free(done);
	}
	return answered;
}

/* @sig's default action on @p; whether it ended @p. */
static bool act(struct proc *p, int sig)
{
	if (terminates(sig)) {
		proc_end(p, sig);
		return true;
	}
	/* A group no shell will continue does not stop for the terminal's signals (POSIX). */
	if ((SIG_BIT(sig) & SIG_STOPS) && (sig == SIGSTOP || !proc_group_orphaned(p->pgid)))
		proc_stop(p, sig);
	return false;
}

/* The pending signals of @p that are neither blocked nor handled take their default action. */
static void act_default(struct proc *p)
{
	uint64_t due = p->sig_pending & ~p->sig_blocked & ~p->sig_handled;

	p->sig_pending &= ~due;
	for (struct proc_thread *t = p->threads; t; t = t->next) {
		uint64_t mine = t->pending & ~t->blocked & ~p->sig_handled;
		t->pending &= ~mine;
		due |= mine;
	}
	for (int sig = 1; due && sig <= SIG_MAX; sig++)
		if ((due & SIG_BIT(sig)) && !(p->sig_ignored & SIG_BIT(sig)) && act(p, sig))
			return;
}

void proc_signal(struct proc *p, int sig, int from, int code)
{
	proc_signal_value(p, sig, from, code, 0);
}

void proc_signal_value(struct proc *p, int sig, int from, int code, uint64_t value)
{
	proc_signal_to(p, NULL, sig, from, code, value);
}

static void unpend(struct proc *p, uint64_t set)
{
	p->sig_pending &= ~set;
	for (struct proc_thread *t = p->threads; t; t = t->next)
		t->pending &= ~set;
}

/* The thread a process signal @sig goes to: the first if it does not block it, else the first that does not. */
static struct proc_thread *pick(struct proc *p, uint64_t bit)
{
	proc_thread(p, PROC_TID_MAIN);
	for (struct proc_thread *t = p->threads; t; t = t->next)
		if (!(t->blocked & bit))
			return t;
	return NULL;
}

/* Sends a thread that does not block pending @sig to its handler (or out of its wait). */
static void redirect(struct proc *p, struct proc_thread *to, int sig)
{
	uint64_t bit = SIG_BIT(sig);

	if (to) {
		if (!(to->blocked & bit))
			proc_thread_redirect(p, to, sig);
		return;
	}
	/* A thread found gone is forgotten: the next one then. */
	for (int tries = 0; tries < PROC_THREAD_MAX; tries++)
		if (!(to = pick(p, bit)) || proc_thread_redirect(p, to, sig) != -ESRCH)
			return;
}

void proc_signal_to(struct proc *p, struct proc_thread *t, int sig, int from, int code,
		    uint64_t value)
{
	uint64_t bit = SIG_BIT(sig);

	if (p->state != PROC_ALIVE || p->pid <= PID_INIT)
		return;
	/* A continue and a stop each cancel the other's pending signals. */
	if (sig == SIGCONT) {
		unpend(p, SIG_STOPS);
		proc_continue(p);
	} else if (bit & SIG_STOPS) {
		unpend(p, SIG_BIT(SIGCONT));
	}
	if (bit & SIG_FIXED) {
		act(p, sig);
		return;
	}
	if (p->sig_ignored & bit)
		return;
	if (!((p->sig_handled | (t ? t->blocked : p->sig_blocked)) & bit)) {
		act(p, sig);
		return;
	}
	/* One pending instance per signal, as for Linux's standard signals: the first sender is
	 * told. */
	uint64_t *pending = t ? &t->pending : &p->sig_pending;
	struct sig_from *f = t ? t->from : p->sig_from;
	if (!(*pending & bit))
		f[sig - 1] = (struct sig_from){.pid = from, .code = code, .value = value};
	*pending |= bit;
	/* Nobody waits to take it: send a thread to the handler (or out of its wait). */
	if (!wake(p) && (bit & p->sig_handled) && p->sig_entry)
		redirect(p, t, sig);
}

void proc_sig_drop(struct proc *p)
{
	while (p->sig_waiters) {
		struct waiter *w = p->sig_waiters;
		p->sig_waiters = w->next;
		vr_handle_close(w->reply);
		free(w);
	}
	proc_timers_drop(p);
	proc_threads_drop(p);
}

int64_t proc_sig_expire(struct proc *p, int64_t now)
{
	int64_t next = 0;

	for (struct waiter **w = &p->sig_waiters; *w;) {
		struct waiter *done = *w;
		if (!done->deadline || (done->deadline > now && !proc_reply_gone(done->reply))) {
			if (done->deadline && (!next || done->deadline < next))
				next = done->deadline;
			w = &done->next;
			continue;
		}
		*w = done->next;
		if (!proc_reply_gone(done->reply)) {
			uint64_t m[8] = {VR_TAG(0, 1), (uint64_t)-EAGAIN};
			vr_ipc_reply_to(done->reply, m);
		} else {
			vr_handle_close(done->reply);
		}
		free(done);
	}
	return next;
}

int64_t op_sigstate(struct proc *caller, uint64_t m[8])
{
	int tid = (int)(m[5] >> 32);
	struct proc_thread *t = proc_thread(caller, tid);

	if ((m[5] & 0xffffffff) & ~(uint64_t)PROC_SIGSTATE_NOCLDSTOP)
		return -EINVAL;
	/* A thread the server does not know (it could not be told) speaks for the process. */
	if (t)
		t->blocked = m[1] & ~SIG_FIXED;
	else
		caller->sig_blocked = m[1] & ~SIG_FIXED;
	proc_threads_mask(caller);
	caller->sig_handled = m[2] & ~SIG_FIXED;
	caller->sig_ignored = m[3] & ~SIG_FIXED;
	caller->sig_entry = m[4];
	caller->nocldstop = m[5] & PROC_SIGSTATE_NOCLDSTOP;
	caller->sig_onstack = m[6] & caller->sig_handled;
	act_default(caller);
	if (caller->state != PROC_ALIVE)
		return NO_REPLY;
	return (int64_t)(pending_for(caller, t) & (uint64_t)INT64_MAX);
}

int64_t op_sigtake(struct proc *caller, uint64_t m[8])
{
	uint64_t want = m[1], flags = m[2];
	int64_t timeout = (int64_t)m[3];
	int tid = (int)(int64_t)m[4];
	struct proc_thread *t = proc_thread(caller, tid);
	struct sig_from f;
	int sig;

	if ((flags & ~(uint64_t)(PROC_SIGTAKE_WAIT | PROC_SIGTAKE_TIMEOUT)) ||
	    ((flags & PROC_SIGTAKE_TIMEOUT) && (!(flags & PROC_SIGTAKE_WAIT) || timeout < 0)))
		return -EINVAL;
	if ((sig = take_one(caller, t, want, &f))) {
		m[2] = (uint64_t)f.pid;
		m[3] = (uint64_t)(int64_t)f.code;
		m[4] = f.value;
		return sig;
	}
	m[2] = m[3] = m[4] = 0;
	if (!(flags & PROC_SIGTAKE_WAIT))
		return 0;
	if ((flags & PROC_SIGTAKE_TIMEOUT) && timeout == 0)
		return -EAGAIN;
	struct waiter *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	if (vr_ipc_reply_save(&w->reply)) {
		free(w);
		return -ENOMEM;
	}
	w->options = want;
	w->pid = t ? t->tid : 0;
	if (flags & PROC_SIGTAKE_TIMEOUT) {
		int64_t now = proc_now();
		w->deadline = timeout > INT64_MAX - now ? INT64_MAX : now + timeout;
	}
	struct waiter **tail = &caller->sig_waiters;
	while (*tail)
		tail = &(*tail)->next;
	*tail = w;
	if (w->deadline)
		proc_timer_update();
	return NO_REPLY;
}

static bool any_sigfd;	/* a process ever made a signalfd */

int64_t op_sigfd(struct proc *caller, uint64_t m[8])
{
	if (!caller->sig_fd)
		caller->sig_shown = SIG_UNTOLD;
	caller->sig_fd = any_sigfd = true;
	return 0;
}

void proc_sig_publish(void)
{
	if (!any_sigfd)
		return;
	for (struct proc *p = proc_all; p; p = p->next) {
		uint64_t now = 0;
		if (p->state == PROC_ALIVE) {
			now = p->sig_pending;
			for (struct proc_thread *t = p->threads; t; t = t->next)
				now |= t->pending;
		}
		if (!p->sig_fd || now == p->sig_shown)
			continue;
		/* Not told (no memory at the vfs): told again after the next request. */
		if (vfs_sig_pending(p->pid, now) == 0)
			p->sig_shown = now;
	}
}

void proc_sig_forget(struct proc *p)
{
	if (p->sig_fd && p->sig_shown)
		vfs_sig_pending(p->pid, 0);
	p->sig_fd = false;
}

int64_t op_kill(struct proc *caller, uint64_t m[8])
{
	int64_t pid = (int64_t)m[1], sig = (int64_t)m[2];
	int code = (int)(int64_t)m[3] == SI_TKILL ? SI_TKILL : SI_USER;
	int n = 0, cap = 0, *pids = NULL;

	if (sig < 0 || sig > SIG_MAX || pid <= -PID_MAX || pid >= PID_MAX)
		return -EINVAL;
	/* A terminal's job-control signal to the caller's background group: none if no shell would continue it. */
	if (m[3] == PROC_KILL_JOBCTL) {
		if (proc_group_orphaned(caller->pgid))
			return -EIO;
		code = SI_KERNEL;
	}
	if (pid == PID_INIT)
		return -EPERM;
	/* tgkill: one thread of one process. */
	if (code == SI_TKILL && m[4]) {
		struct proc *p = pid > 0 ? proc_find(pid) : NULL;
		struct proc_thread *t = p && targets(caller, p, pid) ? proc_thread(p, (int)m[4]) : NULL;
		if (!t)
			return -ESRCH;
		if (!proc_may_signal(caller, p, (int)sig))
			return -EPERM;
		if (sig)
			proc_signal_to(p, t, (int)sig, caller->pid, code, 0);
		return 0;
	}
	/* Collect first: ending one process may free others (its reaped orphans). */
	int denied = 0;
	for (struct proc *p = proc_all; p; p = p->next) {
		if (!targets(caller, p, pid))
			continue;
		if (!proc_may_signal(caller, p, (int)sig)) {
			denied++;
			continue;
		}
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
	for (int i = 0; sig && i < n; i++) {
		struct proc *p = proc_find(pids[i]);
		if (p)
			proc_signal(p, (int)sig, caller->pid, code);
	}
	free(pids);
	return n ? 0 : denied ? -EPERM : -ESRCH;
}
