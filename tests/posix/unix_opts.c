/*
 * AF_UNIX socket options and flags as Linux has them: SO_RCVTIMEO and
 * SO_SNDTIMEO (recv, read, accept, send and connect give up with EAGAIN
 * after the time; bad values; a signal ends a timed wait with EINTR even
 * with SA_RESTART), MSG_WAITALL (a stream read waits for the whole length,
 * or the end of file, the timeout or a signal, and returns what it has),
 * SO_PASSCRED and SCM_CREDENTIALS (every message says who sent it; a
 * sender other than root may only send its own; root may name any process
 * that exists). Times are only checked from below: a wait of 100 ms lasts
 * at least about that long. Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define TEST_NAME "unix_opts"
#include "check.h"
#include "child.h"

#define TIMEO_MS 100
#define SLACK_MS 10 /* clocks of different granularity: a wait of 100 ms is at least 90 */
#define BIG (1024 * 1024)

static char big[BIG], got[BIG];

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int set_timeo(int s, int name, long ms)
{
	struct timeval tv = {ms / 1000, ms % 1000 * 1000};

	return setsockopt(s, SOL_SOCKET, name, &tv, sizeof(tv));
}

/* Whether a call that took from @t0 until now waited the timeout. */
static int waited(int64_t t0)
{
	return now_ms() - t0 >= TIMEO_MS - SLACK_MS;
}

static void check_timeo_values(void)
{
	struct timeval tv = {7, 7}, bad = {0, 1000000};
	socklen_t len = sizeof(tv);
	int sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, &len) == 0 && len == sizeof(tv) &&
		  tv.tv_sec == 0 && tv.tv_usec == 0,
	      "no timeout at first: %ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
	/* 1.5 s: a whole number of clock ticks whatever Linux's HZ. */
	tv = (struct timeval){1, 500000};
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "set SO_RCVTIMEO");
	tv = (struct timeval){0, 0};
	len = sizeof(tv);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, &len) == 0 && tv.tv_sec == 1 &&
		  tv.tv_usec == 500000,
	      "get SO_RCVTIMEO: %ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
	len = sizeof(tv);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, &len) == 0 && tv.tv_sec == 0 &&
		  tv.tv_usec == 0,
	      "SO_SNDTIMEO apart");
	CHECK(set_timeo(sv[0], SO_SNDTIMEO, 500) == 0, "set SO_SNDTIMEO");
	len = sizeof(tv);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, &len) == 0 && tv.tv_sec == 0 &&
		  tv.tv_usec == 500000,
	      "get SO_SNDTIMEO: %ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
	long sec = 99;
	len = sizeof(sec);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &sec, &len) == 0 && len == sizeof(sec) &&
		  sec == 1,
	      "a short buffer gets the start");
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv) - 1) == -1 &&
		  errno == EINVAL,
	      "a short value: EINVAL");
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &bad, sizeof(bad)) == -1 && errno == EDOM,
	      "microseconds out of range: EDOM");
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, (void *)8, sizeof(tv)) == -1 &&
		  errno == EFAULT,
	      "a bad pointer: EFAULT");
	len = sizeof(tv);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, &len) == 0 && tv.tv_sec == 1 &&
		  tv.tv_usec == 500000,
	      "unchanged by the failures");
	/* A negative time: the socket never waits (Linux's 0 jiffies), and shows 0. */
	tv = (struct timeval){-1, 0};
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "negative");
	len = sizeof(tv);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, &len) == 0 && tv.tv_sec == 0 &&
		  tv.tv_usec == 0,
	      "negative shows as 0");
	char c;
	CHECK(recv(sv[0], &c, 1, 0) == -1 && errno == EAGAIN, "negative: EAGAIN at once");
	/* Back to none: 0. */
	CHECK(set_timeo(sv[0], SO_RCVTIMEO, 0) == 0 && write(sv[1], "z", 1) == 1 &&
		  recv(sv[0], &c, 1, 0) == 1,
	      "0: none");
	close(sv[0]);
	close(sv[1]);
}

static void check_recv_timeout(void)
{
	int sv[2], d[2];
	char buf[16];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	CHECK(set_timeo(sv[0], SO_RCVTIMEO, TIMEO_MS) == 0, "set");
	int64_t t0 = now_ms();
	CHECK(recv(sv[0], buf, sizeof(buf), 0) == -1 && errno == EAGAIN && waited(t0),
	      "recv: EAGAIN after the timeout (%lld ms)", (long long)(now_ms() - t0));
	t0 = now_ms();
	CHECK(read(sv[0], buf, sizeof(buf)) == -1 && errno == EWOULDBLOCK && waited(t0),
	      "read: EWOULDBLOCK after the timeout");
	struct iovec v = {buf, sizeof(buf)};
	struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1};
	t0 = now_ms();
	CHECK(recvmsg(sv[0], &m, 0) == -1 && errno == EAGAIN && waited(t0), "recvmsg");
	CHECK(write(sv[1], "data", 4) == 4 && recv(sv[0], buf, sizeof(buf), 0) == 4,
	      "data there: no wait");
	close(sv[1]);
	CHECK(recv(sv[0], buf, sizeof(buf), 0) == 0, "end of file: no wait");
	close(sv[0]);

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, d) == 0, "socketpair datagram");
	CHECK(set_timeo(d[0], SO_RCVTIMEO, TIMEO_MS) == 0, "set");
	t0 = now_ms();
	CHECK(recv(d[0], buf, sizeof(buf), 0) == -1 && errno == EAGAIN && waited(t0),
	      "a datagram recv");
	close(d[0]);
	close(d[1]);

	/* accept waits SO_RCVTIMEO. */
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "unix_opts-accept-%d", (int)getpid());
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(l >= 0 && bind(l, (struct sockaddr *)&a, alen) == 0 && listen(l, 4) == 0, "listener");
	CHECK(set_timeo(l, SO_RCVTIMEO, TIMEO_MS) == 0, "set");
	t0 = now_ms();
	CHECK(accept(l, NULL, NULL) == -1 && errno == EAGAIN && waited(t0), "accept");
	close(l);
}

static void check_send_timeout(void)
{
	int sv[2], d[2];
	char buf[64] = {0};

	/* A stream: what fitted before the time ran out, then EAGAIN. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	CHECK(set_timeo(sv[0], SO_SNDTIMEO, TIMEO_MS) == 0, "set");
	int64_t t0 = now_ms();
	ssize_t n = send(sv[0], big, BIG, 0);
	CHECK(n > 0 && n < BIG && waited(t0), "a large send: %zd bytes after the timeout", n);
	t0 = now_ms();
	CHECK(send(sv[0], buf, 1, 0) == -1 && errno == EAGAIN && waited(t0), "full: EAGAIN");
	t0 = now_ms();
	CHECK(write(sv[0], buf, 1) == -1 && errno == EAGAIN && waited(t0), "write: EAGAIN");
	close(sv[0]);
	close(sv[1]);

	/* Datagrams to a full receiver. */
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, d) == 0, "socketpair datagram");
	int sent = 0;
	while (send(d[0], buf, sizeof(buf), MSG_DONTWAIT) == sizeof(buf) && sent < 100000)
		sent++;
	CHECK(errno == EAGAIN && sent > 0, "filled after %d", sent);
	CHECK(set_timeo(d[0], SO_SNDTIMEO, TIMEO_MS) == 0, "set");
	t0 = now_ms();
	CHECK(send(d[0], buf, sizeof(buf), 0) == -1 && errno == EAGAIN && waited(t0),
	      "a datagram to a full receiver");
	close(d[0]);
	close(d[1]);

	/* connect to a full backlog: EAGAIN (Linux's AF_UNIX; not EINPROGRESS). */
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "unix_opts-connect-%d", (int)getpid());
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1);
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c[8], nc = 0;
	CHECK(l >= 0 && bind(l, (struct sockaddr *)&a, alen) == 0 && listen(l, 0) == 0, "listener");
	for (; nc < 8; nc++) {
		c[nc] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (connect(c[nc], (struct sockaddr *)&a, alen)) {
			CHECK(errno == EAGAIN, "a non-blocking connect to a full backlog");
			break;
		}
	}
	CHECK(nc < 8, "the backlog filled");
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(set_timeo(s, SO_SNDTIMEO, TIMEO_MS) == 0, "set");
	t0 = now_ms();
	CHECK(connect(s, (struct sockaddr *)&a, alen) == -1 && errno == EAGAIN && waited(t0),
	      "connect: EAGAIN after the timeout");
	close(s);
	for (int i = 0; i <= nc && i < 8; i++)
		close(c[i]);
	close(l);
}

/* ---- signals ---- */

static volatile sig_atomic_t handled;
static volatile int stop_signals;
static pthread_t main_thread;

static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

/* Signals the main thread until told to stop: one of them lands while it waits. */
static void *signaller(void *arg)
{
	(void)arg;
	while (!stop_signals) {
		pthread_kill(main_thread, SIGUSR1);
		usleep(20000);
	}
	return NULL;
}

/* Data after a few signals: a call that is restarted ends with it. */
static void *late_writer(void *arg)
{
	int s = *(int *)arg;

	while (handled < 3)
		sched_yield();
	if (write(s, "late", 4) != 4)
		return (void *)1;
	return NULL;
}

static void set_handler(int flags)
{
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = flags};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

static void check_signals(void)
{
	int sv[2];
	char buf[16];
	pthread_t t, w;

	main_thread = pthread_self();
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");

	/* SA_RESTART restarts a wait without a timeout... */
	set_handler(SA_RESTART);
	handled = 0;
	stop_signals = 0;
	CHECK(pthread_create(&t, NULL, signaller, NULL) == 0, "thread");
	CHECK(pthread_create(&w, NULL, late_writer, &sv[1]) == 0, "thread");
	CHECK(recv(sv[0], buf, sizeof(buf), 0) == 4, "restarted until the data came");
	stop_signals = 1;
	pthread_join(t, NULL);
	pthread_join(w, NULL);

	/* ...but never one with SO_RCVTIMEO (a long one: the signal comes first). */
	CHECK(set_timeo(sv[0], SO_RCVTIMEO, 60000) == 0, "set");
	handled = 0;
	stop_signals = 0;
	CHECK(pthread_create(&t, NULL, signaller, NULL) == 0, "thread");
	CHECK(recv(sv[0], buf, sizeof(buf), 0) == -1 && errno == EINTR,
	      "a timed recv: EINTR despite SA_RESTART");
	/* MSG_WAITALL: what came before the signal. */
	CHECK(write(sv[1], "abc", 3) == 3, "write");
	CHECK(recv(sv[0], buf, sizeof(buf), MSG_WAITALL) == 3 && handled,
	      "MSG_WAITALL interrupted: what there was");
	stop_signals = 1;
	pthread_join(t, NULL);

	set_handler(0);
	CHECK(set_timeo(sv[0], SO_RCVTIMEO, 0) == 0, "unset");
	handled = 0;
	stop_signals = 0;
	CHECK(write(sv[1], "de", 2) == 2, "write");
	CHECK(pthread_create(&t, NULL, signaller, NULL) == 0, "thread");
	CHECK(recv(sv[0], buf, sizeof(buf), MSG_WAITALL) == 2 && !memcmp(buf, "de", 2),
	      "MSG_WAITALL without a timeout interrupted: what there was");
	CHECK(recv(sv[0], buf, sizeof(buf), 0) == -1 && errno == EINTR, "EINTR without SA_RESTART");
	stop_signals = 1;
	pthread_join(t, NULL);
	signal(SIGUSR1, SIG_IGN);
	close(sv[0]);
	close(sv[1]);
}

/* ---- MSG_WAITALL ---- */

/* Writes big in 64 pieces, yielding between them. */
static void *slow_writer(void *arg)
{
	int s = *(int *)arg;

	for (size_t off = 0; off < BIG; off += BIG / 64) {
		if (write(s, big + off, BIG / 64) != BIG / 64)
			return (void *)1;
		usleep(1000);
	}
	return NULL;
}

static void check_waitall(void)
{
	int sv[2], d[2];
	char buf[16];
	pthread_t t;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	for (size_t i = 0; i < BIG; i++)
		big[i] = (char)(i * 13 + i / 1000);
	CHECK(pthread_create(&t, NULL, slow_writer, &sv[1]) == 0, "thread");
	CHECK(recv(sv[0], got, BIG, MSG_WAITALL) == BIG && !memcmp(got, big, BIG),
	      "MSG_WAITALL: the whole length, written in pieces");
	pthread_join(t, NULL);

	/* The timeout ends the wait with what there is. */
	CHECK(set_timeo(sv[0], SO_RCVTIMEO, TIMEO_MS) == 0, "set");
	CHECK(write(sv[1], "abc", 3) == 3, "write");
	int64_t t0 = now_ms();
	CHECK(recv(sv[0], buf, 10, MSG_WAITALL) == 3 && waited(t0),
	      "MSG_WAITALL until the timeout: what there was (%lld ms)",
	      (long long)(now_ms() - t0));
	t0 = now_ms();
	CHECK(recv(sv[0], buf, 10, MSG_WAITALL) == -1 && errno == EAGAIN && waited(t0),
	      "nothing: EAGAIN");
	CHECK(write(sv[1], "abc", 3) == 3, "write");
	CHECK(recv(sv[0], buf, 10, MSG_WAITALL | MSG_DONTWAIT) == 3, "with MSG_DONTWAIT: no wait");
	/* The end of file ends it too. */
	CHECK(write(sv[1], "xyz", 3) == 3 && shutdown(sv[1], SHUT_WR) == 0, "write, shutdown");
	CHECK(recv(sv[0], buf, 10, MSG_WAITALL) == 3, "MSG_WAITALL until the end of file");
	close(sv[0]);
	close(sv[1]);

	/* Datagrams: ignored, as Linux. */
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, d) == 0, "socketpair datagram");
	CHECK(send(d[1], "ab", 2, 0) == 2 && recv(d[0], buf, 10, MSG_WAITALL) == 2,
	      "a datagram: one message");
	close(d[0]);
	close(d[1]);
}

/* ---- credentials ---- */

/* Sends @len bytes with SCM_CREDENTIALS @u (NULL: none; @ulen: the data's length). */
static ssize_t send_cred(int s, const void *data, size_t len, const struct ucred *u, size_t ulen)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct ucred)) + 8];
	} c;
	struct iovec v = {(void *)data, len};
	struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1};

	memset(&c, 0, sizeof(c));
	if (u) {
		m.msg_control = c.buf;
		m.msg_controllen = CMSG_SPACE(ulen);
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_CREDENTIALS;
		h->cmsg_len = CMSG_LEN(ulen);
		memcpy(CMSG_DATA(h), u, sizeof(*u));
	}
	return sendmsg(s, &m, 0);
}

/* Receives into @buf (@len) with the credentials in *@u; *@have says whether there were any. */
static ssize_t recv_cred(int s, void *buf, size_t len, struct ucred *u, int *have)
{
	union {
		struct cmsghdr h;
		char buf[256];
	} c;
	struct iovec v = {buf, len};
	struct msghdr m = {
	    .msg_iov = &v, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof(c.buf)};

	*have = 0;
	ssize_t n = recvmsg(s, &m, MSG_DONTWAIT);
	if (n < 0)
		return n;
	/* The messages one by one (musl's CMSG_NXTHDR does not build with -Wsign-compare). */
	for (size_t off = 0; off + sizeof(struct cmsghdr) <= m.msg_controllen;) {
		struct cmsghdr *h = (struct cmsghdr *)(c.buf + off);
		if (h->cmsg_len < sizeof(*h))
			break;
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDENTIALS &&
		    h->cmsg_len == CMSG_LEN(sizeof(*u))) {
			memcpy(u, CMSG_DATA(h), sizeof(*u));
			*have = 1;
		}
		off += CMSG_ALIGN(h->cmsg_len);
	}
	return n;
}

static int is_me(const struct ucred *u)
{
	return u->pid == getpid() && u->uid == getuid() && u->gid == getgid();
}

static void check_credentials(void)
{
	int sv[2], one = 1, have;
	struct ucred u, me = {getpid(), getuid(), getgid()};
	char buf[16];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	CHECK(send_cred(sv[0], "a", 1, &me, sizeof(me)) == 1, "send my own");
	CHECK(recv_cred(sv[1], buf, 1, &u, &have) == 1 && !have, "no SO_PASSCRED: none received");
	CHECK(send(sv[0], "b", 1, 0) == 1, "queued before SO_PASSCRED");
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0, "SO_PASSCRED");
	CHECK(recv_cred(sv[1], buf, 1, &u, &have) == 1 && have && u.pid == 0 && u.uid == 65534 &&
		  u.gid == 65534,
	      "sent before: nobody (%d %d %d)", (int)u.pid, (int)u.uid, (int)u.gid);
	CHECK(send(sv[0], "c", 1, 0) == 1 && recv_cred(sv[1], buf, 1, &u, &have) == 1 && have &&
		  is_me(&u),
	      "sent without any: the sender's own (%d %d %d)", (int)u.pid, (int)u.uid, (int)u.gid);
	CHECK(write(sv[0], "d", 1) == 1 && recv_cred(sv[1], buf, 1, &u, &have) == 1 && have &&
		  is_me(&u),
	      "write too");
	CHECK(send_cred(sv[0], "e", 1, &me, sizeof(me)) == 1 &&
		  recv_cred(sv[1], buf, 1, &u, &have) == 1 && have && is_me(&u),
	      "sent my own");
	struct ucred bad = me;
	bad.uid = (uid_t)-1;
	CHECK(send_cred(sv[0], "f", 1, &bad, sizeof(bad)) == -1 && errno == EINVAL,
	      "uid -1: EINVAL");
	CHECK(send_cred(sv[0], "f", 1, &me, sizeof(me) - 4) == -1 && errno == EINVAL,
	      "a short struct: EINVAL");
	/* A forked child's messages say the child. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(send(sv[0], "g", 1, 0) != 1);
	check_exit(pid, 0, "child");
	CHECK(recv_cred(sv[1], buf, 1, &u, &have) == 1 && have && u.pid == pid,
	      "from a child: its pid (%d, wanted %d)", (int)u.pid, (int)pid);
	close(sv[0]);

	/* The sender's SO_PASSCRED attaches them too; then the receiver asks. */
	int s2[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s2) == 0, "socketpair");
	CHECK(setsockopt(s2[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0, "SO_PASSCRED");
	CHECK(send(s2[0], "h", 1, 0) == 1, "send");
	CHECK(setsockopt(s2[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0, "SO_PASSCRED");
	CHECK(recv_cred(s2[1], buf, 1, &u, &have) == 1 && have && is_me(&u),
	      "attached by the sender's SO_PASSCRED");
	close(s2[0]);
	close(s2[1]);
	close(sv[1]);

	/* Datagrams: a sender with SO_PASSCRED gets a name (Linux's autobind). */
	int d[2];
	struct sockaddr_un from;
	socklen_t flen = sizeof(from);
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, d) == 0, "socketpair datagram");
	CHECK(setsockopt(d[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0, "SO_PASSCRED");
	CHECK(send(d[0], "i", 1, 0) == 1, "send");
	CHECK(recvfrom(d[1], buf, 1, 0, (struct sockaddr *)&from, &flen) == 1 &&
		  flen > offsetof(struct sockaddr_un, sun_path) + 1 && from.sun_path[0] == 0,
	      "autobound to an abstract name (%d bytes)", (int)flen);
	close(d[0]);
	close(d[1]);
}

/* What root may send, and what others may not. */
static void check_credentials_forged(void)
{
	int sv[2], one = 1, have;
	struct ucred u, other = {0, getuid(), getgid()};
	int hold[2];
	char buf[16];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0, "SO_PASSCRED");
	if (getuid() == 0) {
		/* Another process: a child that waits for us. */
		CHECK(pipe(hold) == 0, "pipe");
		if ((other.pid = fork()) == 0) {
			char c;
			close(hold[1]);
			_exit(read(hold[0], &c, 1) != 0);
		}
		close(hold[0]);
		CHECK(send_cred(sv[0], "a", 1, &other, sizeof(other)) == 1 &&
			  recv_cred(sv[1], buf, 1, &u, &have) == 1 && have && u.pid == other.pid,
		      "root names another process: %d", (int)u.pid);
		close(hold[1]);
		check_exit(other.pid, 0, "the other process");
		struct ucred ids = {getpid(), 1234, 77};
		CHECK(send_cred(sv[0], "b", 1, &ids, sizeof(ids)) == 1 &&
			  recv_cred(sv[1], buf, 1, &u, &have) == 1 && have && u.uid == 1234 &&
			  u.gid == 77,
		      "root names other ids");
		struct ucred gone = {0x3fffff00, 0, 0};
		CHECK(send_cred(sv[0], "c", 1, &gone, sizeof(gone)) == -1 && errno == ESRCH,
		      "a pid no process has: ESRCH");
		gone.pid = 0;
		CHECK(send_cred(sv[0], "c", 1, &gone, sizeof(gone)) == -1 && errno == ESRCH,
		      "pid 0: ESRCH");
		/* A stream read never joins data of two senders (with SO_PASSCRED). */
		ids.uid = 5;
		CHECK(send_cred(sv[0], "xx", 2, &ids, sizeof(ids)) == 2, "send");
		ids.uid = 6;
		CHECK(send_cred(sv[0], "yy", 2, &ids, sizeof(ids)) == 2, "send");
		CHECK(recv_cred(sv[1], buf, 4, &u, &have) == 2 && have && u.uid == 5 &&
			  recv_cred(sv[1], buf, 4, &u, &have) == 2 && have && u.uid == 6,
		      "one sender's data a read");
	}
	/* Not root (where it can become another user): only its own. */
	pid_t pid = fork();
	if (pid == 0) {
		failures = 0;
		int became = setgid(100) == 0 && setuid(65534) == 0;
		CHECK(became, "the child could not become uid 65534");
		if (became) {
			struct ucred mine = {getpid(), 65534, 100}, f = mine;
			CHECK(send_cred(sv[0], "d", 1, &mine, sizeof(mine)) == 1, "its own");
			f.pid = getppid();
			CHECK(send_cred(sv[0], "e", 1, &f, sizeof(f)) == -1 && errno == EPERM,
			      "another pid: EPERM");
			f = mine;
			f.uid = 0;
			CHECK(send_cred(sv[0], "e", 1, &f, sizeof(f)) == -1 && errno == EPERM,
			      "another uid: EPERM");
			f = mine;
			f.gid = 0;
			CHECK(send_cred(sv[0], "e", 1, &f, sizeof(f)) == -1 && errno == EPERM,
			      "another gid: EPERM");
		}
		fflush(stdout);
		_exit(failures);
	}
	check_exit(pid, 0, "the unprivileged child");
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	check_timeo_values();
	check_recv_timeout();
	check_send_timeout();
	check_signals();
	check_waitall();
	check_credentials();
	check_credentials_forged();
	printf("unix_opts: %d failures\n", failures);
	return failures;
}
