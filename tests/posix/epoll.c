/*
 * epoll and timerfd: pipes, sockets, eventfds and timerfds in one interest
 * list, level- and edge-triggered entries, EPOLLONESHOT, EPOLL_CTL_DEL and
 * the errors of epoll_ctl, timeouts (at least that long), a wait ended by
 * another thread, an epoll fd inside poll; timerfds one-shot and periodic
 * (at least the expirations due), blocking reads, gettime. Exits with the
 * number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>


#define TEST_NAME "epoll"
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

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event e = {.events = events, .data.u64 = data};
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

static void *late_write(void *arg)
{
	sleep_ms(50);
	return write(*(int *)arg, "x", 1) == 1 ? NULL : (void *)1;
}

static void check_basics(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), p[2], s[2], ev = eventfd(0, EFD_NONBLOCK);
	struct epoll_event out[8], e = {.events = EPOLLIN};
	char c;

	CHECK(ep >= 0, "epoll_create1");
	CHECK(fcntl(ep, F_GETFD) == FD_CLOEXEC, "EPOLL_CLOEXEC");
	CHECK(epoll_create1(12345) < 0 && errno == EINVAL, "epoll_create1 flags");
	CHECK(pipe(p) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0 && ev >= 0, "files");
	CHECK(epoll_wait(ep, out, 8, 0) == 0, "empty: nothing ready");
	CHECK(add(ep, p[0], EPOLLIN, 0x1122334455667788ull) == 0, "add pipe");
	CHECK(add(ep, p[0], EPOLLIN, 1) < 0 && errno == EEXIST, "add twice: EEXIST");
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, s[0], &e) < 0 && errno == ENOENT, "mod absent: ENOENT");
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, s[0], NULL) < 0 && errno == ENOENT,
	      "del absent: ENOENT");
	CHECK(add(ep, 999, EPOLLIN, 0) < 0 && errno == EBADF, "bad fd: EBADF");
	CHECK(add(p[0], s[0], EPOLLIN, 0) < 0 && errno == EINVAL, "not an epoll: EINVAL");
	CHECK(add(ep, ep, EPOLLIN, 0) < 0 && errno == EINVAL, "itself: EINVAL");
	CHECK(epoll_ctl(ep, 99, s[0], &e) < 0 && errno == EINVAL, "bad op: EINVAL");
	CHECK(add(ep, s[0], EPOLLIN | EPOLLRDHUP, 2) == 0 && add(ep, ev, EPOLLIN, 3) == 0,
	      "add more");
	CHECK(add(ep, p[1], EPOLLOUT, 4) == 0, "add the write end");
	int n = epoll_wait(ep, out, 8, 0);
	CHECK(n == 1 && out[0].data.u64 == 4 && out[0].events == EPOLLOUT, "a pipe is writable: %d",
	      n);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL) == 0, "del");
	CHECK(epoll_wait(ep, out, 8, 0) == 0, "deleted: nothing");
	CHECK(write(p[1], "a", 1) == 1, "write");
	n = epoll_wait(ep, out, 8, 0);
	CHECK(n == 1 && out[0].data.u64 == 0x1122334455667788ull && out[0].events == EPOLLIN,
	      "pipe readable, data as given: %d", n);
	CHECK(epoll_wait(ep, out, 8, 0) == 1, "level-triggered: again");
	CHECK(read(p[0], &c, 1) == 1 && epoll_wait(ep, out, 8, 0) == 0, "read: nothing");
	uint64_t one = 1;
	CHECK(write(ev, &one, 8) == 8 && write(s[1], "b", 1) == 1, "eventfd, socket");
	n = epoll_wait(ep, out, 8, 0);
	CHECK(n == 2, "two ready: %d", n);
	CHECK(epoll_wait(ep, out, 1, 0) == 1, "maxevents 1");
	CHECK(epoll_wait(ep, out, 0, 0) < 0 && errno == EINVAL, "maxevents 0: EINVAL");
	CHECK(read(ev, &one, 8) == 8 && read(s[0], &c, 1) == 1, "drain");
	close(s[1]);
	n = epoll_wait(ep, out, 8, 0);
	CHECK(n == 1 && out[0].data.u64 == 2 && (out[0].events & EPOLLRDHUP) &&
		  (out[0].events & EPOLLIN),
	      "peer closed: RDHUP %d %#x", n, n > 0 ? out[0].events : 0);
	close(s[0]);
	CHECK(epoll_wait(ep, out, 8, 0) == 0, "closed: its entry is gone");
	/* The pipe's write end closed: HUP without asking. */
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0],
			&(struct epoll_event){.events = 0, .data.u64 = 5}) == 0,
	      "mod to nothing");
	close(p[1]);
	n = epoll_wait(ep, out, 8, 0);
	CHECK(n == 1 && out[0].data.u64 == 5 && out[0].events == EPOLLHUP, "HUP always: %d", n);
	close(p[0]);
	close(ev);
	close(ep);
}

static void check_edge_oneshot(void)
{
	int ep = epoll_create1(0), p[2], q[2];
	struct epoll_event out[4];
	char buf[8];

	CHECK(pipe(p) == 0 && pipe(q) == 0, "pipes");
	CHECK(add(ep, p[0], EPOLLIN | EPOLLET, 1) == 0, "add ET");
	CHECK(add(ep, q[0], EPOLLIN | EPOLLONESHOT, 2) == 0, "add ONESHOT");
	CHECK(write(p[1], "ab", 2) == 2 && write(q[1], "cd", 2) == 2, "write");
	int n = epoll_wait(ep, out, 4, 0);
	CHECK(n == 2, "both: %d", n);
	CHECK(epoll_wait(ep, out, 4, 0) == 0, "ET and ONESHOT: not again");
	CHECK(read(p[0], buf, 2) == 2, "drain ET");
	CHECK(write(p[1], "e", 1) == 1, "write again");
	n = epoll_wait(ep, out, 4, 0);
	CHECK(n == 1 && out[0].data.u64 == 1, "a new edge: %d", n);
	struct epoll_event e = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = 3};
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &e) == 0, "rearm");
	n = epoll_wait(ep, out, 4, 0);
	CHECK(n == 1 && out[0].data.u64 == 3, "rearmed: %d", n);
	CHECK(epoll_wait(ep, out, 4, 0) == 0, "once again");
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	close(ep);
}

static void check_waits(void)
{
	int ep = epoll_create1(0), p[2], inner = epoll_create1(0);
	struct epoll_event out[4];
	pthread_t t;

	CHECK(pipe(p) == 0 && add(ep, p[0], EPOLLIN, 7) == 0, "setup");
	int64_t t0 = now_ms();
	CHECK(epoll_wait(ep, out, 4, 100) == 0, "times out");
	CHECK(now_ms() - t0 >= 100, "waited %lld ms", (long long)(now_ms() - t0));
	CHECK(pthread_create(&t, NULL, late_write, &p[1]) == 0, "thread");
	int n = epoll_wait(ep, out, 4, -1);
	CHECK(n == 1 && out[0].data.u64 == 7, "woken by the write: %d", n);
	pthread_join(t, NULL);
	/* An epoll fd is pollable, and nests. */
	struct pollfd pf = {.fd = ep, .events = POLLIN};
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN, "poll on epoll: %#x", pf.revents);
	CHECK(add(inner, ep, EPOLLIN, 8) == 0, "nest");
	CHECK(add(ep, inner, EPOLLIN, 9) < 0 && errno == ELOOP, "loop: ELOOP");
	n = epoll_wait(inner, out, 4, 0);
	CHECK(n == 1 && out[0].data.u64 == 8, "nested ready: %d", n);
	char c;
	CHECK(read(p[0], &c, 1) == 1, "drain");
	pf.revents = 0;
	CHECK(poll(&pf, 1, 0) == 0, "poll on epoll: nothing");
	CHECK(pthread_create(&t, NULL, late_write, &p[1]) == 0, "thread");
	pf.revents = 0;
	CHECK(poll(&pf, 1, 5000) == 1 && pf.revents == POLLIN, "poll woken through epoll");
	pthread_join(t, NULL);
	close(inner);
	close(p[0]);
	close(p[1]);
	close(ep);
}

static void check_timerfd(void)
{
	int t = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC),
	    nb = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	struct itimerspec v = {{0, 0}, {0, 50000000}}, cur;
	uint64_t count = 0;
	char small[4];

	CHECK(t >= 0 && nb >= 0, "timerfd_create");
	CHECK(timerfd_create(12345, 0) < 0 && errno == EINVAL, "bad clock");
	CHECK(fcntl(t, F_GETFD) == FD_CLOEXEC, "TFD_CLOEXEC");
	CHECK(read(nb, &count, 8) < 0 && errno == EAGAIN, "disarmed, non-blocking: EAGAIN");
	CHECK(timerfd_gettime(t, &cur) == 0 && !cur.it_value.tv_sec && !cur.it_value.tv_nsec,
	      "disarmed");
	int64_t t0 = now_ms();
	CHECK(timerfd_settime(t, 0, &v, NULL) == 0, "settime 50 ms");
	CHECK(timerfd_gettime(t, &cur) == 0 && (cur.it_value.tv_sec || cur.it_value.tv_nsec),
	      "armed");
	CHECK(read(t, small, 4) < 0 && errno == EINVAL, "small buffer: EINVAL");
	CHECK(read(t, &count, 8) == 8 && count == 1, "one expiration: %llu",
	      (unsigned long long)count);
	CHECK(now_ms() - t0 >= 50, "after 50 ms: %lld", (long long)(now_ms() - t0));
	/* Periodic, absolute: 20 ms from now, every 20 ms. */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	now.tv_nsec += 20000000;
	if (now.tv_nsec >= 1000000000) {
		now.tv_sec++;
		now.tv_nsec -= 1000000000;
	}
	v = (struct itimerspec){{0, 20000000}, now};
	t0 = now_ms();
	CHECK(timerfd_settime(nb, TFD_TIMER_ABSTIME, &v, NULL) == 0, "settime absolute, periodic");
	sleep_ms(110);
	int64_t waited = now_ms() - t0;
	CHECK(read(nb, &count, 8) == 8 && count >= 1 && (int64_t)count >= (waited - 20) / 20 - 1,
	      "periodic: %llu in %lld ms", (unsigned long long)count, (long long)waited);
	/* In epoll: ready when it expires. */
	int ep = epoll_create1(0);
	struct epoll_event out[2];
	CHECK(add(ep, nb, EPOLLIN, 42) == 0, "timerfd in epoll");
	int n = epoll_wait(ep, out, 2, 5000);
	CHECK(n == 1 && out[0].data.u64 == 42, "timerfd ready in epoll: %d", n);
	CHECK(read(nb, &count, 8) == 8 && count >= 1, "read");
	v = (struct itimerspec){{0, 0}, {0, 0}};
	CHECK(timerfd_settime(nb, 0, &v, &cur) == 0 && cur.it_interval.tv_nsec == 20000000,
	      "disarm, old");
	struct pollfd pf = {.fd = nb, .events = POLLIN};
	CHECK(poll(&pf, 1, 60) == 0, "disarmed: never ready");
	close(ep);
	close(t);
	close(nb);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	check_basics();
	check_edge_oneshot();
	check_waits();
	check_timerfd();
	printf("epoll: %d failures\n", failures);
	return failures;
}
