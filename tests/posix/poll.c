/*
 * poll, ppoll and select: timeout 0, a timeout that expires (at least that
 * long), a wait ended by another thread's write, POLLHUP and POLLNVAL, files
 * always ready; eventfd counters (plain and semaphore, blocking and not,
 * overflow). Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>


#define TEST_NAME "poll"
#include "check.h"

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes 8 bytes (an eventfd's 1, or "x" padded) to *arg after 50 ms. */
static void *late_write(void *arg)
{
	uint64_t one = 1;
	sleep_ms(50);
	if (write(*(int *)arg, &one, sizeof(one)) != sizeof(one))
		return (void *)1;
	return NULL;
}

static void check_poll(void)
{
	int p[2], fd;
	char c;
	pthread_t t;

	CHECK(pipe(p) == 0, "pipe");
	struct pollfd pf[3] = {{p[0], POLLIN, 0}, {-1, POLLIN, 0}, {p[1], POLLOUT, 0}};
	CHECK(poll(pf, 1, 0) == 0 && pf[0].revents == 0, "timeout 0, empty");
	CHECK(poll(pf, 3, 0) == 1 && pf[1].revents == 0 && pf[2].revents == POLLOUT,
	      "a negative fd is skipped, the write end is ready");
	int64_t start = now_ms();
	CHECK(poll(pf, 1, 100) == 0, "a timeout that expires");
	CHECK(now_ms() - start >= 100, "waited only %lld ms", (long long)(now_ms() - start));
	struct timespec ts = {0, 60 * 1000000};
	start = now_ms();
	CHECK(ppoll(pf, 1, &ts, NULL) == 0 && now_ms() - start >= 60, "ppoll timeout");
	CHECK(pthread_create(&t, NULL, late_write, &p[1]) == 0, "thread");
	CHECK(poll(pf, 1, -1) == 1 && pf[0].revents == POLLIN, "woken by a write: %x",
	      pf[0].revents);
	pthread_join(t, NULL);
	CHECK(poll(pf, 1, 0) == 1 && pf[0].revents == POLLIN, "still readable");
	close(p[1]);
	uint64_t junk;
	CHECK(read(p[0], &junk, sizeof(junk)) == 8, "read");
	CHECK(poll(pf, 1, 1000) == 1 && (pf[0].revents & POLLHUP), "POLLHUP: %x", pf[0].revents);
	close(p[0]);
	pf[0].fd = p[0];
	CHECK(poll(pf, 1, 0) == 1 && pf[0].revents == POLLNVAL, "POLLNVAL: %x", pf[0].revents);

	/* Regular files are always ready. */
	fd = open("/tmp/poll-test-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "open");
	pf[0] = (struct pollfd){fd, POLLIN | POLLOUT, 0};
	CHECK(poll(pf, 1, -1) == 1 && pf[0].revents == (POLLIN | POLLOUT), "file: %x",
	      pf[0].revents);
	close(fd);
	unlink("/tmp/poll-test-file");

	/* A socket whose peer closes: POLLHUP and POLLIN (end of file). */
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	pf[0] = (struct pollfd){sv[0], POLLIN | POLLOUT, 0};
	CHECK(poll(pf, 1, 0) == 1 && pf[0].revents == POLLOUT, "connected: %x", pf[0].revents);
	close(sv[1]);
	CHECK(poll(pf, 1, 0) == 1 && (pf[0].revents & (POLLHUP | POLLIN)) == (POLLHUP | POLLIN),
	      "peer closed: %x", pf[0].revents);
	CHECK(read(sv[0], &c, 1) == 0, "end of file");
	close(sv[0]);
	(void)c;
}

static void check_select(void)
{
	int p[2];
	fd_set r, w;
	pthread_t t;
	struct timeval tv = {0, 0};

	CHECK(pipe(p) == 0, "pipe");
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	CHECK(select(p[0] + 1, &r, NULL, NULL, &tv) == 0 && !FD_ISSET(p[0], &r), "select empty");
	FD_SET(p[0], &r);
	FD_ZERO(&w);
	FD_SET(p[1], &w);
	int n = p[0] > p[1] ? p[0] : p[1];
	CHECK(select(n + 1, &r, &w, NULL, &tv) == 1 && FD_ISSET(p[1], &w) && !FD_ISSET(p[0], &r),
	      "select writable");
	FD_SET(p[0], &r);
	tv = (struct timeval){0, 80000};
	int64_t start = now_ms();
	CHECK(select(p[0] + 1, &r, NULL, NULL, &tv) == 0, "select timeout");
	CHECK(now_ms() - start >= 80, "select waited only %lld ms", (long long)(now_ms() - start));
	FD_SET(p[0], &r);
	struct timespec ts = {0, 40 * 1000000};
	start = now_ms();
	CHECK(pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL) == 0 && now_ms() - start >= 40,
	      "pselect timeout");
	CHECK(pthread_create(&t, NULL, late_write, &p[1]) == 0, "thread");
	FD_SET(p[0], &r);
	CHECK(select(p[0] + 1, &r, NULL, NULL, NULL) == 1 && FD_ISSET(p[0], &r), "select woken");
	pthread_join(t, NULL);
	close(p[1]);
	uint64_t junk;
	CHECK(read(p[0], &junk, sizeof(junk)) == 8, "read");
	FD_SET(p[0], &r);
	CHECK(select(p[0] + 1, &r, NULL, NULL, NULL) == 1 && FD_ISSET(p[0], &r),
	      "end of file is readable");
	close(p[0]);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	CHECK(select(p[0] + 1, &r, NULL, NULL, &tv) == -1 && errno == EBADF,
	      "select on a closed fd");
}

static void check_eventfd(void)
{
	uint64_t v;
	pthread_t t;

	int e = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(e >= 0 && fcntl(e, F_GETFD) == FD_CLOEXEC, "eventfd");
	CHECK(read(e, &v, sizeof(v)) == -1 && errno == EAGAIN, "EAGAIN at 0");
	v = 3;
	CHECK(write(e, &v, sizeof(v)) == 8, "write 3");
	v = 4;
	CHECK(write(e, &v, sizeof(v)) == 8, "write 4");
	CHECK(read(e, &v, 4) == -1 && errno == EINVAL, "a short read");
	CHECK(read(e, &v, sizeof(v)) == 8 && v == 7, "read the sum: %llu", (unsigned long long)v);
	CHECK(read(e, &v, sizeof(v)) == -1 && errno == EAGAIN, "0 again");
	v = UINT64_MAX;
	CHECK(write(e, &v, sizeof(v)) == -1 && errno == EINVAL, "UINT64_MAX");
	v = UINT64_MAX - 1;
	CHECK(write(e, &v, sizeof(v)) == 8, "the largest count");
	struct pollfd pf = {e, POLLIN | POLLOUT, 0};
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN, "full: %x", pf.revents);
	v = 1;
	CHECK(write(e, &v, sizeof(v)) == -1 && errno == EAGAIN, "overflow");
	CHECK(read(e, &v, sizeof(v)) == 8 && v == UINT64_MAX - 1, "read it all");
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLOUT, "empty: %x", pf.revents);
	close(e);

	e = eventfd(2, EFD_SEMAPHORE);
	CHECK(e >= 0 && fcntl(e, F_GETFD) == 0, "semaphore eventfd");
	CHECK(read(e, &v, sizeof(v)) == 8 && v == 1, "semaphore 1");
	CHECK(read(e, &v, sizeof(v)) == 8 && v == 1, "semaphore 2");
	/* Taken first: the thread's 50 ms start when it does, which may be later under load. */
	int64_t start = now_ms();
	CHECK(pthread_create(&t, NULL, late_write, &e) == 0, "thread");
	CHECK(read(e, &v, sizeof(v)) == 8 && v == 1, "a blocking read woken by a write");
	CHECK(now_ms() - start >= 40, "it waited %lld ms", (long long)(now_ms() - start));
	pthread_join(t, NULL);
	close(e);

	/* poll on an eventfd and a pipe, woken through the eventfd. */
	int p[2];
	e = eventfd(0, 0);
	CHECK(pipe(p) == 0, "pipe");
	struct pollfd two[2] = {{p[0], POLLIN, 0}, {e, POLLIN, 0}};
	CHECK(pthread_create(&t, NULL, late_write, &e) == 0, "thread");
	CHECK(poll(two, 2, 5000) == 1 && two[0].revents == 0 && two[1].revents == POLLIN,
	      "woken by the eventfd: %x %x", two[0].revents, two[1].revents);
	pthread_join(t, NULL);
	close(p[0]);
	close(p[1]);
	close(e);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	check_poll();
	check_select();
	check_eventfd();
	printf("poll: %d failures\n", failures);
	return failures;
}
