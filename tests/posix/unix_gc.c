/*
 * AF_UNIX sockets in flight that no descriptor reaches any more are
 * collected, as Linux's unix_gc does: a socket sent through itself, two
 * sent through each other, then closed. Seen from a socket still held: the
 * peer of a collected socket reads the end of file, and a pipe's write end
 * that was in flight with it is closed. 5000 such cycles and 1000 pairs
 * (each left behind would keep its sockets for ever). One reached through a held
 * socket is not collected. Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TEST_NAME "unix_gc"
#include "check.h"

#define CYCLES 5000
#define BATCH 50
/* Only a bound for a collector that never runs: Linux collects in the background, soon. */
#define LONG_MS 20000

/* Sends @n descriptors @fds with one byte over @s. */
static int send_fds(int s, const int *fds, int n)
{
	char byte = 'F';
	struct iovec v = {&byte, 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} u;
	struct msghdr m = {.msg_iov = &v,
			   .msg_iovlen = 1,
			   .msg_control = u.buf,
			   .msg_controllen = CMSG_SPACE(n * sizeof(int))};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return (int)sendmsg(s, &m, 0);
}

/* Linux runs its collector when a socket is released: let it run (here it already has). */
static void nudge(void)
{
	close(socket(AF_UNIX, SOCK_STREAM, 0));
}

/* Whether @fd reads the end of file (waiting for the collector first). */
static int at_eof(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	char c;

	return poll(&p, 1, LONG_MS) == 1 && read(fd, &c, 1) == 0;
}

static void check_self(void)
{
	int sv[2], p[2], peers[BATCH];

	/* In batches: Linux collects in the background, a wait for each would be long. */
	for (int i = 0; i < CYCLES; i += BATCH) {
		int n = 0;
		for (; n < BATCH; n++) {
			/* sv[0] in its own queue (sent from sv[1]), then closed. */
			if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
				CHECK(0, "socketpair %d", i + n);
				break;
			}
			CHECK(send_fds(sv[1], &sv[0], 1) == 1, "send it through itself");
			close(sv[0]);
			peers[n] = sv[1];
		}
		nudge();
		int eof = 1;
		for (int j = 0; j < n; j++) {
			eof = eof && at_eof(peers[j]);
			close(peers[j]);
		}
		if (!eof || n < BATCH) {
			CHECK(eof,
			      "cycles %d-%d: a peer never reads the end of file (not collected)", i,
			      i + n - 1);
			return;
		}
	}

	/* A pipe's write end in flight in a collected queue is closed. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && pipe(p) == 0, "socketpair, pipe");
	int fds[2] = {sv[0], p[1]};
	CHECK(send_fds(sv[1], fds, 2) == 1, "send both");
	close(p[1]);
	close(sv[0]);
	nudge();
	CHECK(at_eof(p[0]), "the write end in flight was closed");
	CHECK(at_eof(sv[1]), "the socket was");
	close(p[0]);
	close(sv[1]);
}

static void check_pair_of_cycles(void)
{
	int a[2], b[2], peers[2 * BATCH];
	char c;

	/* a[0] in b[0]'s queue and b[0] in a[0]'s, then both closed. */
	for (int i = 0; i < CYCLES / 5; i += BATCH) {
		int n = 0;
		for (; n < BATCH; n++) {
			if (socketpair(AF_UNIX, SOCK_STREAM, 0, a) ||
			    socketpair(AF_UNIX, SOCK_STREAM, 0, b)) {
				CHECK(0, "socketpairs %d", i + n);
				break;
			}
			CHECK(send_fds(b[1], &a[0], 1) == 1 && send_fds(a[1], &b[0], 1) == 1,
			      "send each through the other");
			close(a[0]);
			if (i == 0 && n == 0) {
				nudge();
				CHECK(recv(a[1], &c, 1, MSG_DONTWAIT) == -1 && errno == EAGAIN,
				      "one still has a descriptor: nothing collected");
			}
			close(b[0]);
			peers[2 * n] = a[1];
			peers[2 * n + 1] = b[1];
		}
		nudge();
		int eof = 1;
		for (int j = 0; j < 2 * n; j++) {
			eof = eof && at_eof(peers[j]);
			close(peers[j]);
		}
		if (!eof || n < BATCH) {
			CHECK(eof, "pairs %d-%d: not collected", i, i + n - 1);
			return;
		}
	}
}

static void check_reachable(void)
{
	int a[2], b[2];
	char buf[4];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec v = {buf, 1};
	struct msghdr m = {
	    .msg_iov = &v, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	int got = -1;

	/* a[0] in b[0]'s queue, b[0] held: a[0] survives a collection and works. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, a) == 0 &&
		  socketpair(AF_UNIX, SOCK_STREAM, 0, b) == 0,
	      "socketpairs");
	CHECK(send_fds(b[1], &a[0], 1) == 1, "send");
	close(a[0]);
	nudge();
	CHECK(recvmsg(b[0], &m, 0) == 1, "receive it back");
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&got, CMSG_DATA(c), sizeof(got));
	CHECK(got >= 0, "a descriptor came");
	CHECK(write(a[1], "ok", 2) == 2 && read(got, buf, 2) == 2 && !memcmp(buf, "ok", 2),
	      "it still works");
	close(got);
	CHECK(at_eof(a[1]), "and closes");
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

int main(void)
{
	check_self();
	check_pair_of_cycles();
	check_reachable();
	printf("unix_gc: %d failures\n", failures);
	return failures;
}
