/*
 * Asynchronous signals from another process: a read blocked on an empty pipe
 * is interrupted (EINTR without SA_RESTART, restarted with it), a loop
 * spinning in user code runs its handler (with the sender in si_pid), and
 * nanosleep ends early with the time left. The sender repeats its signal
 * until told to stop, so that none of this depends on when it comes.
 * SIGPIPE: a write to a pipe or socket nobody reads raises it (its handler
 * runs, the write fails with EPIPE; by default it ends the process), but
 * not with MSG_NOSIGNAL or when ignored.
 * Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


#define TEST_NAME "signals_async"
#include "check.h"

static volatile sig_atomic_t hits, info_pid;

static void on_signal(int sig)
{
	(void)sig;
	hits++;
}

static void on_info(int sig, siginfo_t *info, void *uc)
{
	(void)sig, (void)uc;
	hits++;
	info_pid = info->si_pid;
}

static void handle(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = flags;
	if (flags & SA_SIGINFO)
		sa.sa_sigaction = on_info;
	else
		sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	hits = 0;
	info_pid = 0;
}

/*
 * A child that sends @sig to us every 5 ms, at most @count times or until a
 * byte comes on @stop, then writes a byte to @out (if >= 0) and exits.
 */
static pid_t pester(int sig, int count, int stop, int out)
{
	pid_t parent = getpid(), pid = fork();
	char c = 'y';

	if (pid != 0)
		return pid;
	fcntl(stop, F_SETFL, O_NONBLOCK);
	for (int i = 0; i < count && read(stop, &c, 1) != 1; i++) {
		kill(parent, sig);
		usleep(5000);
	}
	if (out >= 0)
		write(out, "y", 1);
	_exit(0);
}

static void finish(pid_t child, int stop)
{
	int st = 0;
	pid_t got;

	/*
	 * A signal the sender sent after its last look at @stop may still come, during the
	 * write or the wait, which its handler (without SA_RESTART) makes fail with EINTR.
	 */
	while (write(stop, "s", 1) == -1 && errno == EINTR)
		;
	while ((got = waitpid(child, &st, 0)) == -1 && errno == EINTR)
		;
	CHECK(got == child && WIFEXITED(st), "the sender did not end well");
}

static void test_read_interrupted(void)
{
	int data[2], stop[2];
	char c;

	CHECK(pipe(data) == 0 && pipe(stop) == 0, "pipes");
	handle(SIGUSR1, 0);
	pid_t child = pester(SIGUSR1, 4000, stop[0], -1);
	errno = 0;
	ssize_t n = read(data[0], &c, 1);
	int err = errno;
	finish(child, stop[1]);
	CHECK(n == -1 && err == EINTR, "a blocked read without SA_RESTART returned %zd", n);
	CHECK(hits >= 1, "the handler did not run");
	close(data[0]), close(data[1]), close(stop[0]), close(stop[1]);
}

static void test_read_restarted(void)
{
	int data[2], stop[2];
	char c = 0;

	CHECK(pipe(data) == 0 && pipe(stop) == 0, "pipes");
	handle(SIGUSR2, SA_RESTART);
	/* Ten signals, then the byte: with SA_RESTART the read goes on until it comes. */
	pid_t child = pester(SIGUSR2, 10, stop[0], data[1]);
	ssize_t n = read(data[0], &c, 1);
	finish(child, stop[1]);
	CHECK(n == 1 && c == 'y', "a blocked read with SA_RESTART returned %zd", n);
	CHECK(hits >= 1, "the handler did not run");
	close(data[0]), close(data[1]), close(stop[0]), close(stop[1]);
}

static void test_spinning(void)
{
	int stop[2];

	CHECK(pipe(stop) == 0, "pipe");
	handle(SIGUSR1, SA_SIGINFO);
	pid_t child = pester(SIGUSR1, 4000, stop[0], -1);
	/* No system call in the loop: only an asynchronous signal ends it. */
	while (!hits)
		;
	finish(child, stop[1]);
	CHECK(info_pid == child, "si_pid %d, the sender is %d", (int)info_pid, (int)child);
	close(stop[0]), close(stop[1]);
}

static void test_nanosleep(void)
{
	int stop[2];
	struct timespec req = {20, 0}, rem = {0, 0};

	CHECK(pipe(stop) == 0, "pipe");
	handle(SIGUSR2, SA_RESTART);	/* nanosleep is never restarted */
	pid_t child = pester(SIGUSR2, 4000, stop[0], -1);
	int r = nanosleep(&req, &rem);
	int err = errno;
	finish(child, stop[1]);
	CHECK(r == -1 && err == EINTR, "nanosleep returned %d", r);
	CHECK(rem.tv_sec <= 20 && (rem.tv_sec > 0 || rem.tv_nsec > 0), "time left %ld.%09ld",
	      (long)rem.tv_sec, rem.tv_nsec);
	CHECK(hits >= 1, "the handler did not run");
	close(stop[0]), close(stop[1]);
}

static void test_sigpipe(void)
{
	int p[2], sv[2], st = 0;

	CHECK(pipe(p) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "pipe, socketpair");
	close(p[0]);
	close(sv[1]);
	handle(SIGPIPE, 0);
	errno = 0;
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE, "a write to a pipe without reader");
	CHECK(hits == 1, "SIGPIPE's handler ran %d times for a pipe", (int)hits);
	hits = 0;
	errno = 0;
	CHECK(send(sv[0], "x", 1, 0) == -1 && errno == EPIPE, "a send to a closed peer");
	CHECK(hits == 1, "SIGPIPE's handler ran %d times for a socket", (int)hits);
	hits = 0;
	errno = 0;
	CHECK(send(sv[0], "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE, "send with MSG_NOSIGNAL");
	CHECK(hits == 0, "SIGPIPE came despite MSG_NOSIGNAL");
	signal(SIGPIPE, SIG_IGN);
	errno = 0;
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE, "a write with SIGPIPE ignored");
	signal(SIGPIPE, SIG_DFL);
	pid_t child = fork();
	if (child == 0) {
		write(p[1], "x", 1);
		_exit(0);
	}
	CHECK(waitpid(child, &st, 0) == child && WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE,
	      "a writer without a handler ended with status %#x", st);
	close(p[1]);
	close(sv[0]);
}

int main(void)
{
	test_read_interrupted();
	test_read_restarted();
	test_spinning();
	test_nanosleep();
	test_sigpipe();
	printf("signals_async: %d failure%s\n", failures, failures == 1 ? "" : "s");
	return failures;
}
