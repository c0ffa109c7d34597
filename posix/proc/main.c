/*
 * The proc server (proto/proc.h): pids, parents, process groups and
 * sessions, posix_spawn, wait, exit and kill. One thread serves the
 * endpoint it was given (VR_AT_PROC_SERVE); a caller is known by the badge of
 * its capability: its pid, PROC_BADGE_ROOT for the root task, 0 for the
 * server's own watcher threads. It holds the vfs admin capability
 * (VR_AT_VFS_ADMIN) to make and end its processes' sessions.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/auxv.h>

#include "ipc.h"
#include "proc.h"
#include "proto/vfs.h"

handle_t proc_ep, proc_vfs_admin;
static size_t fs_len;	/* the long part of a PROC_FS answer */

/* The process a badge speaks for, or NULL (0: the server itself). */
static struct proc *caller_of(int64_t badge)
{
	if (badge == (int64_t)PROC_BADGE_ROOT)
		return proc_root;
	if (badge < PID_INIT || badge >= PID_MAX ||
	    (badge == PID_INIT && proc_is_server(proc_init)))
		return NULL;
	struct proc *p = proc_find(badge);
	return p && p->state == PROC_ALIVE ? p : NULL;
}

/* Capabilities sent with a request are never used (but by those of takes_caps): close them, or
 * they pile up here. */
static void drop_caps(const uint64_t m[8])
{
	unsigned words = m[0] & 0xf, caps = (m[0] >> 4) & 3;

	for (unsigned i = 0; i < caps && i < words; i++)
		vr_handle_close(m[words - i]);
}

/* Whether request @m of @badge takes its capability itself (the VMO of a long spawn or execve
 * request, PROC_THREAD's thread). */
static bool takes_caps(int64_t badge, const uint64_t m[8])
{
	uint32_t op = VR_TAG_LABEL(m[0]);
	struct proc *caller = badge > 0 && !((uint64_t)badge & PROC_BADGE_EXC) ? caller_of(badge) : NULL;

	return caller && (op == PROC_THREAD || op == PROC_SPAWN || (op == PROC_EXECVE && caller != proc_root));
}

static int64_t dispatch(int64_t badge, uint64_t m[8])
{
	uint32_t op = VR_TAG_LABEL(m[0]);
	struct proc *caller = caller_of(badge);

	if (badge == 0)
		return op == PROC_CHILD_GONE ? op_child_gone(m)
		       : op == PROC_TTY_SIGNAL ? op_tty_signal(m)
		       : op == PROC_FS	       ? op_procfs(m, &fs_len)
		       : op == PROC_TICK       ? op_tick(m)
					       : -EINVAL;
	if ((uint64_t)badge & PROC_BADGE_EXC)
		return op_fault(badge & ~(int64_t)PROC_BADGE_EXC, m);
	if (!caller || (op == PROC_THREAD && caller == proc_root)) {
		if (op == PROC_THREAD)
			drop_caps(m);
		return caller ? -EINVAL : -ESRCH;
	}
	switch (op) {
	case PROC_THREAD: return op_thread(caller, m);
	case PROC_SPAWN: return op_spawn(caller, m);
	case PROC_WAIT: return op_wait(caller, m);
	case PROC_EXIT: return caller == proc_root ? -EINVAL : op_exit(caller, m);
	case PROC_GETPID: return op_getpid(caller, m);
	case PROC_KILL: return op_kill(caller, m);
	case PROC_SETPGID: return op_setpgid(caller, m);
	case PROC_GETPGID: return op_getpgid(caller, m);
	case PROC_SETSID: return op_setsid(caller, m);
	case PROC_GETSID: return op_getsid(caller, m);
	case PROC_EXECVE: return caller == proc_root ? -EINVAL : op_execve(caller, m);
	case PROC_FORK: return caller == proc_root ? -EINVAL : op_fork(caller, m);
	case PROC_FORKED: return op_forked(caller, m);
	case PROC_SIGSTATE: return caller == proc_root ? -EINVAL : op_sigstate(caller, m);
	case PROC_SIGTAKE: return caller == proc_root ? -EINVAL : op_sigtake(caller, m);
	case PROC_SIGFD: return caller == proc_root ? -EINVAL : op_sigfd(caller, m);
	case PROC_TIMER_CREATE: return caller == proc_root ? -EINVAL : op_timer_create(caller, m);
	case PROC_TIMER_SET: return caller == proc_root ? -EINVAL : op_timer_set(caller, m);
	case PROC_TIMER_DELETE: return caller == proc_root ? -EINVAL : op_timer_delete(caller, m);
	case PROC_TIMES: return op_times(caller, m);
	case PROC_CRED: return op_cred(caller, m);
	default: return -ENOSYS;
	}
}

int main(void)
{
	uint64_t m[8];

	proc_ep = getauxval(VR_AT_PROC_SERVE);
	proc_vfs_admin = getauxval(VR_AT_VFS_ADMIN);
	if (!proc_ep || !proc_vfs_admin || !px_ipc_buffer()) {
		fprintf(stderr, "proc: no endpoint, vfs or IPC buffer\n");
		return 1;
	}
	proc_table_init();
	/* The root task's session: where the paths of the programs it spawns resolve. */
	if (vfs_session_new(0, 0, NULL, NULL, 0, &proc_root->session, &(handle_t){0}) ||
	    !proc_root->session) {
		fprintf(stderr, "proc: no vfs session for the root task\n");
		return 1;
	}
	if (proc_tty_start())
		fprintf(stderr, "proc: no terminal-signal thread: ^C and ^Z do nothing\n");
	if (proc_timer_start())
		fprintf(stderr, "proc: no timer thread: alarm, timers and sigtimedwait never expire\n");
	if (procfs_start())
		fprintf(stderr, "proc: /proc could not be mounted\n");
	int64_t badge = vr_ipc_recv(proc_ep, m);
	for (;;) {
		if (badge < 0) {
			badge = vr_ipc_recv(proc_ep, m);
			continue;
		}
		if (!takes_caps(badge, m))
			drop_caps(m);
		int64_t r = dispatch(badge, m);
		proc_sig_publish();
		if (r == NO_REPLY) {
			badge = vr_ipc_recv(proc_ep, m);
			continue;
		}
		if (r == KILL_REPLY) {
			/* An exception message: any label but 0 leaves the thread stopped. */
			m[0] = VR_TAG(1, 0);
			badge = vr_ipc_reply_recv(proc_ep, m);
			continue;
		}
		if (r == REDIRECT_REPLY) {
			/* An exception message: the thread resumes in its signal entry. */
			m[0] = VR_TAG(VR_EXCEPTION_REDIRECT, 2);
			badge = vr_ipc_reply_recv(proc_ep, m);
			continue;
		}
		uint32_t op = VR_TAG_LABEL(m[0]);
		if (badge == 0 && op == PROC_FS) {
			m[0] = VR_TAG(0, 4) | (fs_len ? VR_TAG_LONG(fs_len) : 0);
			m[1] = (uint64_t)r;
			m[5] = m[6] = m[7] = 0;
			badge = vr_ipc_reply_recv(proc_ep, m);
			continue;
		}
		unsigned words = op == PROC_CRED && r >= 0    ? 7
				 : op == PROC_TIMES && r >= 0 ? 5
				 : (op == PROC_FORKED || op == PROC_SIGTAKE || op == PROC_TIMER_SET) &&
					 r >= 0
				     ? 4
				 : (op == PROC_WAIT || op == PROC_GETPID)	     ? 2
										     : 1;
		m[0] = VR_TAG(0, words);
		m[1] = (uint64_t)r;
		for (unsigned i = words + 1; i < 8; i++)
			m[i] = 0;
		badge = vr_ipc_reply_recv(proc_ep, m);
	}
}
