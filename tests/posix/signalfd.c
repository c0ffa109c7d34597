/*
 * signalfd: blocked signals read as struct signalfd_siginfo records (signo,
 * sender's pid, si_code), several in one read; EAGAIN with SFD_NONBLOCK when
 * none is pending and EINVAL for a buffer smaller than one record; poll and
 * epoll readiness after a child's kill; a blocking read woken by a child's
 * kill; a mask changed through signalfd(fd, ...), EINVAL for a fd that is
 * not a signalfd; after fork the child's signalfd reads and polls the
 * child's signals, not the parent's; a program exec'd with one reads its own
 * signals through it. Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "signalfd"
#include "check.h"

/* A child that sends @sig to its parent and exits; returns its pid once it has been waited for
 * (@wait) or at once. */
static pid_t kill_parent(int sig, int wait)
{
	pid_t parent = getpid(), c = fork();

	if (c == 0)
		_exit(kill(parent, sig) ? 1 : 0);
	CHECK(c > 0, "fork");
	if (c > 0 && wait) {
		int st = -1;
		CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "the child's kill");
	}
	return c;
}

static void reap(pid_t c)
{
	int st = -1;

	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's kill");
}

/* The exec'd program: blocks SIGUSR2 (a new program's mask is its own here), raises it, reads it
 * through the inherited @fd. */
static int exec_read(int fd)
{
	sigset_t two;
	struct signalfd_siginfo si[2];

	sigemptyset(&two);
	sigaddset(&two, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &two, NULL) || raise(SIGUSR2))
		return 3;
	ssize_t n = read(fd, si, sizeof(si));
	return n == (ssize_t)sizeof(si[0]) && si[0].ssi_signo == SIGUSR2 &&
		       si[0].ssi_pid == (uint32_t)getpid()
		   ? 0
		   : 4;
}

int main(int argc, char **argv)
{
	sigset_t mask, none;
	struct signalfd_siginfo si[4];

	if (argc == 3 && !strcmp(argv[1], "exec-read"))
		return exec_read(atoi(argv[2]));

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigemptyset(&none);
	CHECK(sigprocmask(SIG_BLOCK, &mask, NULL) == 0, "sigprocmask");

	/* Bad arguments. */
	errno = 0;
	CHECK(signalfd(-1, &mask, 0x4000) == -1 && errno == EINVAL, "unknown flags: EINVAL");
	errno = 0;
	CHECK(signalfd(1000, &mask, 0) == -1 && errno == EBADF, "a closed fd: EBADF");
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	errno = 0;
	CHECK(signalfd(p[0], &mask, 0) == -1 && errno == EINVAL, "a pipe: EINVAL");
	close(p[0]);
	close(p[1]);

	int fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	CHECK(fd >= 0, "signalfd");
	CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) && (fcntl(fd, F_GETFL) & O_NONBLOCK),
	      "SFD_CLOEXEC, SFD_NONBLOCK");

	/* Nothing pending. */
	errno = 0;
	CHECK(read(fd, si, sizeof(si)) == -1 && errno == EAGAIN, "empty: EAGAIN");
	struct pollfd pfd = {fd, POLLIN, 0};
	CHECK(poll(&pfd, 1, 0) == 0, "empty: not readable");

	/* raise: one record with our pid and SI_TKILL (raise is tgkill); kill: SI_USER. */
	CHECK(raise(SIGUSR1) == 0, "raise");
	CHECK(kill(getpid(), SIGUSR2) == 0, "kill");
	errno = 0;
	CHECK(read(fd, si, sizeof(si[0]) - 1) == -1 && errno == EINVAL, "127 bytes: EINVAL");
	CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN, "pending: readable");
	ssize_t n = read(fd, si, sizeof(si));
	CHECK(n == 2 * (ssize_t)sizeof(si[0]), "two records in one read (%zd)", n);
	if (n == 2 * (ssize_t)sizeof(si[0])) {
		CHECK(si[0].ssi_signo == SIGUSR1 && si[0].ssi_pid == (uint32_t)getpid() &&
			  si[0].ssi_code == SI_TKILL,
		      "raise's record: signo %u pid %u code %d", si[0].ssi_signo, si[0].ssi_pid,
		      si[0].ssi_code);
		CHECK(si[1].ssi_signo == SIGUSR2 && si[1].ssi_pid == (uint32_t)getpid() &&
			  si[1].ssi_code == SI_USER,
		      "kill's record: signo %u pid %u code %d", si[1].ssi_signo, si[1].ssi_pid,
		      si[1].ssi_code);
	}
	sigset_t pending;
	CHECK(sigpending(&pending) == 0 && !sigismember(&pending, SIGUSR1) &&
		  !sigismember(&pending, SIGUSR2),
	      "read took them");
	errno = 0;
	CHECK(read(fd, si, sizeof(si)) == -1 && errno == EAGAIN, "taken: EAGAIN again");

	/* poll after a child's kill. */
	pid_t c = kill_parent(SIGUSR1, 1);
	pfd.revents = 0;
	CHECK(poll(&pfd, 1, -1) == 1 && pfd.revents == POLLIN, "poll after a child's kill");
	CHECK(read(fd, si, sizeof(si)) == (ssize_t)sizeof(si[0]) && si[0].ssi_signo == SIGUSR1 &&
		  si[0].ssi_pid == (uint32_t)c && si[0].ssi_code == SI_USER,
	      "the child's signal: signo %u pid %u (child %d) code %d", si[0].ssi_signo,
	      si[0].ssi_pid, (int)c, si[0].ssi_code);

	/* epoll after a child's kill (the child not waited for first: epoll_wait waits). */
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 42};
	CHECK(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "epoll_ctl");
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0, "epoll: nothing yet");
	c = kill_parent(SIGUSR2, 0);
	memset(&ev, 0, sizeof(ev));
	CHECK(epoll_wait(ep, &ev, 1, -1) == 1 && ev.events == EPOLLIN && ev.data.u64 == 42,
	      "epoll after a child's kill");
	reap(c);
	CHECK(read(fd, si, sizeof(si)) == (ssize_t)sizeof(si[0]) && si[0].ssi_signo == SIGUSR2 &&
		  si[0].ssi_pid == (uint32_t)c,
	      "epoll's signal read");
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0, "epoll: read, not ready");
	close(ep);

	/* The mask changed through the same fd: SIGUSR2 only. */
	sigset_t two;
	sigemptyset(&two);
	sigaddset(&two, SIGUSR2);
	CHECK(signalfd(fd, &two, 0) == fd, "signalfd(fd, ...) changes the mask");
	CHECK(raise(SIGUSR1) == 0, "raise");
	errno = 0;
	CHECK(poll(&pfd, 1, 0) == 0, "SIGUSR1 out of the mask: not readable");
	CHECK(read(fd, si, sizeof(si)) == -1 && errno == EAGAIN, "SIGUSR1 out of the mask: EAGAIN");
	CHECK(raise(SIGUSR2) == 0, "raise");
	CHECK(read(fd, si, sizeof(si)) == (ssize_t)sizeof(si[0]) && si[0].ssi_signo == SIGUSR2,
	      "SIGUSR2 read alone");
	CHECK(sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1), "SIGUSR1 still pending");
	siginfo_t info;
	CHECK(sigwaitinfo(&mask, &info) == SIGUSR1, "SIGUSR1 taken by sigwaitinfo");
	close(fd);

	/* A blocking read woken by a child's kill. */
	fd = signalfd(-1, &mask, 0);
	CHECK(fd >= 0, "blocking signalfd");
	c = kill_parent(SIGUSR2, 0);
	n = read(fd, si, sizeof(si));
	CHECK(n == (ssize_t)sizeof(si[0]) && si[0].ssi_signo == SIGUSR2 &&
		  si[0].ssi_pid == (uint32_t)c,
	      "blocking read: %zd, signo %u", n, si[0].ssi_signo);
	reap(c);

	/* A program exec'd with the signalfd (not FD_CLOEXEC) reads its own signals through it. */
	c = fork();
	if (c == 0) {
		char num[16];
		snprintf(num, sizeof(num), "%d", fd);
		char *args[] = {argv[0], "exec-read", num, NULL};
		execv(argv[0], args);
		_exit(5);
	}
	int st = -1;
	CHECK(c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "read in an exec'd program (status %#x)", st);

	/* fork: the child's signalfd reads the child's signals, the parent's stay the parent's. */
	CHECK(raise(SIGUSR1) == 0, "raise");
	int ready[2], checked[2];
	CHECK(pipe(ready) == 0 && pipe(checked) == 0, "pipes");
	c = fork();
	if (c == 0) {
		close(ready[1]);
		close(checked[0]);
		char b;
		/* Nothing pending for the child (a fork's child starts with none): then it says so.
		 */
		int ok = fcntl(fd, F_SETFL, O_NONBLOCK) == 0 && read(fd, si, sizeof(si)) == -1 &&
			 errno == EAGAIN;
		/* Readiness is the poller's signals too: the parent's SIGUSR1 does not count here. */
		struct pollfd pf = {fd, POLLIN, 0};
		int polled = poll(&pf, 1, 0);
		if (polled != 0)
			printf("signalfd: FAIL: the forked child polls its parent's signal (%d, %#x)\n",
			       polled, pf.revents);
		ok = ok && polled == 0;
		ok = write(checked[1], "x", 1) == 1 && ok;
		/* The parent sends the child SIGUSR2 and says so. */
		ok = ok && read(ready[0], &b, 1) == 1 && fcntl(fd, F_SETFL, 0) == 0;
		polled = poll(&pf, 1, -1);
		if (polled != 1 || pf.revents != POLLIN)
			printf("signalfd: FAIL: the forked child's poll with its signal: %d, %#x\n",
			       polled, pf.revents);
		ok = ok && polled == 1 && pf.revents == POLLIN;
		ok = ok && read(fd, si, sizeof(si)) == (ssize_t)sizeof(si[0]) &&
		     si[0].ssi_signo == SIGUSR2 && si[0].ssi_pid == (uint32_t)getppid();
		_exit(ok ? 0 : 2);
	}
	CHECK(c > 0, "fork");
	close(ready[0]);
	close(checked[1]);
	char b;
	CHECK(read(checked[0], &b, 1) == 1, "the child looked");
	CHECK(kill(c, SIGUSR2) == 0 && write(ready[1], "x", 1) == 1, "signal the child");
	st = -1;
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the child read its own signal (status %#x)", st);
	close(ready[1]);
	close(checked[0]);
	CHECK(fcntl(fd, F_SETFL, O_NONBLOCK) == 0, "F_SETFL");
	struct pollfd pf = {fd, POLLIN, 0};
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN, "the parent polls its own SIGUSR1");
	CHECK(read(fd, si, sizeof(si)) == (ssize_t)sizeof(si[0]) && si[0].ssi_signo == SIGUSR1 &&
		  si[0].ssi_pid == (uint32_t)getpid(),
	      "the parent's SIGUSR1 is still the parent's");
	errno = 0;
	CHECK(read(fd, si, sizeof(si)) == -1 && errno == EAGAIN, "the child's SIGUSR2 not here");
	close(fd);

	CHECK(sigprocmask(SIG_SETMASK, &none, NULL) == 0, "unblock");
	if (!failures)
		printf("signalfd: ok\n");
	return failures != 0;
}
