/*
 * PROC_FORK and PROC_FORKED (proto/proc.h): a copy-on-write copy of the
 * caller's process (process_fork) with a new pid, a vfs session with the
 * caller's ids at the same numbers, and its own capabilities and descriptor
 * map, which its first thread asks for with PROC_FORKED.
 */
#include <errno.h>
#include <signal.h>

#include "proc.h"

/* The child's handles in its own table: its process, its proc and vfs capabilities. */
static int64_t give(handle_t process, handle_t cap, handle_t session, struct proc *c,
		    const struct proc *parent, uint64_t words, handle_t *child_cap)
{
	int64_t err = vr_process_handle_give(process, process, VR_RIGHT_MANAGE | VR_RIGHT_MAP,
					     &c->fork_self);

	if (!err)
		err = vr_process_handle_give(process, session, VR_RIGHT_SEND, &c->fork_vfs);
	if (!err)
		err = vr_process_handle_give(process, cap, VR_RIGHT_SEND | VR_RIGHT_GRANT, child_cap);
	/*
	 * Its own descriptor map, the parent's copied: its table is the
	 * parent's, and its layer maps the map only at its first change of a
	 * descriptor (then writes it whole). None is no error.
	 */
	if (!err && !vr_vmo_create(PROC_FDMAP_SIZE, 0, &c->fdmap)) {
		if (vr_process_handle_give(process, c->fdmap,
					   VR_RIGHT_READ | VR_RIGHT_WRITE | VR_RIGHT_MAP, &c->fork_fdmap))
			proc_fdmap_drop(c);
		else
			proc_fdmap_copy(c->fdmap, parent->fdmap, words);
	}
	return err;
}

int64_t op_fork(struct proc *caller, uint64_t m[8])
{
	uint64_t entry = m[1], sp = m[2], session;
	handle_t process, session_cap, child_cap, thread;
	int pid = proc_pid_alloc();
	int64_t err;

	if (!pid)
		return -EAGAIN;
	if ((err = vfs_session_fork(caller->session, pid, &session, &session_cap)))
		return err;
	struct proc *c = proc_create(pid, caller);
	if (!c) {
		err = -ENOMEM;
		goto err_session;
	}
	c->session = session;
	/* The forking thread's mask is the child's first thread's. */
	struct proc_thread *forking = proc_thread(caller, (int)(int64_t)m[3]);
	c->sig_blocked = forking ? forking->blocked : caller->sig_blocked;
	c->sig_handled = caller->sig_handled, c->sig_onstack = caller->sig_onstack;
	c->sig_ignored = caller->sig_ignored;
	c->nocldstop = caller->nocldstop;
	c->sig_fd = caller->sig_fd;	/* its copies of the signalfds read its own signals */
	c->sig_shown = SIG_UNTOLD;
	if ((err = vr_process_create(0, &process)))
		goto err_proc;
	c->process = process;
	if ((err = vr_process_fork(caller->process, process)))
		goto err_proc;
	if ((err = vr_endpoint_mint(proc_ep, (uint64_t)pid,
				    VR_RIGHT_SEND | VR_RIGHT_GRANT | VR_RIGHT_DUPLICATE | VR_RIGHT_TRANSFER,
				    &c->cap)))
		goto err_proc;
	if ((err = give(process, c->cap, session_cap, c, caller, m[4], &child_cap)) ||
	    (err = proc_set_handler(process, pid)) ||
	    (err = vr_process_start(process, entry, sp, child_cap, &thread)))
		goto err_proc;
	c->thread = thread;	/* the forking thread's copy: the one signals go to */
	c->sig_entry = caller->sig_entry;
	vr_handle_close(session_cap);
	if ((err = proc_watch(c))) {
		/* Without a watcher nobody would see it go: end it now, and it is gone. */
		proc_end(c, SIGKILL);
		c->gone = true;
		if (c->state == PROC_REAPED)
			proc_destroy(c);
		return err;
	}
	return pid;

err_proc:
	if (c->process)
		vr_process_kill(c->process, -EINVAL);
	if (c->cap) {
		vr_handle_revoke(c->cap);
		vr_handle_close(c->cap);
	}
	proc_destroy(c);	/* closes c->process */
err_session:
	vfs_session_end(session);
	vr_handle_close(session_cap);
	return err == -EINVAL ? -ENOMEM : err;
}

int64_t op_forked(struct proc *caller, uint64_t m[8])
{
	if (!caller->fork_self)
		return -EINVAL;
	m[2] = caller->fork_self;
	m[3] = caller->fork_vfs;
	m[4] = caller->fork_fdmap;
	caller->fork_self = caller->fork_vfs = caller->fork_fdmap = 0;
	return caller->pid;
}
