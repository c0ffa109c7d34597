/*
 * Signals in the translation layer: dispositions and the mask, kept here and
 * told to the proc server (the signal daemon, proto/proc.h), and the
 * handlers, run here when a pending signal is taken from the server.
 *
 * A handler runs when a pending signal is taken: in sigsuspend and pause
 * (which wait for one), after a kill that may reach this process, when
 * sigprocmask unblocks a pending signal, and asynchronously: the server
 * redirects the program's first thread (the one that ran main, or forked)
 * to px_sig_entry (posix/arch/<arch>/sigentry.S), which saves the FP state
 * and calls px_sig_async. In application code the handlers run right there.
 * In the translation layer they are put off until the layer's call returns
 * (its state - the IPC buffer, locks - is not reentrant), and the call's
 * next kernel wait is interrupted so that it does return. A kernel wait
 * that a redirection interrupts (-EINTR) runs the handlers on the way out;
 * the call is then restarted if every handler that ran had SA_RESTART, and
 * fails with EINTR otherwise (sleeps, poll, select, epoll_wait and
 * sigsuspend are never restarted, as on Linux). The mask is the process's,
 * shared by its threads; other threads are never redirected.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>

#include <veridian/tls_arch.h>
#include <veridian/uframe_arch.h>

#include "ipc.h"
#include "posix.h"
#include "proto/proc.h"

#define SIG_MAX 64
#define BIT(sig) ((uint64_t)1 << ((sig)-1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))

/* The kernel ABI's struct sigaction, as musl passes it to rt_sigaction. */
struct k_sigaction {
	void (*handler)(int);
	unsigned long flags;
#ifdef SA_RESTORER
	void (*restorer)(void);
#endif
	uint64_t mask;
};

static struct k_sigaction actions[SIG_MAX];
static uint64_t blocked;
/* What the proc server was last told (PROC_SIGSTATE); told_ever once it was told anything. */
static uint64_t told[4];
static int told_ever;

/*
 * Asynchronous delivery. px_sig_tp is the thread pointer of the thread the
 * server redirects (0 until known); px_layer_depth counts that thread's calls
 * into the translation layer in progress; px_sig_deferred says a redirection came
 * during one. Only that thread reads or writes them.
 */
uint64_t px_sig_tp;
int px_layer_depth;
volatile int px_sig_deferred;
int px_kernel_eintr;

void px_entry(void *frame) __asm__("px_sig_entry");

static long sig_call5(uint32_t op, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
		      uint64_t r[8])
{
	const uint64_t w[5] = {a, b, c, d, e};

	return px_proc ? px_call(px_proc, op, w, 5, NULL, 0, r) : -ENOSYS;
}

static long sig_call(uint32_t op, uint64_t a, uint64_t b, uint64_t c, uint64_t r[8])
{
	return sig_call5(op, a, b, c, 0, 0, r);
}

static uint64_t set_of(void (*disposition)(int))
{
	uint64_t set = 0;

	for (int sig = 1; sig <= SIG_MAX; sig++)
		if (actions[sig - 1].handler == disposition)
			set |= BIT(sig);
	return set;
}

/*
 * Tells the proc server our sets if they changed (or @force): the pending
 * signals (1 .. 63), or -errno; 0 when nothing was asked.
 */
static long tell(int force)
{
	uint64_t ignored = set_of(SIG_IGN), handled = ~(set_of(SIG_DFL) | ignored);
	uint64_t r[8];

	/* Without the server (the servers themselves) no signal ever comes. */
	if (!px_proc)
		return 0;
	uint64_t flags = actions[SIGCHLD - 1].flags & SA_NOCLDSTOP ? PROC_SIGSTATE_NOCLDSTOP : 0;
	if (!force && told_ever && told[0] == blocked && told[1] == handled && told[2] == ignored &&
	    told[3] == flags)
		return 0;
	uint64_t entry = px_sig_tp ? (uint64_t)(uintptr_t)px_entry : 0;
	long pending = sig_call5(PROC_SIGSTATE, blocked, handled, ignored, entry, flags, r);
	if (pending < 0)
		return pending;
	told[0] = blocked, told[1] = handled, told[2] = ignored, told[3] = flags, told_ever = 1;
	return pending;
}

/* Runs @sig's handler; returns its SA_ flags, or -1 when it has none. */
static long run(int sig, int from, int code, uint64_t value)
{
	struct k_sigaction *a = &actions[sig - 1];
	void (*handler)(int) = a->handler;
	unsigned long flags = a->flags;
	uint64_t old = blocked;

	if (handler == SIG_DFL || handler == SIG_IGN)
		return -1;
	blocked |= a->mask;
	if (!(flags & SA_NODEFER))
		blocked |= BIT(sig);
	blocked &= ~UNBLOCKABLE;
	if (flags & SA_RESETHAND) {
		a->handler = SIG_DFL;
		a->flags &= ~(unsigned long)SA_SIGINFO;
		tell(0);
	}
	if (flags & SA_SIGINFO) {
		siginfo_t info;
		ucontext_t uc;
		memset(&info, 0, sizeof(info));
		memset(&uc, 0, sizeof(uc));
		info.si_signo = sig;
		info.si_code = code;
		info.si_pid = from;
		info.si_value.sival_ptr = (void *)(uintptr_t)value;
		memcpy(&uc.uc_sigmask, &old, sizeof(old));
		((void (*)(int, siginfo_t *, void *))handler)(sig, &info, &uc);
	} else {
		handler(sig);
	}
	blocked = old;
	tell(0);
	return (long)(flags & ~(1ul << 63));
}

/* take, also telling the SA_ flags of a handler that ran (-1: none) through @sa (may be NULL). */
static long take_flags(uint64_t want, uint64_t flags, long *sa)
{
	uint64_t r[8];
	long sig = sig_call(PROC_SIGTAKE, want, flags, 0, r);

	if (sig <= 0)
		return sig;
	long f = run((int)sig, (int)r[2], (int)r[3], r[4]);
	if (sa)
		*sa = f;
	return 1;
}

/* Takes a pending signal of @want from the server and runs its handler: whether one ran (or
 * -errno). */
static long take(uint64_t want, uint64_t flags)
{
	return take_flags(want, flags, NULL);
}

/* Runs the handlers of the pending signals that are not blocked. */
static void deliver(void)
{
	long pending = tell(1);

	if (pending <= 0 || !(pending & ~blocked))
		return;
	for (int i = 0; i < SIG_MAX; i++)
		if (take(~blocked, 0) <= 0)
			break;
}

long px_rt_sigaction(const long *args)
{
	int sig = (int)args[0];
	const struct k_sigaction *act = (const struct k_sigaction *)args[1];
	struct k_sigaction *old = (struct k_sigaction *)args[2];

	if (args[3] != _NSIG / 8 || sig < 1 || sig > SIG_MAX || (act && (BIT(sig) & UNBLOCKABLE)))
		return -EINVAL;
	if (old)
		*old = actions[sig - 1];
	if (!act)
		return 0;
	actions[sig - 1] = *act;
	long err = tell(0);
	return err < 0 ? err : 0;
}

long px_rt_sigprocmask(const long *args)
{
	int how = (int)args[0];
	const uint64_t *set = (const uint64_t *)args[1];
	uint64_t *old = (uint64_t *)args[2];
	uint64_t prev = blocked;

	if (args[3] != _NSIG / 8)
		return -EINVAL;
	if (set) {
		switch (how) {
		case SIG_BLOCK: blocked |= *set; break;
		case SIG_UNBLOCK: blocked &= ~*set; break;
		case SIG_SETMASK: blocked = *set; break;
		default: return -EINVAL;
		}
		blocked &= ~UNBLOCKABLE;
	}
	if (old)
		*old = prev;
	if (blocked != prev)
		deliver();
	return 0;
}

long px_rt_sigpending(const long *args)
{
	uint64_t *set = (uint64_t *)args[0];
	long pending;

	if (args[1] != _NSIG / 8)
		return -EINVAL;
	if ((pending = tell(1)) < 0)
		return pending;
	*set = (uint64_t)pending;
	return 0;
}

/* Waits for a signal that @mask does not block and runs its handler, with @mask as the mask
 * meanwhile. */
static long suspend(uint64_t mask)
{
	uint64_t old = blocked;
	long err;

	blocked = mask & ~UNBLOCKABLE;
	if ((err = tell(0)) >= 0 && (err = take(~blocked, PROC_SIGTAKE_WAIT)) >= 0)
		deliver();
	blocked = old;
	deliver();
	return err < 0 ? err : -EINTR;
}

long px_rt_sigsuspend(const long *args)
{
	if (args[1] != _NSIG / 8)
		return -EINVAL;
	return suspend(*(const uint64_t *)args[0]);
}

/* sigwait, sigwaitinfo, sigtimedwait: takes a pending signal of the set, waiting for one (up to the
 * timeout: EAGAIN), without running its handler. Another signal's handler interrupts it (EINTR). */
long px_rt_sigtimedwait(const long *args)
{
	const uint64_t *set = (const uint64_t *)args[0];
	siginfo_t *info = (siginfo_t *)args[1];
	const struct timespec *ts = (const struct timespec *)args[2];
	uint64_t flags = PROC_SIGTAKE_WAIT, r[8];
	int64_t timeout = 0;

	if (args[3] != _NSIG / 8)
		return -EINVAL;
	if (ts) {
		if ((timeout = px_timespec_ns(ts)) < 0)
			return timeout;
		flags |= PROC_SIGTAKE_TIMEOUT;
	}
	long sig = sig_call(PROC_SIGTAKE, *set & ~UNBLOCKABLE, flags, (uint64_t)timeout, r);
	if (sig <= 0)
		return sig ? sig : -EAGAIN;
	if (info) {
		memset(info, 0, sizeof(*info));
		info->si_signo = (int)sig;
		info->si_code = (int)r[3];
		info->si_pid = (int)r[2];
		info->si_value.sival_ptr = (void *)(uintptr_t)r[4];
	}
	return sig;
}

long px_pause(const long *args)
{
	return suspend(blocked);
}

static long kill_code(long pid, long sig, long code)
{
	uint64_t r[8];
	long err = sig_call(PROC_KILL, (uint64_t)pid, (uint64_t)sig, (uint64_t)code, r);

	/* A signal that may have reached us runs its handler before kill returns, as on Linux. */
	if (err == 0 && sig && (pid <= 0 || pid == px_getpid(NULL)))
		deliver();
	return err;
}

int px_sig_off(int sig)
{
	return (blocked & BIT(sig)) || actions[sig - 1].handler == SIG_IGN;
}

long px_tty_background(int sig)
{
	long err = kill_code(0, sig, PROC_KILL_JOBCTL);

	if (err)
		return err;
	/* By default the signal stopped our group, us included, until a SIGCONT: try again. */
	return actions[sig - 1].handler == SIG_DFL ? 0 : -EINTR;
}

void px_sigpipe(void)
{
	kill_code(px_getpid(NULL), SIGPIPE, SI_USER);
}

long px_kill(const long *args)
{
	return kill_code((int)args[0], (int)args[1], SI_USER);
}

/* A signal to one of our threads is one to the process: the mask and the pending set are the
 * process's. */
long px_tkill(const long *args)
{
	return kill_code(px_getpid(NULL), (int)args[1], SI_TKILL);
}

long px_tgkill(const long *args)
{
	if ((int)args[0] != px_getpid(NULL))
		return -ESRCH;
	return kill_code((int)args[0], (int)args[2], SI_TKILL);
}

/* ---- asynchronous delivery ---- */

enum { RAN_NONE, RAN_RESTART, RAN_NO_RESTART };

/* Runs the handlers of every pending unblocked signal: whether any ran, and if all had SA_RESTART. */
static int deliver_async(void)
{
	int ran = RAN_NONE;
	long sa = -1;

	for (int i = 0; i < SIG_MAX; i++) {
		sa = -1;
		if (take_flags(~blocked, 0, &sa) <= 0)
			break;
		if (sa >= 0)
			ran = (sa & SA_RESTART) && ran != RAN_NO_RESTART ? RAN_RESTART : RAN_NO_RESTART;
	}
	return ran;
}

void px_sig_thread(void)
{
	uint64_t tp = vr_tls_self();

	/*
	 * A forked child goes on in the forking thread: if it was the one
	 * before, it is inside a call of the layer (fork); if not, it was not
	 * counted at all.
	 */
	if (tp != px_sig_tp)
		px_layer_depth = 0;
	px_sig_tp = tp;
	px_sig_deferred = 0;
}

/* Called by px_sig_entry on the redirected thread: the flags for thread_sigreturn. */
long px_sig_async(void *frame)
{
	(void)frame;
	if (px_layer_depth) {
		/* The layer is busy: after its call, and its next kernel wait ends at once. */
		px_sig_deferred = 1;
		return VR_SIGRETURN_INTR;
	}
	deliver_async();
	return 0;
}

long px_sig_after(long n, px_handler call, const long *args, long r)
{
	while (r == -EINTR && px_kernel_eintr) {
		/* A signal ended one of the call's kernel waits: its handlers run now. */
		px_sig_deferred = 0;
		int ran = deliver_async();
		if (px_interruptible(n, args) &&
		    (ran == RAN_NO_RESTART || (ran == RAN_RESTART && !px_restartable(n))))
			break;
		px_layer_depth++;
		px_kernel_eintr = 0;
		r = call(args);
		px_layer_depth--;
	}
	if (px_sig_deferred) {
		px_sig_deferred = 0;
		deliver_async();
	}
	return r;
}
