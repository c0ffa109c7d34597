/*
 * Signals with handlers: sigaction (SA_SIGINFO, SA_RESETHAND, SA_NODEFER),
 * sigprocmask and sigpending, kill and raise to self, a signal to a child
 * in sigsuspend, SIGCHLD on a child's exit, SIG_IGN, default actions, fork
 * inheriting dispositions. Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


#define TEST_NAME "signals"
#include "check.h"

static volatile sig_atomic_t hits, last_sig, nested, depth, info_signo, info_code, info_pid;

static void on_signal(int sig)
{
	hits++;
	last_sig = sig;
}

static void on_info(int sig, siginfo_t *info, void *uc)
{
	(void)sig, (void)uc;
	hits++;
	info_signo = info->si_signo;
	info_code = info->si_code;
	info_pid = info->si_pid;
}

/* Raises the signal again from inside its handler once: whether that nests depends on SA_NODEFER.
 */
static void on_reenter(int sig)
{
	hits++;
	depth++;
	if (depth > 1)
		nested = 1;
	if (hits == 1)
		raise(sig);
	depth--;
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(sig, &sa, NULL) == 0, "sigaction %d", sig);
}

static void test_siginfo(void)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction SA_SIGINFO");
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_sigaction == on_info &&
		  (old.sa_flags & SA_SIGINFO),
	      "sigaction reads back");
	hits = 0;
	CHECK(kill(getpid(), SIGUSR1) == 0, "kill self");
	CHECK(hits == 1, "handler ran %d times before kill returned", (int)hits);
	CHECK(info_signo == SIGUSR1 && info_code == SI_USER && info_pid == getpid(),
	      "siginfo signo %d code %d pid %d", (int)info_signo, (int)info_code, (int)info_pid);
	CHECK(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL, "SIGKILL cannot be caught");
	set_handler(SIGUSR1, SIG_DFL, 0);
}

static void test_raise(void)
{
	hits = 0;
	set_handler(SIGUSR2, on_signal, 0);
	CHECK(raise(SIGUSR2) == 0 && hits == 1 && last_sig == SIGUSR2, "raise ran %d", (int)hits);
	set_handler(SIGUSR2, SIG_IGN, 0);
	CHECK(raise(SIGUSR2) == 0 && hits == 1, "an ignored signal is dropped");
	set_handler(SIGUSR2, SIG_DFL, 0);
}

static void test_mask(void)
{
	sigset_t set, old, pending;

	hits = 0;
	set_handler(SIGUSR1, on_signal, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0, "block");
	CHECK(!sigismember(&old, SIGUSR1), "was not blocked");
	raise(SIGUSR1);
	raise(SIGUSR1);
	CHECK(hits == 0, "a blocked signal ran its handler");
	CHECK(sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1), "pending");
	CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0, "unblock");
	CHECK(hits == 1, "unblocking ran the handler %d times, wanted once", (int)hits);
	CHECK(sigpending(&pending) == 0 && !sigismember(&pending, SIGUSR1), "still pending");
	/* A blocked signal whose default is to end the process does not, until unblocked (in a
	 * child). */
	pid_t c = fork();
	if (c == 0) {
		sigprocmask(SIG_BLOCK, &set, NULL);
		set_handler(SIGUSR1, SIG_DFL, 0);
		raise(SIGUSR1);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		_exit(0);
	}
	int st = 0;
	CHECK(waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1,
	      "blocked default: status %#x", st);
	set_handler(SIGUSR1, SIG_DFL, 0);
}

static void test_flags(void)
{
	hits = 0;
	set_handler(SIGUSR1, on_signal, SA_RESETHAND);
	raise(SIGUSR1);
	struct sigaction now;
	CHECK(sigaction(SIGUSR1, NULL, &now) == 0 && now.sa_handler == SIG_DFL,
	      "SA_RESETHAND left the handler");
	CHECK(hits == 1, "SA_RESETHAND handler ran %d", (int)hits);

	hits = nested = depth = 0;
	set_handler(SIGUSR2, on_reenter, 0);
	raise(SIGUSR2);
	CHECK(hits == 2 && !nested, "deferred: %d runs, nested %d", (int)hits, (int)nested);
	hits = nested = depth = 0;
	set_handler(SIGUSR2, on_reenter, SA_NODEFER);
	raise(SIGUSR2);
	CHECK(hits == 2 && nested, "SA_NODEFER: %d runs, nested %d", (int)hits, (int)nested);
	set_handler(SIGUSR2, SIG_DFL, 0);
}

/* A child waits in sigsuspend for its parent's signal and exits with what its handler saw. */
static void test_child(void)
{
	sigset_t set, old;
	int ready[2];

	CHECK(pipe(ready) == 0, "pipe");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	set_handler(SIGUSR1, on_signal, 0);
	pid_t c = fork();
	if (c == 0) {
		hits = 0;
		close(ready[0]);
		write(ready[1], "r", 1);
		while (!hits)
			sigsuspend(&old);
		_exit(last_sig == SIGUSR1 ? 42 : 1);
	}
	close(ready[1]);
	char b;
	CHECK(read(ready[0], &b, 1) == 1, "child ready");
	close(ready[0]);
	CHECK(kill(c, SIGUSR1) == 0, "kill child");
	int st = 0;
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 42,
	      "child handled: status %#x", st);
	sigprocmask(SIG_SETMASK, &old, NULL);
	set_handler(SIGUSR1, SIG_DFL, 0);

	/* Default actions: SIGTERM ends the child; SIGCHLD and SIGURG do not. */
	c = fork();
	if (c == 0) {
		raise(SIGURG);
		raise(SIGTERM);
		_exit(0);
	}
	CHECK(waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	      "SIGTERM default: status %#x", st);
}

static void test_sigchld(void)
{
	sigset_t set, old;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	hits = 0;
	pid_t c = fork();
	if (c == 0)
		_exit(7);
	while (!hits)
		sigsuspend(&old);
	CHECK(info_signo == SIGCHLD && info_pid == c && info_code == CLD_EXITED,
	      "SIGCHLD info signo %d pid %d code %d", (int)info_signo, (int)info_pid,
	      (int)info_code);
	int st = 0;
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %#x", st);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* Ignoring SIGCHLD: no zombies, and wait fails with ECHILD once the children are gone. */
	set_handler(SIGCHLD, SIG_IGN, 0);
	c = fork();
	if (c == 0)
		_exit(0);
	errno = 0;
	CHECK(waitpid(c, &st, 0) == -1 && errno == ECHILD, "SIG_IGN SIGCHLD left a zombie");
	set_handler(SIGCHLD, SIG_DFL, 0);
}

int main(void)
{
	test_siginfo();
	test_raise();
	test_mask();
	test_flags();
	test_child();
	test_sigchld();
	printf("signals: %d failure%s\n", failures, failures == 1 ? "" : "s");
	return failures;
}
