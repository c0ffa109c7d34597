/*
 * Signals in the translation layer: dispositions and the mask, kept here and
 * told to the proc server (the signal daemon, proto/proc.h), and the
 * handlers, run here when a pending signal is taken from the server.
 *
 * The mask is each thread's own (thread-local, told to the server with the
 * thread's id: the first thread's PROC_TID_MAIN, the others' from clone.c,
 * which tells the server each new thread with its creator's mask), and so
 * are the alternate signal stack and the calls counted below.
 *
 * A handler runs when a pending signal is taken: in sigsuspend, pause,
 * ppoll and pselect (which wait for one), after a kill that may reach this
 * thread, when sigprocmask unblocks a pending signal, and asynchronously: the
 * server redirects a thread that does not block the signal (for a fault,
 * the faulting thread) to px_sig_entry (posix/arch/<arch>/sigentry.S),
 * which saves the FP state and calls px_sig_async. In application code the
 * handlers run right there, with the interrupted registers as their
 * ucontext's uc_mcontext (posix/arch/<arch>/ucontext.c), which goes back
 * to the frame thread_sigreturn loads: a handler may change them.
 * In the translation layer they are put off until the layer's call returns
 * (its state - the IPC buffer, locks - is not reentrant), and the call's
 * next kernel wait is interrupted so that it does return. A kernel wait
 * that a redirection interrupts (-EINTR) runs the handlers on the way out;
 * the call is then restarted if every handler that ran had SA_RESTART, and
 * fails with EINTR otherwise (sleeps, poll, select, epoll_wait and
 * sigsuspend are never restarted, as on Linux). Handlers run anywhere but
 * in px_sig_async get a ucontext without registers.
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

/*
 * posix/arch/<arch>/ucontext.c: the frame and the FP state px_sig_entry
 * saved (@fp, its layout is the architecture's) as uc_mcontext, and back.
 */
void px_uc_from_frame(ucontext_t *uc, const struct vr_uframe *f, void *fp);
void px_uc_to_frame(struct vr_uframe *f, void *fp, const ucontext_t *uc);

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

#define FAULTS (BIT(SIGSEGV) | BIT(SIGBUS) | BIT(SIGILL) | BIT(SIGFPE) | BIT(SIGTRAP))

static struct k_sigaction actions[SIG_MAX];
/* The calling thread's mask, and its id for the server (0: the first thread's, PROC_TID_MAIN). */
static __thread uint64_t blocked;
static __thread int thread_id;
/* What the proc server was last told by this thread (PROC_SIGSTATE); told_ever once anything. */
static __thread uint64_t told[5];
static __thread int told_ever;
/* This thread's alternate signal stack (sigaltstack; ss_size 0: none). */
static __thread stack_t altstack;

/*
 * Asynchronous delivery. px_sig_tp is the first thread's thread pointer (0
 * until known: until then no thread-local data is touched by the
 * dispatcher); px_layer_depth counts the calling thread's calls into the
 * translation layer in progress; px_sig_deferred says a redirection came
 * during one.
 */
uint64_t px_sig_tp;
__thread int px_layer_depth;
__thread volatile int px_sig_deferred;
__thread int px_kernel_eintr;

void px_entry(void *frame) __asm__("px_sig_entry");

int px_sig_tid(void)
{
	return thread_id ? thread_id : PROC_TID_MAIN;
}

static long sig_call6(uint32_t op, const uint64_t w[6], uint64_t r[8])
{
	if (!px_proc)
		return -ENOSYS;
	/*
	 * Only a waiting PROC_SIGTAKE may end with EINTR. The others are
	 * answered at once: their -EINTR is a redirection (a signal this call
	 * takes care of anyway) that found the request still queued, never
	 * seen: sent again, or a pending signal would stay untaken.
	 */
	if (op == PROC_SIGTAKE && (w[1] & PROC_SIGTAKE_WAIT))
		return px_call(px_proc, op, w, 6, NULL, 0, r);
	return px_call_sure(px_proc, op, w, 6, r);
}

static long sig_call(uint32_t op, uint64_t a, uint64_t b, uint64_t c, uint64_t r[8])
{
	const uint64_t w[6] = {a, b, c, (uint64_t)px_sig_tid()};

	return sig_call6(op, w, r);
}

/*
 * The sets tell() sends, kept up to date by note() at every change of
 * actions[] rather than gathered from it at each call: a tell is on the
 * path of every sigprocmask (fork alone makes four).
 */
static uint64_t dfl_set = ~(uint64_t)0, ign_set, onstack_flag_set;

/* actions[@sig - 1] changed: its bits in the sets. */
static void note(int sig)
{
	const struct k_sigaction *a = &actions[sig - 1];
	uint64_t bit = BIT(sig);

	dfl_set = a->handler == SIG_DFL ? dfl_set | bit : dfl_set & ~bit;
	ign_set = a->handler == SIG_IGN ? ign_set | bit : ign_set & ~bit;
	onstack_flag_set = a->flags & SA_ONSTACK ? onstack_flag_set | bit : onstack_flag_set & ~bit;
}

/*
 * Tells the proc server our sets if they changed (or @force): the pending
 * signals (1 .. 63), or -errno; 0 when nothing was asked.
 */
static long tell(int force)
{
	uint64_t r[8];

	/* Without the server (the servers themselves) no signal ever comes. */
	if (!px_proc)
		return 0;
	uint64_t ignored = ign_set, handled = ~(dfl_set | ignored);
	uint64_t flags = actions[SIGCHLD - 1].flags & SA_NOCLDSTOP ? PROC_SIGSTATE_NOCLDSTOP : 0;
	uint64_t onstack = onstack_flag_set & handled;
	if (!force && told_ever && told[0] == blocked && told[1] == handled && told[2] == ignored &&
	    told[3] == flags && told[4] == onstack)
		return 0;
	uint64_t entry = px_sig_tp ? (uint64_t)(uintptr_t)px_entry : 0;
	const uint64_t w[6] = {blocked, handled, ignored, entry,
			       flags | (uint64_t)px_sig_tid() << 32, onstack};
	long pending = sig_call6(PROC_SIGSTATE, w, r);
	if (pending < 0)
		return pending;
	told[0] = blocked, told[1] = handled, told[2] = ignored, told[3] = flags, told[4] = onstack;
	told_ever = 1;
	return pending;
}

/* Whether the stack pointer @sp is on this thread's alternate signal stack. */
static int on_altstack(uintptr_t sp)
{
	uintptr_t base = (uintptr_t)altstack.ss_sp;

	return altstack.ss_size && sp > base && sp <= base + altstack.ss_size;
}

/*
 * The handler's ucontext: the registers of @frame (NULL: none) and the FP
 * state at @fp, the mask, the alternate stack.
 */
static void uc_fill(ucontext_t *uc, const struct vr_uframe *frame, void *fp, uint64_t mask)
{
	memset(uc, 0, sizeof(*uc));
	if (frame)
		px_uc_from_frame(uc, frame, fp);
	memcpy(&uc->uc_sigmask, &mask, sizeof(mask));
	uc->uc_stack = altstack;
	uc->uc_stack.ss_flags = !altstack.ss_size			       ? SS_DISABLE
				: frame && on_altstack(VR_UFRAME_SP(frame)) ? SS_ONSTACK
									       : 0;
}

/*
 * Runs @sig's handler, with @frame (NULL: none) the interrupted registers,
 * which get what the handler left in its ucontext; returns its SA_ flags, or
 * -1 when it has none.
 */
static long run(int sig, int from, int code, uint64_t value, struct vr_uframe *frame, void *fp)
{
	struct k_sigaction *a = &actions[sig - 1];
	void (*handler)(int) = a->handler;
	unsigned long flags = a->flags;
	uint64_t old = blocked;
	/* A fault's handler blocks it at the server too: a fault in the handler then ends us. */
	int fault = (BIT(sig) & FAULTS) && code > 0;

	if (handler == SIG_DFL || handler == SIG_IGN)
		return -1;
	blocked |= a->mask;
	if (!(flags & SA_NODEFER))
		blocked |= BIT(sig);
	blocked &= ~UNBLOCKABLE;
	if (flags & SA_RESETHAND) {
		a->handler = SIG_DFL;
		a->flags &= ~(unsigned long)SA_SIGINFO;
		note(sig);
		tell(0);
	} else if (fault) {
		tell(0);
	}
	if (flags & SA_SIGINFO) {
		siginfo_t info;
		ucontext_t uc;
		memset(&info, 0, sizeof(info));
		info.si_signo = sig;
		info.si_code = code;
		if (fault) {
			info.si_addr = (void *)(uintptr_t)value;
		} else {
			info.si_pid = from;
			info.si_value.sival_ptr = (void *)(uintptr_t)value;
		}
		uc_fill(&uc, frame, fp, old);
		((void (*)(int, siginfo_t *, void *))handler)(sig, &info, &uc);
		/* What sigreturn restores: the registers and the mask the handler left. */
		if (frame)
			px_uc_to_frame(frame, fp, &uc);
		memcpy(&old, &uc.uc_sigmask, sizeof(old));
	} else {
		handler(sig);
	}
	blocked = old & ~UNBLOCKABLE;
	tell(0);
	return (long)(flags & ~(1ul << 63));
}

/* take, also telling the SA_ flags of a handler that ran (-1: none) through @sa (may be NULL). */
static long take_flags(uint64_t want, uint64_t flags, long *sa, struct vr_uframe *frame, void *fp)
{
	uint64_t r[8];
	long sig = sig_call(PROC_SIGTAKE, want, flags, 0, r);

	if (sig <= 0)
		return sig;
	long f = run((int)sig, (int)r[2], (int)r[3], r[4], frame, fp);
	if (sa)
		*sa = f;
	return 1;
}

/* Takes a pending signal of @want from the server and runs its handler: whether one ran (or
 * -errno). */
static long take(uint64_t want, uint64_t flags)
{
	return take_flags(want, flags, NULL, NULL, NULL);
}

/*
 * A redirection put off in the layer (px_sig_async) asked the kernel to end
 * the call's next wait; the call ended without one, and its handlers run
 * now: no later wait of this thread may end for it. Left set, it would end
 * some later wait of this thread, whose way out takes pending signals: a
 * signal the server sent another thread could run its handler here.
 */
static void undefer(void)
{
	px_sig_deferred = 0;
	vr_thread_sigreturn(NULL, VR_SIGRETURN_DROP);
}

/* Runs the handlers of the pending signals that are not blocked: whether any ran. */
static int deliver(void)
{
	long pending = tell(1);
	int ran = 0;

	if (pending <= 0 || !(pending & ~blocked))
		return 0;
	for (int i = 0; i < SIG_MAX; i++) {
		if (take(~blocked, 0) <= 0)
			break;
		ran = 1;
	}
	return ran;
}

long px_sig_mask_swap(const uint64_t *mask, uint64_t *old)
{
	*old = blocked;
	if (!mask)
		return 0;
	blocked = *mask & ~UNBLOCKABLE;
	/* A pending signal the mask lets through interrupts the call before it waits. */
	return deliver() ? -EINTR : 0;
}

void px_sig_mask_restore(const uint64_t *mask, uint64_t old, long r)
{
	if (!mask)
		return;
	/* A signal that interrupted the wait runs its handler under the call's mask, as on Linux. */
	if (r == -EINTR || px_sig_deferred) {
		if (px_sig_deferred)
			undefer();
		/* A handler ran: the call ends with EINTR, never restarted (as Linux's ppoll, pselect). */
		if (deliver())
			px_kernel_eintr = 0;
	}
	blocked = old;
	tell(0);
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
	note(sig);
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

long px_sigaltstack(const long *args)
{
	const stack_t *ss = (const stack_t *)args[0];
	stack_t *old = (stack_t *)args[1], was = altstack;
	int on = on_altstack((uintptr_t)__builtin_frame_address(0));

	was.ss_flags = on ? SS_ONSTACK : altstack.ss_size ? 0 : SS_DISABLE;
	if (ss) {
		stack_t now = *ss;
		if (on)
			return -EPERM;
		if (now.ss_flags & ~SS_DISABLE)
			return -EINVAL;
		if (now.ss_flags & SS_DISABLE) {
			now = (stack_t){.ss_flags = SS_DISABLE};
		} else if (now.ss_size < MINSIGSTKSZ) {
			return -ENOMEM;
		}
		/* The kernel puts the frame of an SA_ONSTACK redirection there. */
		int64_t err = vr_thread_sigstack((uint64_t)(uintptr_t)now.ss_sp, now.ss_size);
		if (err)
			return err == -EINVAL ? -EFAULT : err;
		altstack = now;
		altstack.ss_flags = 0;
		if (!now.ss_size)
			altstack = (stack_t){0};
	}
	if (old)
		*old = was;
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
	/* A fault's siginfo has its address where a sender's pid would be. */
	if (sig <= 0)
		return sig ? sig : -EAGAIN;
	if (info) {
		memset(info, 0, sizeof(*info));
		info->si_signo = (int)sig;
		info->si_code = (int)r[3];
		if ((BIT(sig) & FAULTS) && info->si_code > 0) {
			info->si_addr = (void *)(uintptr_t)r[4];
		} else {
			info->si_pid = (int)r[2];
			info->si_value.sival_ptr = (void *)(uintptr_t)r[4];
		}
	}
	return sig;
}

long px_pause(const long *args)
{
	return suspend(blocked);
}

/* A kill (@tid 0), or a tgkill of our thread @tid. */
static long kill_code(long pid, long sig, long code, int tid)
{
	uint64_t r[8];
	const uint64_t w[6] = {(uint64_t)pid, (uint64_t)sig, (uint64_t)code, (uint64_t)tid};
	long err = sig_call6(PROC_KILL, w, r);

	/* A signal that may have reached us runs its handler before kill returns, as on Linux. */
	if (err == 0 && sig && (pid <= 0 || pid == px_getpid(NULL)) && (!tid || tid == px_sig_tid()))
		deliver();
	return err;
}

int px_sig_off(int sig)
{
	return (blocked & BIT(sig)) || actions[sig - 1].handler == SIG_IGN;
}

long px_tty_background(int sig)
{
	long err = kill_code(0, sig, PROC_KILL_JOBCTL, 0);

	if (err)
		return err;
	/* By default the signal stopped our group, us included, until a SIGCONT: try again. */
	return actions[sig - 1].handler == SIG_DFL ? 0 : -EINTR;
}

void px_sigpipe(void)
{
	/* Linux sends it to the writing thread. */
	kill_code(px_getpid(NULL), SIGPIPE, SI_TKILL, px_sig_tid());
}

long px_kill(const long *args)
{
	return kill_code((int)args[0], (int)args[1], SI_USER, 0);
}

/*
 * Thread ids name a thread within its process (px_tid_in): tkill names one
 * of ours; tgkill one of any process the caller may signal, which the proc
 * server finds among that process's threads.
 */
long px_tkill(const long *args)
{
	if ((int)args[0] <= 0)
		return -EINVAL;
	int pid = (int)px_getpid(NULL), tid = px_tid_in(pid, (int)args[0]);
	return tid ? kill_code(pid, (int)args[1], SI_TKILL, tid) : -ESRCH;
}

long px_tgkill(const long *args)
{
	if ((int)args[0] <= 0 || (int)args[1] <= 0)
		return -EINVAL;
	int tid = px_tid_in((int)args[0], (int)args[1]);
	return tid ? kill_code((int)args[0], (int)args[2], SI_TKILL, tid) : -ESRCH;
}

/* ---- asynchronous delivery ---- */

enum { RAN_NONE, RAN_RESTART, RAN_NO_RESTART };

/*
 * Runs the handlers of every pending unblocked signal of @want, with the
 * registers of @frame (may be NULL) and FP state at @fp: whether any ran,
 * and if all had SA_RESTART.
 */
static int deliver_async(uint64_t want, struct vr_uframe *frame, void *fp)
{
	int ran = RAN_NONE;
	long sa = -1;

	for (int i = 0; i < SIG_MAX; i++) {
		sa = -1;
		if (take_flags(want & ~blocked, 0, &sa, frame, fp) <= 0)
			break;
		if (sa >= 0)
			ran = (sa & SA_RESTART) && ran != RAN_NO_RESTART ? RAN_RESTART : RAN_NO_RESTART;
	}
	return ran;
}

void px_sig_thread(void)
{
	/* A forked child goes on in the forking thread, inside fork: the first thread now. */
	thread_id = 0;
	told_ever = 0;
	px_sig_tp = vr_tls_self();
	px_sig_deferred = 0;
}

void px_sig_start(uint64_t mask, uint64_t ignored)
{
	for (int sig = 1; sig <= SIG_MAX; sig++)
		if (ignored & BIT(sig) & ~UNBLOCKABLE) {
			actions[sig - 1].handler = SIG_IGN;
			note(sig);
		}
	blocked = mask & ~UNBLOCKABLE;
}

void px_sig_new_thread(int tid, uint64_t mask)
{
	thread_id = tid;
	blocked = mask;
	told_ever = 0;
	px_layer_depth = px_kernel_eintr = px_sig_deferred = 0;
}

void px_sig_keep(struct px_keep *k)
{
	px_keep(k, &blocked, sizeof(blocked));
	px_keep(k, &thread_id, sizeof(thread_id));
	px_keep(k, told, sizeof(told));
	px_keep(k, &told_ever, sizeof(told_ever));
	px_keep(k, &altstack, sizeof(altstack));
	px_keep(k, &px_layer_depth, sizeof(px_layer_depth));
	px_keep(k, (void *)&px_sig_deferred, sizeof(px_sig_deferred));
	px_keep(k, &px_kernel_eintr, sizeof(px_kernel_eintr));
}

uint64_t px_sig_blocked(void)
{
	return blocked;
}

uint64_t px_sig_ignored(void)
{
	return ign_set;
}

/*
 * Called by px_sig_entry on the redirected thread, with the FP state it
 * saved at @fp (restored from there): the flags for thread_sigreturn.
 */
long px_sig_async(void *frame, void *fp)
{
	if (px_layer_depth) {
		/*
		 * The layer is busy: after its call, and its next kernel wait ends
		 * at once. But a fault there (a bad pointer it was given) would only
		 * come again: its handler runs now, as Linux's would in libc.
		 */
		int was = px_kernel_eintr;
		int ran = deliver_async(FAULTS, frame, fp);
		px_kernel_eintr = was;
		if (ran != RAN_NONE)
			return 0;
		px_sig_deferred = 1;
		return VR_SIGRETURN_INTR;
	}
	deliver_async(~(uint64_t)0, frame, fp);
	return 0;
}

long px_sig_after(long n, px_handler call, const long *args, long r)
{
	while (r == -EINTR && px_kernel_eintr) {
		/* A signal ended one of the call's kernel waits: its handlers run now. */
		px_sig_deferred = 0;
		int ran = deliver_async(~(uint64_t)0, NULL, NULL);
		if (px_interruptible(n, args) &&
		    (ran == RAN_NO_RESTART ||
		     (ran == RAN_RESTART && (!px_restartable(n) || px_sock_timed(n, args)))))
			break;
		px_layer_depth++;
		px_kernel_eintr = 0;
		r = call(args);
		px_layer_depth--;
	}
	if (px_sig_deferred) {
		undefer();
		deliver_async(~(uint64_t)0, NULL, NULL);
	}
	return r;
}
