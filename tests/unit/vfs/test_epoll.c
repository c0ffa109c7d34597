/*
 * The vfs server's epoll instances and timerfds on the host: interest lists
 * (errors, level and edge triggering with epl_observe, ONESHOT, entries gone
 * with their file, nesting and ELOOP) and timer arithmetic on a fake clock
 * (one-shot, periodic counts, absolute times, settime/gettime), under ASan.
 */
// UNIT_SRCS: posix/vfs/node.c posix/vfs/path.c posix/vfs/ops.c posix/vfs/dev.c posix/vfs/pipe.c posix/vfs/file.c posix/vfs/sock.c posix/vfs/sockgc.c posix/vfs/eventfd.c posix/vfs/epoll.c posix/vfs/timerfd.c posix/vfs/signalfd.c posix/vfs/tty.c posix/vfs/pty.c posix/vfs/lock.c
#define UNIT_MAIN
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "../../../posix/vfs/file.h"

static int64_t clock_ns;

static int64_t fake_now(void)
{
	return clock_ns;
}

static int ctl(struct file *ep, int op, struct file *f, uint32_t events, uint64_t data)
{
	struct epoll_want w = {events, data};
	return epl_ctl(ep->epoll, op, f, 3, &w);
}

TEST(epoll_levels_and_edges)
{
	struct file *ep = file_of_epoll(), *r = NULL, *w = NULL;
	struct epoll_hit hits[4];
	char c = 'x';

	CHECK(ep && file_pipe(O_NONBLOCK, &r, &w) == 0);
	CHECK(ctl(ep, EPOLL_CTL_ADD, r, EPOLLIN, 7) == 0);
	CHECK(ctl(ep, EPOLL_CTL_ADD, r, EPOLLIN, 7) == -EEXIST);
	CHECK(ctl(ep, EPOLL_CTL_MOD, w, EPOLLOUT, 1) == -ENOENT);
	CHECK(ctl(ep, EPOLL_CTL_DEL, w, 0, 0) == -ENOENT);
	CHECK(ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 0) == -EINVAL);
	CHECK(ctl(ep, 42, w, EPOLLIN, 0) == -EINVAL);
	CHECK(ctl(ep, EPOLL_CTL_ADD, w, 0x100000, 0) == -EINVAL);
	CHECK(epl_take(ep->epoll, hits, 4) == 0 && epl_poll(ep->epoll) == 0);
	CHECK(file_write(w, &c, 1, NULL) == 1);
	CHECK(epl_poll(ep->epoll) == POLLIN);
	CHECK(epl_take(ep->epoll, hits, 4) == 1 && hits[0].data == 7 && hits[0].events == EPOLLIN);
	CHECK(epl_take(ep->epoll, hits, 4) == 1);
	/* Edge-triggered: once per rise, observed between requests. */
	CHECK(ctl(ep, EPOLL_CTL_MOD, r, EPOLLIN | EPOLLET, 8) == 0);
	CHECK(epl_take(ep->epoll, hits, 4) == 1 && hits[0].data == 8);
	epl_observe();
	CHECK(epl_take(ep->epoll, hits, 4) == 0 && epl_poll(ep->epoll) == 0);
	CHECK(file_read(r, &c, 1, NULL) == 1);
	epl_observe();
	CHECK(file_write(w, &c, 1, NULL) == 1);
	epl_observe();
	CHECK(epl_take(ep->epoll, hits, 4) == 1);
	/* One-shot: until MOD. */
	CHECK(ctl(ep, EPOLL_CTL_MOD, r, EPOLLIN | EPOLLONESHOT, 9) == 0);
	CHECK(epl_take(ep->epoll, hits, 4) == 1 && epl_take(ep->epoll, hits, 4) == 0);
	CHECK(ctl(ep, EPOLL_CTL_MOD, r, EPOLLIN, 10) == 0 && epl_take(ep->epoll, hits, 4) == 1);
	/* The write end's entry goes with it; the read end then hangs up. */
	CHECK(ctl(ep, EPOLL_CTL_ADD, w, EPOLLOUT, 11) == 0);
	CHECK(epl_take(ep->epoll, hits, 4) == 2);
	file_put(w);
	CHECK(epl_take(ep->epoll, hits, 4) == 1 && hits[0].data == 10 &&
	      (hits[0].events & EPOLLHUP));
	file_put(r);
	CHECK(epl_take(ep->epoll, hits, 4) == 0);
	file_put(ep);
}

TEST(epoll_nesting)
{
	struct file *a = file_of_epoll(), *b = file_of_epoll(), *c = file_of_epoll(), *r = NULL,
		    *w = NULL;
	struct epoll_hit hits[2];
	char x = 'x';

	CHECK(a && b && c && file_pipe(0, &r, &w) == 0);
	CHECK(ctl(a, EPOLL_CTL_ADD, b, EPOLLIN, 1) == 0);
	CHECK(ctl(b, EPOLL_CTL_ADD, c, EPOLLIN, 2) == 0);
	CHECK(ctl(c, EPOLL_CTL_ADD, a, EPOLLIN, 3) == -ELOOP);
	CHECK(ctl(c, EPOLL_CTL_ADD, r, EPOLLIN, 4) == 0);
	CHECK(epl_take(a->epoll, hits, 2) == 0);
	CHECK(file_write(w, &x, 1, NULL) == 1);
	CHECK(epl_take(a->epoll, hits, 2) == 1 && hits[0].data == 1);
	file_put(b); /* a's entry for b goes; c still holds r */
	CHECK(epl_take(a->epoll, hits, 2) == 0);
	file_put(a);
	file_put(c);
	file_put(r);
	file_put(w);
}

TEST(timerfd_counts)
{
	struct file *f;
	uint64_t n = 0;
	int64_t v, i;

	tfd_now = fake_now;
	clock_ns = 1000;
	CHECK((f = file_of_timerfd(1, O_NONBLOCK)) != NULL);
	CHECK(file_read(f, &n, 8, NULL) == -EAGAIN && file_poll(f, POLLIN) == 0);
	CHECK(file_read(f, &n, 4, NULL) == -EINVAL);
	CHECK(tfd_next_deadline() == 0);
	tfd_settime(f->timerfd, 0, 500, 0, &v, &i);
	CHECK(v == 0 && i == 0 && tfd_next_deadline() == 1500);
	clock_ns = 1499;
	CHECK(file_poll(f, POLLIN) == 0);
	clock_ns = 1500;
	CHECK(file_poll(f, POLLIN) == POLLIN);
	CHECK(file_read(f, &n, 8, NULL) == 8 && n == 1);
	CHECK(file_read(f, &n, 8, NULL) == -EAGAIN && tfd_next_deadline() == 0);
	/* Periodic: every 100 from 2000 (absolute). */
	tfd_settime(f->timerfd, 1, 2000, 100, &v, &i);
	tfd_gettime(f->timerfd, &v, &i);
	CHECK(v == 500 && i == 100);
	clock_ns = 2350;
	CHECK(file_read(f, &n, 8, NULL) == 8 && n == 4);
	CHECK(tfd_next_deadline() == 2400);
	tfd_gettime(f->timerfd, &v, &i);
	CHECK(v == 50);
	/* An absolute time already past: expired at once. */
	tfd_settime(f->timerfd, 1, 5, 0, &v, &i);
	CHECK(v == 50 && i == 100);
	CHECK(file_read(f, &n, 8, NULL) == 8 && n == 1);
	tfd_settime(f->timerfd, 0, 0, 100, &v, &i);
	tfd_gettime(f->timerfd, &v, &i);
	CHECK(v == 0 && i == 0);
	file_put(f);
}
