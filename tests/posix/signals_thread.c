/*
 * Signals per thread: each thread's own mask (inherited by the threads it
 * creates), pthread_kill and tgkill to one thread (its handler runs there;
 * blocked, it is pending for that thread alone, and sigwait, sigtimedwait,
 * signalfd, sigsuspend and ppoll in that thread take it), kill() to a thread
 * that does not block it (the main thread when it does not), faults to the
 * faulting thread's handler with its registers in the ucontext (a handler
 * that advances the pc skips the faulting instruction; uc_sigmask changes
 * the mask restored), sigaltstack (a stack overflow's SIGSEGV handled on the
 * alternate stack, SS_ONSTACK, EPERM there, SS_DISABLE, ENOMEM), and the
 * mask and ignored signals kept across execve and posix_spawn
 * (POSIX_SPAWN_SETSIGMASK, POSIX_SPAWN_SETSIGDEF), caught ones reset.
 * Nothing here waits for time to pass: every wait is for an event.
 * Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define TEST_NAME "signals_thread"
#include "check.h"

extern char **environ;

/* The interrupted pc and stack pointer of a handler's ucontext, and how long an illegal instruction is. */
#if defined(__x86_64__)
#define UC_PC(uc) ((uc)->uc_mcontext.gregs[REG_RIP])
#define UC_SP(uc) ((uc)->uc_mcontext.gregs[REG_RSP])
#define ILLEGAL() __asm__ volatile("ud2")
#define ILLEGAL_LEN 2
#elif defined(__aarch64__)
#define UC_PC(uc) ((uc)->uc_mcontext.pc)
#define UC_SP(uc) ((uc)->uc_mcontext.sp)
#define ILLEGAL() __asm__ volatile(".inst 0")
#define ILLEGAL_LEN 4
#elif defined(__riscv)
#define UC_PC(uc) ((uc)->uc_mcontext.__gregs[0])
#define UC_SP(uc) ((uc)->uc_mcontext.__gregs[2])
#define ILLEGAL() __asm__ volatile(".4byte 0")
#define ILLEGAL_LEN 4
#endif

static volatile sig_atomic_t hits;
static pthread_t handler_thread;

static void on_usr(int sig)
{
	(void)sig;
	handler_thread = pthread_self();
	hits++;
}

static void handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = {.sa_handler = fn, .sa_flags = flags};

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void handle_info(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = {.sa_sigaction = fn, .sa_flags = SA_SIGINFO | flags};

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void mask(int how, int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	pthread_sigmask(how, &s, NULL);
}

static int blocks(int sig)
{
	sigset_t s;

	pthread_sigmask(SIG_BLOCK, NULL, &s);
	return sigismember(&s, sig);
}

static int pending(int sig)
{
	sigset_t s;

	sigpending(&s);
	return sigismember(&s, sig);
}

/* ---- a thread that does what it is told, step by step ---- */

enum step { IDLE, SPIN, SIGWAIT, TIMEDWAIT, SIGNALFD, SUSPEND, PPOLL, QUIT };

static struct worker {
	pthread_t t;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum step step;
	int busy;	/* the step is under way */
	int tid;
	int result, err;
	int inherited;	/* it started with SIGUSR1 blocked, as its creator */
} w = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void *worker_main(void *arg)
{
	(void)arg;
	w.inherited = blocks(SIGUSR1);
	pthread_mutex_lock(&w.lock);
	w.tid = (int)syscall(SYS_gettid);
	pthread_cond_broadcast(&w.cond);
	for (;;) {
		while (w.step == IDLE)
			pthread_cond_wait(&w.cond, &w.lock);
		enum step s = w.step;
		/* Blocked before the main thread may send it: the waits take it, no handler. */
		if (s == SIGWAIT || s == TIMEDWAIT || s == SIGNALFD)
			mask(SIG_BLOCK, SIGUSR2);
		w.busy = 1;
		pthread_cond_broadcast(&w.cond);
		pthread_mutex_unlock(&w.lock);
		int r = 0, err = 0;
		sigset_t set, empty;
		sigemptyset(&set);
		sigemptyset(&empty);
		switch (s) {
		case SPIN:
			while (!hits)
				;
			r = pthread_equal(handler_thread, pthread_self());
			break;
		case SIGWAIT:
			sigaddset(&set, SIGUSR2);
			err = sigwait(&set, &r);
			break;
		case TIMEDWAIT: {
			struct timespec ts = {60, 0};
			sigaddset(&set, SIGUSR2);
			r = sigtimedwait(&set, NULL, &ts);
			err = r < 0 ? errno : 0;
			break;
		}
		case SIGNALFD: {
			struct signalfd_siginfo si;
			sigaddset(&set, SIGUSR2);
			int fd = signalfd(-1, &set, 0);
			r = fd >= 0 && read(fd, &si, sizeof(si)) == sizeof(si) ? (int)si.ssi_signo : -1;
			err = errno;
			close(fd);
			break;
		}
		case SUSPEND:
			r = sigsuspend(&empty);
			err = errno;
			r = r == -1 && err == EINTR && hits && pthread_equal(handler_thread, pthread_self());
			break;
		case PPOLL:
			r = ppoll(NULL, 0, NULL, &empty);
			err = errno;
			r = r == -1 && err == EINTR && hits && pthread_equal(handler_thread, pthread_self());
			break;
		default: break;
		}
		if (s == SIGWAIT || s == TIMEDWAIT || s == SIGNALFD)
			mask(SIG_UNBLOCK, SIGUSR2);
		pthread_mutex_lock(&w.lock);
		w.result = r, w.err = err, w.busy = 0, w.step = s == QUIT ? QUIT : IDLE;
		pthread_cond_broadcast(&w.cond);
		if (s == QUIT)
			break;
	}
	pthread_mutex_unlock(&w.lock);
	return NULL;
}

/* Tells the worker @s and waits until it has started it. */
static void start(enum step s)
{
	pthread_mutex_lock(&w.lock);
	w.step = s;
	pthread_cond_broadcast(&w.cond);
	while (!w.busy)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
}

/* Waits until the worker has done its step: its result. */
static int finish(void)
{
	pthread_mutex_lock(&w.lock);
	while (w.busy || w.step != IDLE)
		pthread_cond_wait(&w.cond, &w.lock);
	int r = w.result;
	pthread_mutex_unlock(&w.lock);
	return r;
}

static void test_masks_and_targets(void)
{
	handle(SIGUSR1, on_usr, 0);
	handle(SIGUSR2, on_usr, 0);
	/* The worker starts with its creator's mask. */
	mask(SIG_BLOCK, SIGUSR1);
	CHECK(pthread_create(&w.t, NULL, worker_main, NULL) == 0, "pthread_create");
	pthread_mutex_lock(&w.lock);
	while (!w.tid)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
	CHECK(w.inherited, "the new thread did not start with its creator's mask");
	CHECK(w.tid != getpid() && w.tid > 0, "the worker's tid %d (pid %d)", w.tid, (int)getpid());

	/* pthread_kill: the worker does not block SIGUSR2 (the main thread does): its handler runs there. */
	mask(SIG_BLOCK, SIGUSR2);
	hits = 0;
	start(SPIN);
	CHECK(pthread_kill(w.t, SIGUSR2) == 0, "pthread_kill");
	CHECK(finish() == 1, "the handler of a pthread_kill ran in another thread");
	CHECK(!pending(SIGUSR2), "SIGUSR2 pending in the main thread after the worker took it");

	/* tgkill likewise. */
	hits = 0;
	start(SPIN);
	CHECK(syscall(SYS_tgkill, getpid(), w.tid, SIGUSR2) == 0, "tgkill");
	CHECK(finish() == 1, "the handler of a tgkill ran in another thread");
	errno = 0;
	CHECK(syscall(SYS_tgkill, getpid(), 0x7ffff, SIGUSR2) == -1 && errno == ESRCH,
	      "tgkill of no thread");
	CHECK(syscall(SYS_tgkill, getpid(), -3, SIGUSR2) == -1 && errno == EINVAL,
	      "tgkill of a negative tid");

	/* kill() to the process: the main thread blocks SIGUSR2 and the worker does not. */
	hits = 0;
	start(SPIN);
	CHECK(kill(getpid(), SIGUSR2) == 0, "kill");
	CHECK(finish() == 1, "kill() was not taken by the thread that does not block it");

	/* ... and when the main thread does not block it either, the main thread takes it. */
	mask(SIG_UNBLOCK, SIGUSR2);
	hits = 0;
	handler_thread = w.t;
	CHECK(kill(getpid(), SIGUSR2) == 0, "kill");
	while (!hits)
		;
	CHECK(pthread_equal(handler_thread, pthread_self()), "kill() went to another thread than the main one");
}

/* The worker blocks SIGUSR2 and takes it with a sigwait, sigtimedwait, signalfd. */
static void test_waits(void)
{
	static const enum step steps[] = {SIGWAIT, TIMEDWAIT, SIGNALFD};
	static const char *const names[] = {"sigwait", "sigtimedwait", "signalfd"};

	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		hits = 0;
		start(steps[i]);
		CHECK(pthread_kill(w.t, SIGUSR2) == 0, "pthread_kill");
		int r = finish();
		CHECK(r == SIGUSR2 && !hits, "%s in a thread took %d (errno %d), handler ran %d", names[i], r,
		      w.err, (int)hits);
	}
}

/* sigsuspend and ppoll with a mask, in the worker, which blocks SIGUSR1. */
static void test_suspend(void)
{
	static const enum step steps[] = {SUSPEND, PPOLL};

	for (unsigned i = 0; i < 2; i++) {
		hits = 0;
		start(steps[i]);
		CHECK(pthread_kill(w.t, SIGUSR1) == 0, "pthread_kill");
		CHECK(finish() == 1, "%s's mask in a thread: the handler did not run there (errno %d)",
		      i ? "ppoll" : "sigsuspend", w.err);
	}
}

/* ---- the thread's own blocked SIGUSR2: sigwait without a handler racing it ---- */

static volatile int sent;

static void *blocker(void *arg)
{
	sigset_t set;
	int sig = 0;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	while (!sent)
		;
	/* Blocked here (inherited): pending for this thread until sigwait takes it. */
	int was = pending(SIGUSR2);
	sigwait(&set, &sig);
	return (void *)(intptr_t)(sig == SIGUSR2 && was ? 1 : 0);
}

static void test_thread_pending(void)
{
	pthread_t t;
	void *ok = NULL;

	mask(SIG_BLOCK, SIGUSR2);
	CHECK(pthread_create(&t, NULL, blocker, NULL) == 0, "pthread_create");
	CHECK(pthread_kill(t, SIGUSR2) == 0, "pthread_kill");
	CHECK(!pending(SIGUSR2), "another thread's pending signal shows in this one's sigpending");
	sent = 1;
	pthread_join(t, &ok);
	CHECK(ok == (void *)1, "the thread did not see its pending signal or sigwait did not take it");
}

/* ---- faults, ucontext, sigaltstack ---- */

static sigjmp_buf fault_env;
static volatile uintptr_t fault_addr, fault_pc, fault_sp, near_sp;
static volatile int fault_onstack, fault_eperm, fault_masked, fault_same_thread, fault_frame_on_alt;
static char *alt_base;
static size_t alt_size;
static pthread_t faulting;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	stack_t now, other = {.ss_sp = alt_base, .ss_size = alt_size};
	char here;

	(void)sig;
	fault_addr = (uintptr_t)si->si_addr;
	fault_pc = (uintptr_t)UC_PC(uc);
	fault_sp = (uintptr_t)UC_SP(uc);
	fault_same_thread = pthread_equal(pthread_self(), faulting);
	fault_masked = sigismember(&uc->uc_sigmask, SIGUSR2);
	fault_frame_on_alt = (uintptr_t)&here > (uintptr_t)alt_base &&
			     (uintptr_t)&here <= (uintptr_t)alt_base + alt_size;
	/* (uc_stack's flags are the interrupted code's: not on it.) */
	fault_onstack = sigaltstack(NULL, &now) == 0 && (now.ss_flags & SS_ONSTACK) &&
			!(uc->uc_stack.ss_flags & SS_ONSTACK) && uc->uc_stack.ss_sp == alt_base;
	fault_eperm = sigaltstack(&other, NULL) == -1 && errno == EPERM;
	siglongjmp(fault_env, 1);
}

__attribute__((noinline)) static void load_from(volatile int *p)
{
	char local;

	near_sp = (uintptr_t)&local;
	(void)*p;
}

__attribute__((noinline)) static int overflow(int n)
{
	volatile char big[1024];

	big[0] = (char)n;
	/* n never gets negative: it recurses until the stack ends. */
	return n >= 0 ? overflow(n + 1) + big[0] : 0;
}

static volatile int skipped;

static void on_ill(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig, (void)si;
	skipped++;
	/* Past the illegal instruction: sigreturn resumes there. */
	UC_PC(uc) += ILLEGAL_LEN;
	/* And SIGUSR1 stays blocked after the handler, as the ucontext says. */
	sigaddset(&uc->uc_sigmask, SIGUSR1);
}

static void *fault_thread(void *arg)
{
	int *results = arg;
	stack_t ss = {0}, old;

	faulting = pthread_self();
	mask(SIG_BLOCK, SIGUSR2);
	/* No alternate stack yet: SS_DISABLE; too small: ENOMEM. */
	CHECK(sigaltstack(NULL, &old) == 0 && (old.ss_flags & SS_DISABLE), "flags %d without an alternate stack",
	      old.ss_flags);
	ss.ss_sp = alt_base, ss.ss_size = MINSIGSTKSZ - 1;
	errno = 0;
	CHECK(sigaltstack(&ss, NULL) == -1 && errno == ENOMEM, "a stack smaller than MINSIGSTKSZ");
	ss.ss_size = alt_size;
	CHECK(sigaltstack(&ss, NULL) == 0, "sigaltstack");
	CHECK(sigaltstack(NULL, &old) == 0 && old.ss_flags == 0 && old.ss_sp == alt_base &&
		      old.ss_size == alt_size,
	      "sigaltstack reports flags %d sp %p size %zu", old.ss_flags, old.ss_sp, old.ss_size);

	/* A bad load: the handler sees the address, the pc and the stack pointer. */
	if (!sigsetjmp(fault_env, 1))
		load_from((volatile int *)16);
	results[0] = fault_addr == 16 && fault_same_thread && fault_masked;
	results[1] = fault_pc >= (uintptr_t)load_from && fault_pc < (uintptr_t)load_from + 256 &&
		     fault_sp <= near_sp + 256 && fault_sp + 4096 > near_sp;
	results[2] = fault_onstack && fault_eperm && fault_frame_on_alt;

	/* A real stack overflow: its handler can only run on the alternate stack. */
	fault_onstack = fault_frame_on_alt = 0;
	if (!sigsetjmp(fault_env, 1))
		overflow(0);
	results[3] = fault_onstack && fault_frame_on_alt && fault_same_thread;

	/* Back on the thread's stack: not SS_ONSTACK; then SS_DISABLE. */
	CHECK(sigaltstack(NULL, &old) == 0 && old.ss_flags == 0, "flags %d off the alternate stack",
	      old.ss_flags);
	ss.ss_flags = SS_DISABLE;
	CHECK(sigaltstack(&ss, NULL) == 0 && sigaltstack(NULL, &old) == 0 && (old.ss_flags & SS_DISABLE),
	      "SS_DISABLE: flags %d", old.ss_flags);

	/* A handler that advances the pc past an illegal instruction. */
	mask(SIG_UNBLOCK, SIGUSR1);
	ILLEGAL();
	results[4] = skipped == 1 && blocks(SIGUSR1);
	return NULL;
}

static void test_faults(void)
{
	pthread_attr_t attr;
	pthread_t t;
	int results[5] = {0};

	alt_size = 64 * 1024;
	alt_base = malloc(alt_size);
	handle_info(SIGSEGV, on_segv, SA_ONSTACK);
	handle_info(SIGILL, on_ill, 0);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	CHECK(pthread_create(&t, &attr, fault_thread, results) == 0, "pthread_create");
	pthread_join(t, NULL);
	CHECK(results[0], "SIGSEGV: si_addr %#lx (want 0x10), same thread %d, uc_sigmask has SIGUSR2 %d",
	      (unsigned long)fault_addr, fault_same_thread, fault_masked);
	CHECK(results[1], "SIGSEGV: uc pc %#lx (load_from %p), uc sp %#lx (a local at %#lx)",
	      (unsigned long)fault_pc, (void *)load_from, (unsigned long)fault_sp, (unsigned long)near_sp);
	CHECK(results[2], "SA_ONSTACK: on the alternate stack %d, SS_ONSTACK %d, EPERM there %d",
	      fault_frame_on_alt, fault_onstack, fault_eperm);
	CHECK(results[3], "a stack overflow's SIGSEGV: on the alternate stack %d, SS_ONSTACK %d",
	      fault_frame_on_alt, fault_onstack);
	CHECK(results[4], "SIGILL skipped by advancing the pc: %d, SIGUSR1 blocked after it %d", skipped,
	      blocks(SIGUSR1));
	signal(SIGSEGV, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	free(alt_base);
}

/* A fault with its signal blocked ends the process with it, as Linux forces it. */
static void test_blocked_fault(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		handle_info(SIGSEGV, on_segv, 0);
		mask(SIG_BLOCK, SIGSEGV);
		load_from((volatile int *)16);
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a blocked SIGSEGV fault: status %#x", st);
}

/* ---- execve and posix_spawn ---- */

static void on_term(int sig)
{
	(void)sig;
}

/* The child: bit 0 SIGUSR1 blocked, bit 1 SIGUSR2 ignored, bit 2 SIGTERM's handler reset. */
static int child_report(void)
{
	struct sigaction sa;
	int r = 0;

	r |= blocks(SIGUSR1) ? 1 : 0;
	sigaction(SIGUSR2, NULL, &sa);
	r |= sa.sa_handler == SIG_IGN ? 2 : 0;
	sigaction(SIGTERM, NULL, &sa);
	r |= sa.sa_handler == SIG_DFL ? 4 : 0;
	return r;
}

static int status_of(pid_t pid)
{
	int st = 0;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_exec(const char *self)
{
	char *argv[] = {(char *)self, "child", NULL};
	posix_spawnattr_t attr;
	sigset_t set;
	pid_t pid;

	signal(SIGUSR2, SIG_IGN);
	handle(SIGTERM, on_term, 0);
	mask(SIG_BLOCK, SIGUSR1);
	pid = fork();
	if (pid == 0) {
		execve(self, argv, environ);
		_exit(100);
	}
	int st = status_of(pid);
	CHECK(st == 7, "execve kept mask/ignored/reset as %d (want 7)", st);

	CHECK(posix_spawn(&pid, self, NULL, NULL, argv, environ) == 0, "posix_spawn");
	st = status_of(pid);
	CHECK(st == 7, "posix_spawn kept mask/ignored/reset as %d (want 7)", st);

	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	sigemptyset(&set);
	posix_spawnattr_setsigmask(&attr, &set);
	sigaddset(&set, SIGUSR2);
	posix_spawnattr_setsigdefault(&attr, &set);
	CHECK(posix_spawn(&pid, self, NULL, &attr, argv, environ) == 0, "posix_spawn with attributes");
	st = status_of(pid);
	CHECK(st == 4, "POSIX_SPAWN_SETSIGMASK|SETSIGDEF gave %d (want 4)", st);
	posix_spawnattr_destroy(&attr);
	mask(SIG_UNBLOCK, SIGUSR1);
	signal(SIGUSR2, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

/* Progress, so that a hang shows where. */
static void step_say(const char *what)
{
	printf(TEST_NAME ": %s\n", what);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "child"))
		return child_report();
	if (argv[0][0] != '/') {
		printf(TEST_NAME ": FAIL: argv[0] \"%s\" is not an absolute path\n", argv[0]);
		return 1;
	}
	step_say("test_exec");
	test_exec(argv[0]);
	step_say("test_masks_and_targets");
	test_masks_and_targets();
	step_say("test_waits");
	test_waits();
	step_say("test_suspend");
	test_suspend();
	pthread_mutex_lock(&w.lock);
	w.step = QUIT;
	pthread_cond_broadcast(&w.cond);
	pthread_mutex_unlock(&w.lock);
	pthread_join(w.t, NULL);
	step_say("test_thread_pending");
	test_thread_pending();
	step_say("test_faults");
	test_faults();
	step_say("test_blocked_fault");
	test_blocked_fault();
	if (!failures)
		printf(TEST_NAME ": all passed\n");
	return failures != 0;
}
