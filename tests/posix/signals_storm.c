/*
 * Calls that Linux never fails with EINTR keep that promise under a storm of
 * signals whose handler has no SA_RESTART: close always closes (a pipe whose
 * only writer was closed reads end-of-file; no descriptor leaks), stat,
 * getpid, dup and pipe succeed. One child sends SIGUSR1 to the parent
 * without pause, another keeps the file server busy so that the parent's
 * requests wait in its queue, where a signal can catch them before the
 * server takes them (in VeridianOS such a request is sent again, not lost).
 * Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "signals_storm"
#include "check.h"

#define ROUNDS 600

static volatile sig_atomic_t hits;

static void on_usr1(int sig)
{
	(void)sig;
	hits++;
}

/* Waits up to 10 s for @fd to be readable, through interrupted polls. */
static int readable(int fd)
{
	for (int i = 0; i < 10000; i++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int n = poll(&p, 1, 1);
		if (n == 1)
			return 1;
		if (n < 0 && errno != EINTR)
			return 0;
	}
	return 0;
}

int main(void)
{
	struct sigaction sa;
	struct stat st;
	pid_t parent = getpid();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;	/* no SA_RESTART */
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");

	pid_t sender = fork();
	if (sender == 0) {
		while (kill(parent, SIGUSR1) == 0)
			;
		_exit(0);
	}
	pid_t busy = fork();
	if (busy == 0) {
		for (;;)
			stat("/", &st);
	}
	CHECK(sender > 0 && busy > 0, "fork");

	/* The storm has begun (up to 10 s). */
	for (int i = 0; i < 1000 && !hits; i++)
		usleep(10000);
	CHECK(hits > 0, "no SIGUSR1 came from the sender");

	int first = open("/dev/null", O_RDONLY);
	CHECK(first >= 0, "open /dev/null");
	close(first);

	int bad = 0;
	for (int i = 0; i < ROUNDS && bad < 5; i++) {
		int p[2], d;
		char c;
		if (pipe(p) != 0) {
			CHECK(0, "pipe in round %d", i);
			bad++;
			continue;
		}
		if ((d = dup(p[1])) < 0) {
			CHECK(0, "dup in round %d", i);
			bad++;
		}
		if (d >= 0 && close(d) != 0) {
			CHECK(0, "close of the dup in round %d", i);
			bad++;
		}
		if (close(p[1]) != 0) {
			CHECK(0, "close of the writer in round %d", i);
			bad++;
		}
		/* No writer is left: end of file, at once. */
		if (!readable(p[0])) {
			CHECK(0, "the reader of round %d never saw end of file (a close was lost)", i);
			bad++;
		} else {
			ssize_t n;
			do
				n = read(p[0], &c, 1);
			while (n < 0 && errno == EINTR);
			if (n != 0) {
				CHECK(0, "read in round %d gave %zd, not end of file", i, n);
				bad++;
			}
		}
		if (stat("/", &st) != 0) {
			CHECK(0, "stat in round %d", i);
			bad++;
		}
		if (getpid() != parent) {
			CHECK(0, "getpid in round %d", i);
			bad++;
		}
		if (close(p[0]) != 0) {
			CHECK(0, "close of the reader in round %d", i);
			bad++;
		}
	}

	kill(sender, SIGKILL);
	kill(busy, SIGKILL);
	int status;
	while (waitpid(sender, &status, 0) < 0 && errno == EINTR)
		;
	while (waitpid(busy, &status, 0) < 0 && errno == EINTR)
		;
	/* Nothing leaked: the lowest descriptor is the one it was before. */
	int last = open("/dev/null", O_RDONLY);
	CHECK(last == first, "descriptors leaked: open gave %d, %d before", last, first);
	printf("signals_storm: %d rounds, %d signals\n", ROUNDS, (int)hits);
	return failures != 0;
}
