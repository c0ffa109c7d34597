/*
 * How processes end and are waited for. A process ends once (proc_end):
 * by PROC_EXIT, by a signal (kill.c), or when its watcher finds its kernel
 * process gone for another reason (a fault, the kernel killing it). It
 * stays a zombie until its parent waits for it; then it is reaped, and its
 * struct goes once its kernel process is gone too (until then its pid is
 * not reused). Orphans go to init (pid 1): /sbin/init waits for them like
 * any parent; while none runs, the server stands in and reaps at once.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "proc.h"

#define WAIT_OPTIONS (WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | __WNOTHREAD | __WALL | __WCLONE)

/* A continued child's wait status (Linux's; WIFCONTINUED). */
#define WSTATUS_CONTINUED 0xffff

/* Whether @c is a child of @parent that a wait for @pid (as waitpid's) takes. */
static bool matches(const struct proc *parent, const struct proc *c, int64_t pid)
{
	if (c->ppid != parent->pid || c->state == PROC_REAPED || proc_is_server(c))
		return false;
	if (pid > 0)
		return c->pid == pid;
	if (pid == -1)
		return true;
	return c->pgid == (pid == 0 ? parent->pgid : -pid);
}

/* Whether @c has something to report to a wait with @options: an end, a stop or a continue. */
static bool reportable(const struct proc *c, uint64_t options)
{
	if (c->state == PROC_ZOMBIE)
		return options & WEXITED;
	return (c->stop_report && (options & WUNTRACED)) || (c->cont_report && (options & WCONTINUED));
}

/*
 * The child a wait for @pid with @options takes now, or NULL; *any whether
 * any child matches at all.
 */
static struct proc *find_ready(const struct proc *parent, int64_t pid, uint64_t options, bool *any)
{
	*any = false;
	for (struct proc *c = proc_all; c; c = c->next) {
		if (!matches(parent, c, pid))
			continue;
		*any = true;
		if (reportable(c, options))
			return c;
	}
	return NULL;
}

static void reap(struct proc *c)
{
	struct proc *parent = proc_find(c->ppid);

	c->state = PROC_REAPED;
	if (parent) {
		parent->child_ticks += proc_ticks(c) + c->child_ticks;
		parent->child_kticks += proc_kticks(c) + c->child_kticks;
	}
	if (c->gone)
		proc_destroy(c);
	if (parent)
		proc_waiters_check(parent);
}

bool proc_reply_gone(handle_t reply)
{
	uint64_t info = 0;

	return vr_handle_info(reply, &info) != 0 || (info & VR_HANDLE_INFO_GONE);
}

/*
 * The wait status @c reports to a wait with @options (reportable); the
 * report is taken unless WNOWAIT: a zombie is reaped (it may be freed).
 */
static int take_report(struct proc *c, uint64_t options)
{
	bool keep = options & WNOWAIT;
	int st;

	if (c->state == PROC_ZOMBIE) {
		st = c->wstatus;
		if (!keep)
			reap(c);
	} else if (c->stop_report && (options & WUNTRACED)) {
		st = WSTATUS_EXIT(c->stop_report) | 0x7f;
		if (!keep)
			c->stop_report = 0;
	} else {
		st = WSTATUS_CONTINUED;
		if (!keep)
			c->cont_report = false;
	}
	return st;
}

static void answer(handle_t reply, int64_t result, int wstatus)
{
	uint64_t m[8] = {VR_TAG(0, 2), (uint64_t)result, (uint64_t)(unsigned)wstatus};

	vr_ipc_reply_to(reply, m);
}

int64_t op_wait(struct proc *caller, uint64_t m[8])
{
	int64_t pid = (int64_t)m[1];
	uint64_t options = m[2];
	bool any;

	if (options & ~(uint64_t)WAIT_OPTIONS || pid <= -PID_MAX || pid >= PID_MAX)
		return -EINVAL;
	/* Ends are what a wait asking for nothing else waits for (waitpid's options 0). */
	if (!(options & (WUNTRACED | WCONTINUED)))
		options |= WEXITED;
	struct proc *c = find_ready(caller, pid, options, &any);
	if (c) {
		int found = c->pid;
		m[2] = (uint64_t)(unsigned)take_report(c, options);
		return found;
	}
	if (!any)
		return -ECHILD;
	m[2] = 0;
	if (options & WNOHANG)
		return 0;
	struct waiter *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	if (vr_ipc_reply_save(&w->reply)) {
		free(w);
		return -ENOMEM;
	}
	w->pid = pid;
	w->options = options;
	struct waiter **tail = &caller->waiters;
	while (*tail)
		tail = &(*tail)->next;
	*tail = w;
	return NO_REPLY;
}

void proc_waiters_check(struct proc *parent)
{
	bool any;

	if (!parent)
		return;
	for (struct waiter **w = &parent->waiters; *w;) {
		find_ready(parent, (*w)->pid, (*w)->options, &any);
		if (any) {
			w = &(*w)->next;
			continue;
		}
		struct waiter *dead = *w;
		*w = dead->next;
		answer(dead->reply, -ECHILD, 0);
		free(dead);
	}
}

void proc_wait_event(struct proc *c)
{
	struct proc *parent = proc_find(c->ppid);

	/* Only stops and continues: an end goes by tell_parent. */
	if (!parent || parent->state != PROC_ALIVE || c->state != PROC_ALIVE)
		return;
	for (struct waiter **w = &parent->waiters; *w && reportable(c, ~(uint64_t)0);) {
		if (!matches(parent, c, (*w)->pid) || !reportable(c, (*w)->options)) {
			w = &(*w)->next;
			continue;
		}
		struct waiter *done = *w;
		*w = done->next;
		if (proc_reply_gone(done->reply)) {
			vr_handle_close(done->reply);
			free(done);
			continue;
		}
		int pid = c->pid;
		int st = take_report(c, done->options);
		answer(done->reply, pid, st);
		free(done);
	}
}

/* @c has just ended: its parent's first wait that takes it gets it (init reaps at once). */
static void tell_parent(struct proc *c)
{
	struct proc *parent = proc_find(c->ppid);

	/* The server as init reaps at once, and so does a parent that ignores SIGCHLD. */
	if (!parent || (parent == proc_init && proc_is_server(parent)) ||
	    parent->state != PROC_ALIVE || (parent->sig_ignored & SIG_BIT(SIGCHLD))) {
		reap(c);
		return;
	}
	for (struct waiter **w = &parent->waiters; *w;) {
		if (!matches(parent, c, (*w)->pid) || !((*w)->options & WEXITED)) {
			w = &(*w)->next;
			continue;
		}
		struct waiter *done = *w;
		*w = done->next;
		/* A wait a signal interrupted must not take the child: the next one will. */
		if (proc_reply_gone(done->reply)) {
			vr_handle_close(done->reply);
			free(done);
			continue;
		}
		answer(done->reply, c->pid, c->wstatus);
		bool keep = done->options & WNOWAIT;
		free(done);
		if (!keep) {
			reap(c);
			return;
		}
	}
}

void proc_end(struct proc *p, int wstatus)
{
	if (p->state != PROC_ALIVE || proc_is_server(p))
		return;
	/* Before it changes anything: which groups its end leaves orphaned (stop.c). */
	proc_orphans_before_end(p);
	p->state = PROC_ZOMBIE;
	p->wstatus = wstatus;
	p->stop_report = 0;
	p->cont_report = false;
	vr_process_kill(p->process, wstatus);
	proc_drop_given(p);
	/* Whoever holds a copy of its capability can no longer speak as it. */
	vr_handle_revoke(p->cap);
	vr_handle_close(p->cap);
	p->cap = 0;
	vfs_session_end(p->session);
	p->session = 0;
	proc_fdmap_drop(p);	/* /proc/<pid>/fd of a zombie is empty */
	/* Its own blocked waits: the callers are its threads, which are dying. */
	proc_sig_drop(p);
	while (p->waiters) {
		struct waiter *w = p->waiters;
		p->waiters = w->next;
		vr_handle_close(w->reply);
		free(w);
	}
	/* Its children go to init; those that already ended are reaped with it. */
	for (struct proc *c = proc_all, *next; c; c = next) {
		next = c->next;
		if (c->ppid != p->pid || c->state == PROC_REAPED)
			continue;
		c->ppid = PID_INIT;
		if (c->state == PROC_ZOMBIE) {
			/* reap may free c, never next: next is another process. */
			reap(c);
		}
	}
	int pid = p->pid, ppid = p->ppid;
	tell_parent(p);
	/* tell_parent may have freed p. */
	struct proc *parent = proc_find(ppid);
	if (parent && parent->pid > PID_INIT)
		proc_signal(parent, SIGCHLD, pid, WIFEXITED(wstatus) ? CLD_EXITED : CLD_KILLED);
	proc_orphans_after_end();
}

int64_t op_exit(struct proc *caller, uint64_t m[8])
{
	/* Only an exit code: the signals come from kill.c and the watchers. */
	proc_end(caller, WSTATUS_EXIT((int)(m[1] >> 8)));
	return 0;
}

/* The wait status of a kernel process that ended without the server deciding how. */
static int wstatus_of(int64_t kstatus)
{
	if (kstatus >= 0 && kstatus <= 0xff)
		return WSTATUS_EXIT((int)kstatus);
	switch (kstatus) {
	case -EFAULT: return SIGSEGV;	/* a fault no mapping allows */
	case -EINVAL: return SIGILL;	/* an exception: illegal instruction, ... */
	default: return SIGKILL;	/* out of memory, or killed by someone else */
	}
}

int64_t op_child_gone(uint64_t m[8])
{
	struct proc *p = proc_lookup((int64_t)m[1]);

	if (!p || p->gone || p->process != m[3]) {
		/*
		 * The program a process ran before an execve (the pid lives on,
		 * perhaps not even that any more): only its handle is left,
		 * kept open until now so that its value named nothing else.
		 */
		vr_handle_close(m[3]);
		return 0;
	}
	proc_end(p, wstatus_of((int64_t)m[2]));	/* nothing if it ended before */
	p->gone = true;
	if (p->state == PROC_REAPED)
		proc_destroy(p);
	return 0;
}
