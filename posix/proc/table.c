/*
 * The process table: every struct proc on one list, and an array from pid
 * to process for the lookups every operation starts with.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"

struct proc *proc_all;
struct proc *proc_root, *proc_init;

static struct proc *by_pid[PID_MAX];
static int next_pid = PID_INIT + 1;

struct proc *proc_lookup(int64_t pid)
{
	return pid >= 0 && pid < PID_MAX ? by_pid[pid] : NULL;
}

struct proc *proc_find(int64_t pid)
{
	struct proc *p = proc_lookup(pid);

	return p && p->state != PROC_REAPED ? p : NULL;
}

/* Whether @id names no process (even a reaped one), group or session. */
static bool id_free(int id)
{
	if (by_pid[id])
		return false;
	for (struct proc *p = proc_all; p; p = p->next)
		if (p->state != PROC_REAPED && (p->pgid == id || p->sid == id))
			return false;
	return true;
}

uint64_t proc_made;
int proc_last_pid;

uint64_t proc_ticks(const struct proc *p)
{
	uint64_t now = 0;

	if (p->process)
		vr_process_ticks(p->process, 0, &now);
	return p->ticks_before + now;
}

uint64_t proc_kticks(const struct proc *p)
{
	uint64_t now = 0;

	if (p->process)
		vr_process_ticks(p->process, 1, &now);
	return p->kticks_before + now;
}

int64_t op_times(struct proc *caller, uint64_t m[8])
{
	if (m[1]) {
		/* A thread's CPU clock (clock_gettime of pthread_getcpuclockid's). */
		struct proc_thread *t =
		    m[1] <= INT32_MAX ? proc_thread(caller, (int)m[1]) : NULL;
		m[4] = m[5] = 0;
		if (!t || !t->handle || vr_process_ticks(t->handle, 0, &m[2]) ||
		    vr_process_ticks(t->handle, 1, &m[3]))
			return -EINVAL;
		return 0;
	}
	m[2] = proc_ticks(caller);
	m[3] = proc_kticks(caller);
	m[4] = caller->child_ticks;
	m[5] = caller->child_kticks;
	return 0;
}

int proc_pid_alloc(void)
{
	for (int tries = 0; tries < PID_MAX; tries++) {
		int pid = next_pid;
		next_pid = next_pid + 1 < PID_MAX ? next_pid + 1 : PID_INIT + 1;
		if (id_free(pid))
			return pid;
	}
	return 0;
}

static struct proc *insert(int pid, int ppid, int pgid, int sid)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	*p = (struct proc){.pid = pid, .ppid = ppid, .pgid = pgid, .sid = sid, .next = proc_all};
	vr_clock_get(&p->start_ns);
	proc_made++;
	proc_last_pid = pid;
	if (proc_all)
		proc_all->prev = p;
	proc_all = p;
	by_pid[pid] = p;
	return p;
}

struct proc *proc_create(int pid, struct proc *parent)
{
	struct proc *p = insert(pid, parent->pid, parent->pgid, parent->sid);

	/* A forked child has its parent's command line and name; a spawned one gets its own. */
	if (p) {
		memcpy(p->comm, parent->comm, sizeof(p->comm));
		memcpy(p->uid, parent->uid, sizeof(p->uid));
		memcpy(p->gid, parent->gid, sizeof(p->gid));
	}
	if (p && parent->exe)
		proc_set_exe(p, parent->exe);
	if (p && parent->cmdline && (p->cmdline = malloc(parent->cmdline_len + 1))) {
		memcpy(p->cmdline, parent->cmdline, parent->cmdline_len + 1);
		p->cmdline_len = parent->cmdline_len;
	}
	return p;
}

void proc_destroy(struct proc *p)
{
	proc_drop_given(p);
	if (p == proc_init) {
		/* Init is gone: the server stands in for it again (orphans reaped at once). */
		if (p->process)
			vr_handle_close(p->process);
		proc_fdmap_drop(p);
		free(p->exe);
		struct proc *prev = p->prev, *next = p->next;
		*p = (struct proc){.pid = PID_INIT, .ppid = PID_ROOT, .pgid = PID_INIT, .sid = PID_INIT,
				   .prev = prev, .next = next};
		return;
	}
	proc_sig_forget(p);
	if (p->prev)
		p->prev->next = p->next;
	else
		proc_all = p->next;
	if (p->next)
		p->next->prev = p->prev;
	by_pid[p->pid] = NULL;
	if (p->process)
		vr_handle_close(p->process);
	if (p->thread)
		vr_handle_close(p->thread);
	proc_fdmap_drop(p);
	free(p->cmdline);
	free(p->exe);
	free(p);
}

bool proc_group_in_session(int pgid, int sid)
{
	for (struct proc *p = proc_all; p; p = p->next)
		if (p->state != PROC_REAPED && p->pgid == pgid && p->sid == sid && p->pid > PID_INIT)
			return true;
	return false;
}

/* The two processes that are always there: the root task (pid 0) and the server itself (1). */
void proc_table_init(void)
{
	proc_root = insert(PID_ROOT, PID_ROOT, PID_ROOT, PID_ROOT);
	proc_init = insert(PID_INIT, PID_ROOT, PID_INIT, PID_INIT);
	if (!proc_root || !proc_init)
		abort();
	proc_set_cmdline(proc_init, (const char *const[]){"/sbin/proc", NULL}, "/sbin/proc");
}
