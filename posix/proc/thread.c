/*
 * The threads of a process, as the proc server knows them: the first one
 * (the thread it started, proc.thread) and those the translation layer
 * told (PROC_THREAD) with a capability to redirect them. Each has its signal
 * mask and the signals sent to it alone (kill.c). A thread that ended is
 * forgotten when a redirection finds it gone or the next one is told.
 */
#include <errno.h>
#include <stdlib.h>

#include "proc.h"

static struct proc_thread *thread_new(struct proc *p, int tid, handle_t handle, uint64_t blocked)
{
	struct proc_thread *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->tid = tid;
	t->handle = handle;
	t->blocked = blocked;
	return t;
}

static void thread_free(struct proc *p, struct proc_thread *t)
{
	if (t->tid != PROC_TID_MAIN && t->handle)
		vr_handle_close(t->handle);
	free(t);
}

struct proc_thread *proc_thread(struct proc *p, int tid)
{
	for (struct proc_thread *t = p->threads; t; t = t->next)
		if (t->tid == tid)
			return t;
	if (tid != PROC_TID_MAIN || !p->process)
		return NULL;
	/* The first thread blocks what the process did until it tells its own mask. */
	struct proc_thread *t = thread_new(p, tid, p->thread, p->sig_blocked);
	if (t) {
		t->next = p->threads;
		p->threads = t;
	}
	return t;
}

struct proc_thread *proc_thread_of_kernel(struct proc *p, uint64_t kid)
{
	proc_thread(p, PROC_TID_MAIN);
	for (struct proc_thread *t = p->threads; t; t = t->next) {
		if (!t->kid && t->handle)
			vr_thread_id(t->handle, &t->kid);
		if (t->kid == kid)
			return t;
	}
	return NULL;
}

static void unlink_thread(struct proc *p, struct proc_thread *gone)
{
	for (struct proc_thread **t = &p->threads; *t; t = &(*t)->next)
		if (*t == gone) {
			*t = gone->next;
			break;
		}
	thread_free(p, gone);
	proc_threads_mask(p);
}

int64_t proc_thread_redirect(struct proc *p, struct proc_thread *t, int sig)
{
	uint64_t flags = (p->sig_onstack & SIG_BIT(sig)) ? VR_REDIRECT_ONSTACK : 0;
	int64_t err = t->handle ? vr_thread_redirect(t->handle, p->sig_entry, flags) : -EBADF;

	if (err == -ESRCH && t->tid != PROC_TID_MAIN) {
		unlink_thread(p, t);
		return -ESRCH;
	}
	return err;
}

void proc_threads_mask(struct proc *p)
{
	uint64_t all = ~(uint64_t)0;

	if (!p->threads)
		return;
	for (struct proc_thread *t = p->threads; t; t = t->next)
		all &= t->blocked;
	p->sig_blocked = all;
}

void proc_threads_drop(struct proc *p)
{
	while (p->threads) {
		struct proc_thread *t = p->threads;
		p->threads = t->next;
		thread_free(p, t);
	}
}

/* Forgets the threads that ended (their handle says so); how many are left. */
static int prune(struct proc *p)
{
	int n = 0;
	uint64_t kid;

	for (struct proc_thread **t = &p->threads; *t;) {
		struct proc_thread *cur = *t;
		if (cur->tid != PROC_TID_MAIN && vr_thread_id(cur->handle, &kid) == -ESRCH) {
			*t = cur->next;
			thread_free(p, cur);
			continue;
		}
		n++;
		t = &cur->next;
	}
	return n;
}

int64_t op_thread(struct proc *caller, uint64_t m[8])
{
	unsigned words = m[0] & 0xf, caps = (m[0] >> 4) & 3;
	int tid = (int)(int64_t)m[1];
	handle_t handle = words == 3 && caps == 1 ? m[3] : 0;
	uint64_t kid = 0;

	if (!handle) {
		for (unsigned i = 0; i < caps && i < words; i++)
			vr_handle_close(m[words - i]);
		return -EINVAL;
	}
	/* A live thread (thread_id fails for anything else), with an id no other of its threads has. */
	int64_t err = vr_thread_id(handle, &kid);
	if (err || tid <= PROC_TID_MAIN || proc_thread(caller, tid))
		err = -EINVAL;
	else if (prune(caller) >= PROC_THREAD_MAX)
		err = -EAGAIN;
	struct proc_thread *t = err ? NULL : thread_new(caller, tid, handle, m[2] & ~SIG_FIXED);
	if (t)
		t->kid = kid;
	if (!t) {
		vr_handle_close(handle);
		return err ? err : -ENOMEM;
	}
	/* After the first thread: it is the one a process signal goes to first. */
	struct proc_thread **at = &caller->threads;
	while (*at)
		at = &(*at)->next;
	*at = t;
	proc_threads_mask(caller);
	return 0;
}
