/*
 * The process as the proc server (proto/proc.h) knows it: its pid (from the
 * start block, cached), parent, group and session, waiting for children,
 * and exit (signals are in signal.c). A program started without the server
 * (the servers themselves) is pid PX_PID with no parent and cannot do these.
 */
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "file.h"
#include "ipc.h"
#include "posix.h"
#include "proto/proc.h"

handle_t px_proc;
static int pid = PX_PID;

void px_process_init(const struct proc_start *start)
{
	if (start) {
		pid = (int)start->pid;
		px_umask_set(start->umask);
	}
}

void px_process_forked(int child_pid)
{
	pid = child_pid;
}

/* A words-only call to the proc server; r[2] the second result word. */
static long proc_call(uint32_t op, uint64_t a, uint64_t b, uint64_t r[8])
{
	const uint64_t w[2] = {a, b};

	return px_proc ? px_call(px_proc, op, w, 2, NULL, 0, r) : -ENOSYS;
}

long px_exit_group(const long *args)
{
	uint64_t r[8];

	/* The server ends us (and tells our parent); killing ourselves covers a missing server. */
	proc_call(PROC_EXIT, (uint64_t)(args[0] & 0xff) << 8, 0, r);
	vr_process_kill(px_self, args[0] & 0xff);
	for (;;)
		vr_thread_exit(args[0] & 0xff);
}

long px_getpid(const long *args)
{
	return pid;
}

long px_getppid(const long *args)
{
	uint64_t r[8];
	long err = proc_call(PROC_GETPID, 0, 0, r);

	return err < 0 ? 0 : (long)r[2];
}

long px_getpgid(const long *args)
{
	uint64_t r[8];

	return proc_call(PROC_GETPGID, (uint64_t)(int)args[0], 0, r);
}

long px_setpgid(const long *args)
{
	uint64_t r[8];

	return proc_call(PROC_SETPGID, (uint64_t)(int)args[0], (uint64_t)(int)args[1], r);
}

long px_getsid(const long *args)
{
	uint64_t r[8];

	return proc_call(PROC_GETSID, (uint64_t)(int)args[0], 0, r);
}

long px_setsid(const long *args)
{
	uint64_t r[8];

	return proc_call(PROC_SETSID, 0, 0, r);
}

/* waitpid's core: the child's pid (0 with WNOHANG and nothing yet) and its wait status. */
static long wait_child(long who, unsigned options, int *wstatus)
{
	uint64_t r[8];
	long got = proc_call(PROC_WAIT, (uint64_t)who, options, r);

	/* A stopped or continued child is reported with its pid too; the status tells. */

	if (got > 0)
		*wstatus = (int)r[2];
	return got;
}

long px_wait4(const long *args)
{
	int *status = (int *)args[1], st = 0;
	struct rusage *ru = (struct rusage *)args[3];
	/* wait4 reports exits always; waitid only with WEXITED. */
	long got = wait_child((int)args[0], (unsigned)args[2] | WEXITED, &st);

	if (got > 0 && status)
		*status = st;
	if (got >= 0 && ru)
		memset(ru, 0, sizeof(*ru));
	return got;
}

long px_waitid(const long *args)
{
	int idtype = (int)args[0], id = (int)args[1], st = 0;
	siginfo_t *info = (siginfo_t *)args[2];
	unsigned options = (unsigned)args[3];
	long who;

	switch (idtype) {
	case P_ALL: who = -1; break;
	case P_PID: who = id > 0 ? id : -(1L << 40); break;
	case P_PGID: who = id > 0 ? -(long)id : id == 0 ? 0 : -(1L << 40); break;
	default: return -EINVAL;
	}
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)) || who == -(1L << 40))
		return -EINVAL;
	long got = wait_child(who, options, &st);
	if (got < 0)
		return got;
	if (info) {
		memset(info, 0, sizeof(*info));
		if (got > 0) {
			info->si_signo = SIGCHLD;
			info->si_pid = (pid_t)got;
			if (WIFSTOPPED(st)) {
				info->si_code = CLD_STOPPED;
				info->si_status = WSTOPSIG(st);
			} else if (WIFCONTINUED(st)) {
				info->si_code = CLD_CONTINUED;
				info->si_status = SIGCONT;
			} else {
				info->si_code = WIFEXITED(st) ? CLD_EXITED : CLD_KILLED;
				info->si_status = WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st);
			}
		}
	}
	if (args[4])
		memset((void *)args[4], 0, sizeof(struct rusage));
	return 0;
}

