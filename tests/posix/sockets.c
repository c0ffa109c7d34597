/*
 * AF_UNIX sockets: socketpairs (stream, datagram, seqpacket), a listener on
 * a path with two client threads, abstract names, errors (EADDRINUSE,
 * ECONNREFUSED, ENOENT, EAGAIN, EPIPE), SCM_RIGHTS passing a pipe's read end
 * and a file, SO_PEERCRED and other options, a large transfer in pieces.
 * Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>


#define TEST_NAME "sockets"
#include "check.h"

#define BIG (600 * 1024)

static char dir[64];
static unsigned char big[BIG], got[BIG];

static struct sockaddr_un path_addr(const char *name)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/%s", dir, name);
	return a;
}

static void check_pairs(void)
{
	int sv[2];
	char buf[64];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair stream");
	CHECK(write(sv[0], "hello", 5) == 5 && send(sv[0], " world", 6, 0) == 6, "write, send");
	CHECK(recv(sv[1], buf, 3, MSG_PEEK) == 3 && !memcmp(buf, "hel", 3), "peek");
	CHECK(read(sv[1], buf, sizeof(buf)) == 11 && !memcmp(buf, "hello world", 11),
	      "a stream joins the writes");
	CHECK(recv(sv[1], buf, 1, MSG_DONTWAIT) == -1 && errno == EAGAIN, "MSG_DONTWAIT");
	CHECK(write(sv[1], "back", 4) == 4 && read(sv[0], buf, 4) == 4, "the other way");
	CHECK(shutdown(sv[0], SHUT_WR) == 0 && read(sv[1], buf, 1) == 0, "shutdown: end of file");
	CHECK(write(sv[1], "x", 1) == 1 && read(sv[0], buf, 1) == 1, "the other half still works");
	close(sv[1]);
	CHECK(read(sv[0], buf, 1) == 0, "peer closed: end of file");
	CHECK(send(sv[0], "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE, "EPIPE");
	close(sv[0]);

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0, "flags");
	CHECK(fcntl(sv[0], F_GETFD) == FD_CLOEXEC && (fcntl(sv[1], F_GETFL) & O_NONBLOCK),
	      "SOCK_CLOEXEC, SOCK_NONBLOCK");
	CHECK(read(sv[1], buf, 1) == -1 && errno == EAGAIN, "EAGAIN");
	/* Unread data at close: the peer reads ECONNRESET. */
	CHECK(write(sv[0], "x", 1) == 1, "write");
	close(sv[1]);
	CHECK(read(sv[0], buf, 1) == -1 && errno == ECONNRESET, "ECONNRESET");
	close(sv[0]);

	for (int type = SOCK_DGRAM; type; type = type == SOCK_DGRAM ? SOCK_SEQPACKET : 0) {
		struct msghdr m = {0};
		struct iovec v = {buf, 2};
		CHECK(socketpair(AF_UNIX, type, 0, sv) == 0, "socketpair %d", type);
		CHECK(send(sv[0], "abc", 3, 0) == 3 && send(sv[0], "defgh", 5, 0) == 5, "send");
		CHECK(recv(sv[1], buf, sizeof(buf), 0) == 3 && !memcmp(buf, "abc", 3), "a message");
		m.msg_iov = &v;
		m.msg_iovlen = 1;
		CHECK(recvmsg(sv[1], &m, 0) == 2 && (m.msg_flags & MSG_TRUNC) &&
			  !memcmp(buf, "de", 2),
		      "a message cut short: flags %x", m.msg_flags);
		CHECK(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN,
		      "the rest of it is gone");
		int t = 0;
		socklen_t len = sizeof(t);
		CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &t, &len) == 0 && t == type,
		      "SO_TYPE");
		close(sv[0]);
		close(sv[1]);
	}
}

static void *client(void *arg)
{
	struct sockaddr_un a = path_addr("listen");
	char c = (char)(intptr_t)arg, r = 0;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
		return (void *)1;
	if (write(s, &c, 1) != 1 || read(s, &r, 1) != 1 || r != c + 1)
		return (void *)2;
	close(s);
	return NULL;
}

static void check_listener(void)
{
	struct sockaddr_un a = path_addr("listen"), b;
	socklen_t len = sizeof(b);
	pthread_t t[2];
	struct stat st;
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	CHECK(l >= 0, "socket");
	CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0, "bind %s", a.sun_path);
	CHECK(stat(a.sun_path, &st) == 0 && S_ISSOCK(st.st_mode), "a socket node");
	int other = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(other, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == EADDRINUSE,
	      "EADDRINUSE");
	CHECK(connect(other, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == ECONNREFUSED,
	      "not listening yet: ECONNREFUSED");
	close(other);
	CHECK(listen(l, 8) == 0, "listen");
	CHECK(accept(l, NULL, NULL) == -1 && errno == EAGAIN, "nothing to accept: EAGAIN");
	CHECK(getsockname(l, (struct sockaddr *)&b, &len) == 0 && !strcmp(b.sun_path, a.sun_path),
	      "getsockname");
	CHECK(fcntl(l, F_SETFL, 0) == 0, "blocking again");
	for (intptr_t i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, client, (void *)(10 * i + 1)) == 0, "thread");
	for (int i = 0; i < 2; i++) {
		int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		char x = 0;
		CHECK(c >= 0 && fcntl(c, F_GETFD) == FD_CLOEXEC, "accept4");
		CHECK(read(c, &x, 1) == 1 && (x == 1 || x == 11), "a client's byte: %d", x);
		x++;
		CHECK(write(c, &x, 1) == 1, "answer");
		struct ucred cr;
		len = sizeof(cr);
		CHECK(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && len == sizeof(cr) &&
			  cr.pid == getpid() && cr.uid == getuid() && cr.gid == getgid(),
		      "SO_PEERCRED of a client: %d %d %d", (int)cr.pid, (int)cr.uid, (int)cr.gid);
		close(c);
	}
	for (int i = 0; i < 2; i++) {
		void *ret;
		pthread_join(t[i], &ret);
		CHECK(ret == NULL, "client %d: %p", i, ret);
	}
	/* A client connects; its peer name is the listener's path. */
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	len = sizeof(b);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0, "connect");
	CHECK(getpeername(c, (struct sockaddr *)&b, &len) == 0 && !strcmp(b.sun_path, a.sun_path),
	      "getpeername");
	struct pollfd pf = {l, POLLIN, 0};
	CHECK(poll(&pf, 1, 1000) == 1 && pf.revents == POLLIN, "a pending connection is POLLIN");
	close(c);
	close(l);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == ECONNREFUSED,
	      "nobody bound: ECONNREFUSED");
	CHECK(unlink(a.sun_path) == 0, "unlink");
	CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == ENOENT, "ENOENT");
	close(c);
}

static void check_abstract(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int n = snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "veridian-test-%d", (int)getpid());
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	int l = socket(AF_UNIX, SOCK_SEQPACKET, 0), c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	char buf[8];

	CHECK(connect(c, (struct sockaddr *)&a, len) == -1 && errno == ECONNREFUSED, "not bound");
	CHECK(bind(l, (struct sockaddr *)&a, len) == 0 && listen(l, 1) == 0, "bind abstract");
	CHECK(connect(c, (struct sockaddr *)&a, len) == 0, "connect abstract");
	int s = accept(l, NULL, NULL);
	CHECK(s >= 0 && send(c, "ab", 2, 0) == 2 && send(c, "c", 1, 0) == 2 - 1, "send");
	CHECK(recv(s, buf, sizeof(buf), 0) == 2 && recv(s, buf, sizeof(buf), 0) == 1, "records");
	close(s);
	close(c);
	close(l);

	/* Datagrams to a bound address, with the sender's name. */
	struct sockaddr_un da = path_addr("dgram"), ca = path_addr("client"), from;
	l = socket(AF_UNIX, SOCK_DGRAM, 0);
	c = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(bind(l, (struct sockaddr *)&da, sizeof(da)) == 0, "bind dgram");
	CHECK(bind(c, (struct sockaddr *)&ca, sizeof(ca)) == 0, "bind the sender");
	CHECK(sendto(c, "hi", 2, 0, (struct sockaddr *)&da, sizeof(da)) == 2, "sendto");
	len = sizeof(from);
	memset(&from, 0, sizeof(from));
	CHECK(recvfrom(l, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) == 2 &&
		  from.sun_family == AF_UNIX && !strcmp(from.sun_path, ca.sun_path),
	      "recvfrom: the sender's name %s", from.sun_path);
	close(c);
	close(l);
	unlink(da.sun_path);
	unlink(ca.sun_path);
}

/* Sends @fd with one byte over @s. */
static int send_fd(int s, int fd)
{
	char byte = 'F';
	struct iovec v = {&byte, 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = {
	    .msg_iov = &v, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return (int)sendmsg(s, &m, 0);
}

/* Receives one byte and a descriptor (-1 if none came). */
static int recv_fd(int s)
{
	char byte;
	struct iovec v = {&byte, 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = {
	    .msg_iov = &v, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	int fd = -1;

	if (recvmsg(s, &m, 0) != 1 || byte != 'F')
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void check_rights(void)
{
	int sv[2], p[2];
	char buf[32];
	char path[96];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && pipe(p) == 0, "socketpair, pipe");
	CHECK(write(p[1], "through a pipe", 14) == 14, "write the pipe");
	CHECK(send_fd(sv[0], p[0]) == 1, "send the read end");
	close(p[0]);
	int r = recv_fd(sv[1]);
	CHECK(r >= 0 && r != sv[1], "received %d", r);
	CHECK(read(r, buf, sizeof(buf)) == 14 && !memcmp(buf, "through a pipe", 14),
	      "read through it");
	close(p[1]);
	CHECK(read(r, buf, sizeof(buf)) == 0, "its writer closed");
	close(r);

	snprintf(path, sizeof(path), "%s/file", dir);
	int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(f >= 0 && write(f, "file data", 9) == 9 && lseek(f, 0, SEEK_SET) == 0, "a file");
	CHECK(send_fd(sv[0], f) == 1, "send the file");
	r = recv_fd(sv[1]);
	CHECK(r >= 0 && read(r, buf, 4) == 4 && !memcmp(buf, "file", 4),
	      "read the file through it");
	CHECK(lseek(f, 0, SEEK_CUR) == 4, "one open file: the offset is shared");
	close(r);
	close(f);
	unlink(path);

	/* Never received: closing the socket closes the write end in flight. */
	CHECK(pipe(p) == 0 && send_fd(sv[0], p[1]) == 1, "send a write end");
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	CHECK(read(p[0], buf, 1) == 0, "the write end in flight was closed");
	close(p[0]);
}

static void *big_reader(void *arg)
{
	int s = *(int *)arg;
	size_t done = 0;
	long n;

	while (done < BIG && (n = read(s, got + done, BIG - done)) > 0)
		done += (size_t)n;
	return (void *)(uintptr_t)done;
}

static void check_options_and_big(void)
{
	int sv[2], v = 0;
	socklen_t len = sizeof(v);
	struct ucred cr;
	pthread_t t;
	void *ret;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	len = sizeof(cr);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && cr.pid == getpid() &&
		  cr.uid == getuid() && cr.gid == getgid(),
	      "SO_PEERCRED: %d %d %d", (int)cr.pid, (int)cr.uid, (int)cr.gid);
	len = sizeof(v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0, "SO_ERROR");
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, &len) == 0 && v > 0, "SO_RCVBUF");
	v = 1;
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &v, sizeof(v)) == 0, "set SO_PASSCRED");
	v = 0;
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &v, &len) == 0 && v == 1,
	      "get SO_PASSCRED");
	v = 65536;
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0, "set SO_SNDBUF");

	/* More than fits in one request and in the buffer, with a descriptor on the first byte. */
	for (size_t i = 0; i < BIG; i++)
		big[i] = (unsigned char)(i * 7 + i / 4096);
	CHECK(pthread_create(&t, NULL, big_reader, &sv[1]) == 0, "thread");
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov[2] = {{big, 1000}, {big + 1000, BIG - 1000}};
	struct msghdr m = {
	    .msg_iov = iov, .msg_iovlen = 2, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &p[1], sizeof(int));
	CHECK(sendmsg(sv[0], &m, 0) == BIG, "a large sendmsg");
	pthread_join(t, &ret);
	CHECK((uintptr_t)ret == BIG && !memcmp(big, got, BIG), "received %lu bytes intact",
	      (unsigned long)(uintptr_t)ret);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/sockets-XXXXXX");
	if (!mkdtemp(dir)) {
		printf("sockets: FAIL: mkdtemp (errno %d)\n", errno);
		return 1;
	}
	check_pairs();
	check_listener();
	check_abstract();
	check_rights();
	check_options_and_big();
	rmdir(dir);
	printf("sockets: %d failures\n", failures);
	return failures;
}
