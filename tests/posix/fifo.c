/*
 * FIFOs (named pipes): mkfifo/mknod, what stat and getdents say of them, the
 * open rules (O_RDONLY waits for a writer and O_WRONLY for a reader unless
 * O_NONBLOCK; O_WRONLY|O_NONBLOCK without a reader is ENXIO; O_RDWR never
 * waits), data, end of file, EPIPE without a reader, poll and epoll, and a
 * FIFO between two processes whose opens wait for each other. Everything is
 * made in a fresh directory under /tmp. Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char base[64];

#define TEST_NAME "fifo"
#include "check.h"

#define FAILS(expr, err) CHECK((expr) == -1 && errno == (err), #expr " should fail with " #err)

static const char *at(const char *name)
{
	static char paths[4][512];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, sizeof(paths[0]), "%s/%s", base, name);
	return p;
}

static void check_names(void)
{
	struct stat st;

	CHECK(mkfifo(at("f"), 0640) == 0, "mkfifo");
	CHECK(lstat(at("f"), &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == 0640 &&
		  st.st_size == 0 && st.st_nlink == 1,
	      "stat: mode %o", (unsigned)st.st_mode);
	FAILS(mkfifo(at("f"), 0600), EEXIST);
	FAILS(mkfifo(at("missing/f"), 0600), ENOENT);
	FAILS(mknod(at("d"), S_IFDIR | 0755, 0), EPERM);
	CHECK(mknod(at("g"), S_IFIFO | 0600, 0) == 0 && stat(at("g"), &st) == 0 && S_ISFIFO(st.st_mode),
	      "mknod S_IFIFO");
	CHECK(mknod(at("r"), S_IFREG | 0600, 0) == 0 && stat(at("r"), &st) == 0 && S_ISREG(st.st_mode),
	      "mknod S_IFREG");
	DIR *d = opendir(base);
	struct dirent *e;
	int fifos = 0;
	CHECK(d != NULL, "opendir");
	while (d && (e = readdir(d)))
		if (!strcmp(e->d_name, "f") || !strcmp(e->d_name, "g"))
			fifos += e->d_type == DT_FIFO;
	if (d)
		closedir(d);
	CHECK(fifos == 2, "getdents gives DT_FIFO (%d)", fifos);
	CHECK(unlink(at("g")) == 0 && unlink(at("r")) == 0, "unlink");
}

static void check_nonblocking(void)
{
	char buf[16];
	struct stat st, fst;

	FAILS(open(at("f"), O_WRONLY | O_NONBLOCK), ENXIO);
	int r = open(at("f"), O_RDONLY | O_NONBLOCK);
	CHECK(r >= 0, "O_RDONLY|O_NONBLOCK does not wait");
	CHECK(stat(at("f"), &st) == 0 && fstat(r, &fst) == 0 && S_ISFIFO(fst.st_mode) &&
		  fst.st_ino == st.st_ino,
	      "fstat is the FIFO's");
	CHECK(read(r, buf, sizeof(buf)) == 0, "no writer yet: end of file");
	struct pollfd p = {r, POLLIN, 0};
	CHECK(poll(&p, 1, 0) == 0, "no writer yet: no event (revents %x)", p.revents);
	int w = open(at("f"), O_WRONLY | O_NONBLOCK);
	CHECK(w >= 0, "O_WRONLY|O_NONBLOCK with a reader");
	CHECK(read(r, buf, sizeof(buf)) == -1 && errno == EAGAIN, "empty with a writer: EAGAIN");
	CHECK(write(w, "hello", 5) == 5, "write");
	CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLIN, "poll: POLLIN (%x)", p.revents);
	CHECK(read(r, buf, sizeof(buf)) == 5 && memcmp(buf, "hello", 5) == 0, "read");
	FAILS(lseek(r, 0, SEEK_SET), ESPIPE);
	FAILS(read(w, buf, 1), EBADF);
	FAILS(write(r, "x", 1), EBADF);
	CHECK(write(w, "bye", 3) == 3 && close(w) == 0, "write, close the writer");
	CHECK(poll(&p, 1, 0) == 1 && p.revents == (POLLIN | POLLHUP), "poll: POLLIN|POLLHUP (%x)",
	      p.revents);
	CHECK(read(r, buf, sizeof(buf)) == 3 && read(r, buf, sizeof(buf)) == 0, "the rest, then EOF");
	CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLHUP, "poll: POLLHUP (%x)", p.revents);
	/* No reader: EPIPE (SIGPIPE is ignored here). */
	w = open(at("f"), O_WRONLY | O_NONBLOCK);
	CHECK(w >= 0, "reopen the writer");
	close(r);
	FAILS(write(w, "x", 1), EPIPE);
	struct pollfd pw = {w, POLLOUT, 0};
	CHECK(poll(&pw, 1, 0) == 1 && (pw.revents & POLLERR), "poll without a reader: POLLERR (%x)",
	      pw.revents);
	close(w);
}

static void check_rdwr(void)
{
	char buf[16];

	int fd = open(at("f"), O_RDWR);
	CHECK(fd >= 0, "O_RDWR does not wait");
	CHECK(write(fd, "abc", 3) == 3 && read(fd, buf, sizeof(buf)) == 3 && memcmp(buf, "abc", 3) == 0,
	      "O_RDWR: write and read back");
	int w = open(at("f"), O_WRONLY | O_NONBLOCK);
	CHECK(w >= 0, "O_RDWR counts as a reader");
	CHECK(write(w, "left", 4) == 4, "data left behind");
	close(w);
	close(fd);
	fd = open(at("f"), O_RDWR | O_NONBLOCK);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == -1 && errno == EAGAIN,
	      "the data went with the last end");
	close(fd);
}

static void check_epoll(void)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 7}, got;
	int r = open(at("f"), O_RDONLY | O_NONBLOCK), w = open(at("f"), O_WRONLY);
	int ep = epoll_create1(0);

	CHECK(r >= 0 && w >= 0 && ep >= 0, "open both ends, epoll");
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev) == 0, "epoll_ctl");
	CHECK(epoll_wait(ep, &got, 1, 0) == 0, "nothing yet");
	CHECK(write(w, "z", 1) == 1 && epoll_wait(ep, &got, 1, 0) == 1 && got.data.u32 == 7 &&
		  got.events == EPOLLIN,
	      "EPOLLIN");
	close(w);
	CHECK(epoll_wait(ep, &got, 1, 0) == 1 && got.events == (EPOLLIN | EPOLLHUP), "EPOLLHUP (%x)",
	      got.events);
	close(ep);
	close(r);
}

/* A child opens one end and its parent the other: each open waits for the other. */
static void check_processes(void)
{
	char buf[64];
	int status;

	pid_t pid = fork();
	if (pid == 0) {
		int w = open(at("f"), O_WRONLY);
		_exit(w >= 0 && write(w, "from the child", 14) == 14 ? 0 : 1);
	}
	CHECK(pid > 0, "fork");
	int r = open(at("f"), O_RDONLY);
	CHECK(r >= 0, "O_RDONLY waited for the writer");
	size_t got = 0;
	ssize_t n;
	while ((n = read(r, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)n;
	CHECK(n == 0 && got == 14 && memcmp(buf, "from the child", 14) == 0, "read to EOF: %zu", got);
	close(r);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the writer: status %x", status);

	/* The other way round: the reader is the child. */
	pid = fork();
	if (pid == 0) {
		int fd = open(at("f"), O_RDONLY);
		size_t total = 0;
		while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
			total += (size_t)n;
		_exit(fd >= 0 && n == 0 && total == 10000 ? 0 : 1);
	}
	CHECK(pid > 0, "fork");
	int w = open(at("f"), O_WRONLY);
	CHECK(w >= 0, "O_WRONLY waited for the reader");
	static char data[10000];
	memset(data, 'q', sizeof(data));
	CHECK(write(w, data, sizeof(data)) == (ssize_t)sizeof(data), "write 10000 bytes");
	close(w);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the reader: status %x", status);

	/* A FIFO unlinked while open still carries data. */
	r = open(at("f"), O_RDONLY | O_NONBLOCK);
	w = open(at("f"), O_WRONLY);
	CHECK(r >= 0 && w >= 0 && unlink(at("f")) == 0, "open both ends, unlink");
	CHECK(write(w, "still", 5) == 5 && read(r, buf, sizeof(buf)) == 5, "unlinked FIFO");
	close(w);
	close(r);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	snprintf(base, sizeof(base), "/tmp/fifo.%d", (int)getpid());
	if (mkdir(base, 0755) != 0) {
		printf("fifo: cannot make %s (errno %d)\n", base, errno);
		return 1;
	}
	check_names();
	check_nonblocking();
	check_rdwr();
	check_epoll();
	check_processes();
	CHECK(rmdir(base) == 0, "remove %s", base);
	printf("fifo: %s (%d failed)\n", failures ? "FAIL" : "PASS", failures);
	return failures;
}
