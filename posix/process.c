/*
 * The process: its exit, and the ids that the proc server will hand out. Until
 * it exists every process is PX_PID (a placeholder), with no parent, owned by
 * root; there are no signals, so signal masks change nothing.
 */
#include <signal.h>

#include "posix.h"

long px_exit_group(const long *args)
{
	vr_process_kill(px_self, args[0] & 0xff);
	for (;;)
		vr_thread_exit(args[0] & 0xff);
}

long px_getpid(const long *args)
{
	return PX_PID;
}

long px_getppid(const long *args)
{
	return 0;
}

long px_getuid(const long *args)
{
	return 0;
}

/* No signal is ever delivered yet: every mask is as good as any other, and all are empty. */
long px_rt_sigprocmask(const long *args)
{
	unsigned char *old = (unsigned char *)args[2];
	long size = args[3];

	if (size != _NSIG / 8)
		return -EINVAL;
	for (long i = 0; old && i < size; i++)
		old[i] = 0;
	return 0;
}
