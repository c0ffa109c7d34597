/*
 * /proc/<pid>/fd: the listing names exactly the open descriptors (after
 * open, dup2, close, an SCM_RIGHTS receive, fork and execve), readlink names
 * what each holds as Linux does ("/dev/null", a file's path, " (deleted)",
 * "pipe:[ino]", "socket:[ino]" with fstat's ino, "anon_inode:[eventfd]"...),
 * and opening /proc/self/fd/N opens that file again (a new end of a pipe,
 * a file with its own offset; a socket is ENXIO), as a shell's
 * ">/proc/self/fd/1" does; a forked or exec'd child that changed no
 * descriptor lists what it has too (its layer has not mapped its map yet). Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "procfd"
#include "check.h"
#include "child.h"

#define FDS 128	/* descriptors looked at */

extern char **environ;

/* Which descriptors /proc/<pid>/fd lists ("self" for @pid 0): @seen[fd]; the count, or -1. */
static int listing(int pid, bool seen[FDS], int *dirfd_out)
{
	char path[64];
	int n = 0;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/fd");
	memset(seen, 0, FDS * sizeof(bool));
	DIR *d = opendir(path);
	if (!d)
		return -1;
	if (dirfd_out)
		*dirfd_out = dirfd(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		int fd = atoi(e->d_name);
		CHECK(e->d_name[0] >= '0' && e->d_name[0] <= '9', "entry \"%s\" in %s", e->d_name,
		      path);
		CHECK(e->d_type == DT_LNK || e->d_type == DT_UNKNOWN, "%s/%s: d_type %d", path,
		      e->d_name, e->d_type);
		if (fd >= 0 && fd < FDS)
			seen[fd] = true;
		n++;
	}
	closedir(d);
	return n;
}

/* The listing of /proc/self/fd is exactly the descriptors fcntl says are open (and the directory's own). */
static void check_listing(const char *when)
{
	bool seen[FDS];
	int dfd = -1;
	int n = listing(0, seen, &dfd);

	CHECK(n > 0, "%s: listing /proc/self/fd: %d", when, n);
	for (int fd = 0; fd < FDS; fd++) {
		bool open_ = fd == dfd || fcntl(fd, F_GETFD) >= 0;
		CHECK(seen[fd] == open_, "%s: fd %d %s the listing but is %s", when, fd,
		      seen[fd] ? "in" : "not in", open_ ? "open" : "closed");
	}
}

/* readlink of /proc/self/fd/@fd, NUL-terminated into @buf ("" on failure). */
static const char *link_of(int fd, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, buf, size - 1);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static void check_link(int fd, const char *want)
{
	char got[256];

	CHECK(!strcmp(link_of(fd, got, sizeof(got)), want), "fd %d links to \"%s\", wanted \"%s\"",
	      fd, got, want);
}

/* "<what>:[<st_ino>]" of @fd. */
static void check_anon(int fd, const char *what)
{
	struct stat st;
	char want[64];

	CHECK(fstat(fd, &st) == 0, "fstat %d", fd);
	snprintf(want, sizeof(want), "%s:[%llu]", what, (unsigned long long)st.st_ino);
	check_link(fd, want);
}

static void test_links(void)
{
	char tmp[64], want[128], got[256];
	int null = open("/dev/null", O_RDONLY), p[2], sv[2];

	snprintf(tmp, sizeof(tmp), "/tmp/procfd-%d", (int)getpid());
	int file = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(null >= 0 && file >= 0, "open /dev/null, %s", tmp);
	CHECK(pipe(p) == 0, "pipe");
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	int efd = eventfd(0, 0), ep = epoll_create1(0), tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	CHECK(efd >= 0 && ep >= 0 && tfd >= 0, "eventfd, epoll, timerfd");
	check_listing("after the opens");

	check_link(null, "/dev/null");
	check_link(file, tmp);
	check_anon(p[0], "pipe");
	check_anon(p[1], "pipe");
	check_anon(sv[0], "socket");
	check_link(efd, "anon_inode:[eventfd]");
	check_link(ep, "anon_inode:[eventpoll]");
	check_link(tfd, "anon_inode:[timerfd]");
	/* dup2 to a high number: the same link there. */
	CHECK(dup2(null, 77) == 77, "dup2");
	check_link(77, "/dev/null");
	/* A file whose name went: " (deleted)". */
	CHECK(unlink(tmp) == 0, "unlink");
	snprintf(want, sizeof(want), "%s (deleted)", tmp);
	check_link(file, want);
	check_listing("after dup2 and unlink");

	/* The link itself: lstat says a link; a closed descriptor is not there. */
	struct stat st;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", null);
	CHECK(lstat(path, &st) == 0 && S_ISLNK(st.st_mode), "lstat %s: mode %o", path, st.st_mode);
	close(77);
	CHECK(readlink("/proc/self/fd/77", got, sizeof(got)) < 0 && errno == ENOENT,
	      "readlink of a closed fd: errno %d", errno);
	CHECK(readlink("/proc/self/fd/100000", got, sizeof(got)) < 0 && errno == ENOENT,
	      "readlink of fd 100000: errno %d", errno);
	check_listing("after close");

	close(null), close(file), close(p[0]), close(p[1]), close(sv[0]), close(sv[1]);
	close(efd), close(ep), close(tfd);
	check_listing("after closing everything");
}

/* Opening /proc/self/fd/N: a new open of what N holds. */
static void test_reopen(void)
{
	char tmp[64], path[64], buf[16] = "";
	int p[2], sv[2];

	CHECK(pipe(p) == 0, "pipe");
	/* A write end made from the write end, as a shell's ">/proc/self/fd/1". */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[1]);
	int w = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	CHECK(w >= 0 && w != p[1], "open %s for writing: %d", path, w);
	CHECK(write(w, "via", 3) == 3, "write through the reopened end");
	CHECK(read(p[0], buf, sizeof(buf)) == 3 && !memcmp(buf, "via", 3), "read \"%.3s\"", buf);
	check_anon(w, "pipe");
	/* A read end made from the read end; the pipe ends only when every writer has gone. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	int r = open(path, O_RDONLY);
	CHECK(r >= 0, "open %s for reading", path);
	close(p[1]);
	CHECK(write(w, "x", 1) == 1, "the reopened writer still writes");
	close(w);
	CHECK(read(r, buf, sizeof(buf)) == 1 && buf[0] == 'x', "read from the reopened reader");
	CHECK(read(r, buf, sizeof(buf)) == 0, "end of file once every writer closed");
	close(r);
	close(p[0]);

	/* A file: its own offset, and O_TRUNC truncates. */
	snprintf(tmp, sizeof(tmp), "/tmp/procfd-r-%d", (int)getpid());
	int f = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(f >= 0 && write(f, "hello", 5) == 5, "write %s", tmp);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", f);
	int g = open(path, O_RDONLY);
	memset(buf, 0, sizeof(buf));
	CHECK(g >= 0 && read(g, buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5),
	      "the reopened file reads from its start: \"%s\"", buf);
	CHECK(lseek(f, 0, SEEK_CUR) == 5, "the first open's offset stays");
	int h = open(path, O_WRONLY | O_TRUNC);
	struct stat st;
	CHECK(h >= 0 && fstat(f, &st) == 0 && st.st_size == 0, "O_TRUNC through the link: size %lld",
	      (long long)st.st_size);
	CHECK(open(path, O_RDONLY | O_NOFOLLOW) < 0 && errno == ELOOP, "O_NOFOLLOW: errno %d", errno);
	close(g), close(h), close(f);
	unlink(tmp);

	/* A socket cannot be opened again (Linux: ENXIO). */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", sv[0]);
	CHECK(open(path, O_RDWR) < 0 && errno == ENXIO, "open of a socket's link: errno %d", errno);
	close(sv[0]), close(sv[1]);
	check_listing("after the reopens");
}

/* A descriptor received with SCM_RIGHTS shows up, and names the same pipe. */
static void test_scm_rights(void)
{
	int sv[2], p[2];
	char c = 'f', want[64], got[64];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && pipe(p) == 0, "socketpair, pipe");
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = {&c, 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			   .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET, h->cmsg_type = SCM_RIGHTS, h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &p[1], sizeof(int));
	CHECK(sendmsg(sv[0], &m, 0) == 1, "sendmsg");
	m.msg_controllen = sizeof(u.buf);
	CHECK(recvmsg(sv[1], &m, 0) == 1, "recvmsg");
	int got_fd = -1;
	h = CMSG_FIRSTHDR(&m);
	if (h && h->cmsg_type == SCM_RIGHTS)
		memcpy(&got_fd, CMSG_DATA(h), sizeof(int));
	CHECK(got_fd >= 0 && got_fd != p[1], "received fd %d", got_fd);
	check_listing("after SCM_RIGHTS");
	CHECK(!strcmp(link_of(got_fd, got, sizeof(got)), link_of(p[1], want, sizeof(want))),
	      "the received fd links to \"%s\", the sent one to \"%s\"", got, want);
	close(got_fd), close(sv[0]), close(sv[1]), close(p[0]), close(p[1]);
}

/* fork: the child lists what it inherited and its own changes; the parent sees the child's. */
static void test_fork(void)
{
	int go[2], done[2], extra = open("/dev/null", O_RDONLY);
	char c, pl[64], cl[64];

	CHECK(pipe(go) == 0 && pipe(done) == 0 && extra >= 0, "pipes");
	pid_t pid = fork();
	if (pid == 0) {
		failures = 0;
		check_listing("in the forked child");
		check_link(extra, "/dev/null");
		close(extra);
		int mine = open("/", O_RDONLY | O_DIRECTORY);
		CHECK(dup2(mine, 90) == 90, "dup2 in the child");
		close(mine);
		check_listing("in the child after its changes");
		/* Let the parent look at us, then wait for it. */
		CHECK(write(done[1], "c", 1) == 1, "tell the parent");
		CHECK(read(go[0], &c, 1) == 1, "wait for the parent");
		_exit(failures > 100 ? 100 : failures);
	}
	CHECK(pid > 0, "fork");
	CHECK(read(done[0], &c, 1) == 1, "wait for the child");
	/* Our table is as it was; the child's has 90 and no longer @extra. */
	check_listing("in the parent after the child's changes");
	bool seen[FDS];
	CHECK(listing(pid, seen, NULL) > 0, "listing /proc/%d/fd", (int)pid);
	CHECK(seen[90] && !seen[extra] && seen[go[0]], "the child's listing: 90 %d, %d %d, %d %d",
	      seen[90], extra, seen[extra], go[0], seen[go[0]]);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd/90", (int)pid);
	ssize_t n = readlink(path, cl, sizeof(cl) - 1);
	cl[n > 0 ? n : 0] = 0;
	CHECK(!strcmp(cl, "/"), "%s links to \"%s\"", path, cl);
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, go[0]);
	n = readlink(path, cl, sizeof(cl) - 1);
	cl[n > 0 ? n : 0] = 0;
	CHECK(!strcmp(cl, link_of(go[0], pl, sizeof(pl))), "the child's %s is \"%s\", ours \"%s\"",
	      path, cl, pl);
	CHECK(write(go[1], "g", 1) == 1, "let the child go");
	int st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "forked child: status %#x", st);
	close(go[0]), close(go[1]), close(done[0]), close(done[1]), close(extra);
}

/* execve: the new program lists the descriptors it kept, not the close-on-exec ones. */
static void test_exec(const char *self)
{
	int keep = open("/dev/null", O_RDONLY), gone = open("/", O_RDONLY | O_CLOEXEC);
	char a[16], b[16];

	CHECK(keep >= 0 && gone >= 0, "opens");
	pid_t pid = fork();
	if (pid == 0) {
		snprintf(a, sizeof(a), "%d", keep);
		snprintf(b, sizeof(b), "%d", gone);
		char *argv[] = {(char *)self, "exec", a, b, NULL};
		execve(self, argv, environ);
		_exit(99);
	}
	check_exit(pid, 0, "the exec'd child");
	close(keep), close(gone);
}

/*
 * A child that changes no descriptor, forked (@self NULL) or exec'd as
 * "@self quiet <done> <go>": its listing, seen from here once it says it
 * runs, is our descriptors (less the close-on-exec ones after the exec).
 */
static void test_quiet(const char *self)
{
	int go[2], done[2], cloexec = open("/", O_RDONLY | O_CLOEXEC), dfd = -1;
	char c, a[16], b[16];
	bool seen[FDS];

	CHECK(pipe(go) == 0 && pipe(done) == 0 && cloexec >= 0, "pipes");
	pid_t pid = fork();
	if (pid == 0) {
		if (self) {
			snprintf(a, sizeof(a), "%d", done[1]);
			snprintf(b, sizeof(b), "%d", go[0]);
			char *argv[] = {(char *)self, "quiet", a, b, NULL};
			execve(self, argv, environ);
			_exit(99);
		}
		_exit(write(done[1], "q", 1) == 1 && read(go[0], &c, 1) == 1 ? 0 : 1);
	}
	CHECK(pid > 0, "fork");
	CHECK(read(done[0], &c, 1) == 1, "wait for the child");
	CHECK(listing(pid, seen, &dfd) > 0, "listing /proc/%d/fd", (int)pid);
	for (int fd = 0; fd < FDS; fd++) {
		bool open_ = fd != dfd && fcntl(fd, F_GETFD) >= 0 && !(self && fd == cloexec);
		CHECK(seen[fd] == open_, "%s child: fd %d %s its listing but is %s here",
		      self ? "an exec'd" : "a forked", fd, seen[fd] ? "in" : "not in",
		      open_ ? "open" : "closed or close-on-exec");
	}
	CHECK(write(go[1], "g", 1) == 1, "let the child go");
	check_exit(pid, 0, "the quiet child");
	close(go[0]), close(go[1]), close(done[0]), close(done[1]), close(cloexec);
}

static int exec_child(int keep, int gone)
{
	check_listing("after execve");
	check_link(keep, "/dev/null");
	CHECK(fcntl(gone, F_GETFD) < 0, "the close-on-exec fd %d is open", gone);
	return failures;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "exec"))
		return exec_child(atoi(argv[2]), atoi(argv[3])) != 0;
	if (argc == 4 && !strcmp(argv[1], "quiet")) {
		char c;
		return !(write(atoi(argv[2]), "q", 1) == 1 && read(atoi(argv[3]), &c, 1) == 1);
	}
	check_listing("at the start");
	test_links();
	test_reopen();
	test_scm_rights();
	test_fork();
	test_exec(argv[0]);
	test_quiet(NULL);
	test_quiet(argv[0]);
	printf("procfd: %s\n", failures ? "FAILED" : "ok");
	return failures != 0;
}
