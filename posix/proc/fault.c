/*
 * Faults: the proc server is the exception handler of every process it
 * starts, through a capability badged with the pid and PROC_BADGE_EXC (a
 * badge no process holds, so none can forge another's fault). A fault the
 * kernel cannot resolve arrives as an exception message. If the faulting
 * thread handles the fault's signal and does not block it, the signal is
 * pending for that thread (si_code 1: SEGV_MAPERR, ILL_ILLOPC, TRAP_BRKPT,
 * BUS_ADRALN, FPE_INTDIV; 2, BUS_ADRERR, for a file mapping's page past the
 * file's end; si_addr the address) and the reply
 * (VR_EXCEPTION_REDIRECT) resumes it in its signal entry; otherwise the
 * process ends with the signal, as Linux forces a blocked or ignored fault
 * signal, and the reply (label 1) tells the kernel not to resume it.
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
	case VR_EXC_PAST_EOF: return SIGBUS;
	default: return SIGSEGV;
	}
}

int64_t op_fault(int64_t pid, uint64_t m[8])
{
	struct proc *p = proc_find(pid);

	if (VR_TAG_LABEL(m[0]) != VR_EXCEPTION_LABEL)
		return -EINVAL;
	if (!p || p->state != PROC_ALIVE)
		return KILL_REPLY;
	int sig = signal_of(m[1]);
	uint64_t bit = SIG_BIT(sig);
	struct proc_thread *t = proc_thread_of_kernel(p, m[5]);
	if (!t || !p->sig_entry || !(p->sig_handled & bit) || ((t->blocked | p->sig_ignored) & bit)) {
		proc_end(p, sig);
		return KILL_REPLY;
	}
	/* A fault is not a standard signal's one instance: its address is the latest fault's. */
	t->pending |= bit;
	int code = m[1] == VR_EXC_PAST_EOF ? BUS_ADRERR : 1;
	t->from[sig - 1] = (struct sig_from){.pid = 0, .code = code, .value = m[2]};
	m[1] = p->sig_entry;
	m[2] = (p->sig_onstack & bit) ? VR_REDIRECT_ONSTACK : 0;
	return REDIRECT_REPLY;
}
