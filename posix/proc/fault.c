/*
 * Faults: the proc server is the exception handler of every process it
 * starts, through a capability badged with the pid and PROC_BADGE_EXC (a
 * badge no process holds, so none can forge another's fault). A fault the
 * kernel cannot resolve arrives as an exception message and ends the
 * process with the signal POSIX gives that fault; the reply (label 1)
 * tells the kernel not to resume it.
 */
#include <errno.h>
#include <signal.h>

#include "proc.h"

int64_t proc_set_handler(handle_t process, int pid)
{
	handle_t cap;
	int64_t err = vr_endpoint_mint(proc_ep, (uint64_t)pid | PROC_BADGE_EXC, VR_RIGHT_SEND, &cap);

	if (err)
		return err;
	/* The kernel keeps its own reference to the endpoint and the badge. */
	err = vr_exception_set_handler(process, cap);
	vr_handle_close(cap);
	return err;
}

static int signal_of(uint64_t kind)
{
	switch (kind) {
	case VR_EXC_PAGE_FAULT: return SIGSEGV;
	case VR_EXC_ILLEGAL_INSTRUCTION: return SIGILL;
	case VR_EXC_BREAKPOINT: return SIGTRAP;
	case VR_EXC_ALIGNMENT: return SIGBUS;
	case VR_EXC_ARITHMETIC: return SIGFPE;
	default: return SIGSEGV;
	}
}

int64_t op_fault(int64_t pid, uint64_t m[8])
{
	struct proc *p = proc_find(pid);

	if (VR_TAG_LABEL(m[0]) != VR_EXCEPTION_LABEL)
		return -EINVAL;
	if (p && p->state == PROC_ALIVE)
		proc_end(p, signal_of(m[1]));
	return KILL_REPLY;
}
