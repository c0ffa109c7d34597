/*
 * /proc: /proc/self, /proc/<pid>/stat, cmdline, comm and status, /proc/meminfo,
 * /proc/uptime, the pids in a listing of /proc, and poll on a /proc file
 * together with a pipe. Only what Linux shows too is checked. Exits with the
 * number of failed checks.
 */
#define _DEFAULT_SOURCE /* d_type */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


#define TEST_NAME "procfs"
#include "check.h"

/* The whole of file @path into @buf (NUL-terminated); its length or -1. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	/* Small reads, so the offset is carried from one to the next. */
	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n < 7 ? size - 1 - n : 7)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	close(fd);
	return (ssize_t)n;
}

struct pstat {
	int pid, ppid, pgrp, session;
	char comm[64], state;
};

static int read_stat(int pid, struct pstat *st)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (slurp(path, buf, sizeof(buf)) <= 0)
		return -1;
	char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -1;
	size_t len = (size_t)(close_paren - open_paren - 1);
	if (len >= sizeof(st->comm))
		return -1;
	memcpy(st->comm, open_paren + 1, len);
	st->comm[len] = 0;
	st->pid = atoi(buf);
	/* Then at least 50 more fields: count them. */
	int fields = 0;
	for (char *p = close_paren + 1; *p; p++)
		if (*p == ' ' && p[1] && p[1] != ' ' && p[1] != '\n')
			fields++;
	if (fields < 50)
		return -1;
	return sscanf(close_paren + 2, "%c %d %d %d", &st->state, &st->ppid, &st->pgrp,
		      &st->session) == 4
		   ? 0
		   : -1;
}

static void check_self(int argc, char **argv)
{
	char link[64], want[64], buf[4096], line[80];
	struct stat st;
	struct pstat ps;

	snprintf(want, sizeof(want), "%d", (int)getpid());
	ssize_t n = readlink("/proc/self", link, sizeof(link) - 1);
	CHECK(n > 0, "readlink /proc/self: errno %d", errno);
	if (n > 0) {
		link[n] = 0;
		CHECK(!strcmp(link, want), "/proc/self -> %s, pid %s", link, want);
	}
	CHECK(!lstat("/proc/self", &st) && S_ISLNK(st.st_mode), "lstat /proc/self: not a link");
	CHECK(!stat("/proc/self", &st) && S_ISDIR(st.st_mode), "stat /proc/self: not a directory");

	CHECK(!read_stat(getpid(), &ps), "/proc/<pid>/stat unreadable or short");
	CHECK(ps.pid == getpid(), "stat pid %d", ps.pid);
	CHECK(ps.state == 'R', "own state %c", ps.state);
	CHECK(ps.ppid == getppid(), "stat ppid %d, getppid %d", ps.ppid, (int)getppid());
	CHECK(ps.pgrp == getpgrp(), "stat pgrp %d, getpgrp %d", ps.pgrp, (int)getpgrp());
	CHECK(ps.session == getsid(0), "stat session %d, getsid %d", ps.session, (int)getsid(0));
	const char *base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	CHECK(!strncmp(ps.comm, base, 15) &&
		  strlen(ps.comm) == (strlen(base) < 15 ? strlen(base) : 15),
	      "comm \"%s\", argv[0] \"%s\"", ps.comm, argv[0]);

	/* comm: the same name and a newline. */
	n = slurp("/proc/self/comm", buf, sizeof(buf));
	snprintf(line, sizeof(line), "%s\n", ps.comm);
	CHECK(n == (ssize_t)strlen(line) && !memcmp(buf, line, (size_t)n),
	      "/proc/self/comm \"%.*s\", stat's \"%s\"", (int)(n > 0 ? n : 0), buf, ps.comm);

	/* cmdline: argv, a NUL after each. */
	n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	size_t want_len = 0;
	for (int i = 0; i < argc; i++)
		want_len += strlen(argv[i]) + 1;
	CHECK(n == (ssize_t)want_len, "cmdline length %zd, wanted %zu", n, want_len);
	size_t at = 0;
	for (int i = 0; i < argc && n == (ssize_t)want_len; i++) {
		CHECK(!strcmp(buf + at, argv[i]), "cmdline argument %d \"%s\"", i, buf + at);
		at += strlen(argv[i]) + 1;
	}

	/* status: the lines busybox's ps and top read. */
	n = slurp("/proc/self/status", buf, sizeof(buf));
	snprintf(line, sizeof(line), "\nPid:\t%d\n", (int)getpid());
	CHECK(n > 0 && strstr(buf, line), "status has no \"Pid:\\t%d\"", (int)getpid());
	snprintf(line, sizeof(line), "\nPPid:\t%d\n", (int)getppid());
	CHECK(n > 0 && strstr(buf, line), "status has no \"PPid:\\t%d\"", (int)getppid());
	CHECK(n > 0 && strstr(buf, "\nState:\tR"), "status State is not R");
	snprintf(line, sizeof(line), "Name:\t%s\n", ps.comm);
	CHECK(n > 0 && !strncmp(buf, line, strlen(line)), "status does not start with %s", line);
	CHECK(n > 0 && strstr(buf, "\nUid:\t"), "status has no Uid line");
}

/* Whether a listing of /proc has an entry @name, a directory if @dir. */
static bool listed(const char *name, bool dir)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (!strcmp(e->d_name, name))
			found = !dir || e->d_type == DT_DIR || e->d_type == DT_UNKNOWN;
	closedir(d);
	return found;
}

/* A child waiting on a pipe, then a zombie, then gone. */
static void check_child(void)
{
	int fds[2];
	char name[16], path[64];
	struct pstat ps;
	struct stat st;

	if (pipe(fds)) {
		CHECK(0, "pipe: errno %d", errno);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(fds[1]);
		_exit(read(fds[0], &c, 1) == 0 ? 7 : 8);
	}
	close(fds[0]);
	CHECK(pid > 0, "fork: errno %d", errno);
	if (pid <= 0)
		return;
	snprintf(name, sizeof(name), "%d", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	CHECK(listed(name, true), "/proc lists no %s", name);
	CHECK(listed("self", false), "/proc lists no self");
	snprintf(name, sizeof(name), "%d", (int)getpid());
	CHECK(listed(name, true), "/proc lists no %s (self)", name);
	CHECK(!stat(path, &st) && S_ISDIR(st.st_mode), "stat %s: errno %d", path, errno);
	CHECK(!read_stat(pid, &ps) && ps.ppid == getpid() && ps.pid == pid,
	      "child's stat: pid %d ppid %d", ps.pid, ps.ppid);

	/* Ended and not waited for: a zombie, still listed. */
	close(fds[1]);
	siginfo_t si;
	CHECK(!waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), "waitid: errno %d", errno);
	CHECK(!read_stat(pid, &ps) && ps.state == 'Z', "zombie's state %c", ps.state);
	int status;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 7,
	      "child's status %#x", status);
	/* Reaped: gone from /proc. */
	CHECK(stat(path, &st) == -1 && errno == ENOENT, "%s after the wait: errno %d", path, errno);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	CHECK(open(path, O_RDONLY) == -1 && errno == ENOENT, "%s after the wait: errno %d", path,
	      errno);
}

static void check_system(void)
{
	char buf[4096];
	unsigned long total = 0, freek = 0;

	CHECK(slurp("/proc/meminfo", buf, sizeof(buf)) > 0, "/proc/meminfo: errno %d", errno);
	char *t = strstr(buf, "MemTotal:"), *f = strstr(buf, "MemFree:");
	CHECK(t && sscanf(t, "MemTotal: %lu kB", &total) == 1 && total > 0, "MemTotal %lu", total);
	CHECK(f && sscanf(f, "MemFree: %lu kB", &freek) == 1 && freek <= total,
	      "MemFree %lu of %lu", freek, total);

	double up1 = -1, idle = -1, up2 = -1;
	CHECK(slurp("/proc/uptime", buf, sizeof(buf)) > 0 &&
		  sscanf(buf, "%lf %lf", &up1, &idle) == 2 && up1 >= 0 && idle >= 0,
	      "/proc/uptime \"%s\"", buf);
	CHECK(slurp("/proc/uptime", buf, sizeof(buf)) > 0 && sscanf(buf, "%lf", &up2) == 1 &&
		  up2 >= up1,
	      "uptime went from %f to %f", up1, up2);

	struct stat st;
	CHECK(!stat("/proc", &st) && S_ISDIR(st.st_mode), "stat /proc: errno %d", errno);
	CHECK(open("/proc/no-such-file", O_RDONLY) == -1 && errno == ENOENT,
	      "no-such-file: errno %d", errno);
	CHECK(open("/proc/self/stat/x", O_RDONLY) == -1 && errno == ENOTDIR, "stat/x: errno %d",
	      errno);
	CHECK(open("/proc/self/stat", O_RDONLY | O_DIRECTORY) == -1 && errno == ENOTDIR,
	      "O_DIRECTORY on a file: errno %d", errno);
	CHECK(open("/proc", O_WRONLY) == -1 && errno == EISDIR, "/proc for writing: errno %d",
	      errno);
	CHECK(mkdir("/proc/x", 0755) == -1, "mkdir in /proc succeeded");
}

/* A /proc file and an empty pipe in one poll: the file is readable, the pipe not. */
static void check_poll(void)
{
	int fds[2], fd = open("/proc/self/stat", O_RDONLY);
	char c;

	CHECK(fd >= 0, "open /proc/self/stat: errno %d", errno);
	if (fd < 0 || pipe(fds))
		return;
	struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = fds[0], .events = POLLIN}};
	CHECK(poll(p, 2, 0) == 1 && (p[0].revents & POLLIN) && !p[1].revents, "poll: %x %x",
	      p[0].revents, p[1].revents);
	CHECK(write(fd, "x", 1) == -1 && errno == EBADF,
	      "write to a read-only /proc file: errno %d", errno);
	CHECK(read(fd, &c, 1) == 1 && c >= '1' && c <= '9', "first byte of stat '%c'", c);
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, &c, 1) == 1 && c >= '1' && c <= '9',
	      "after lseek");
	struct stat st;
	CHECK(!fstat(fd, &st) && S_ISREG(st.st_mode), "fstat: mode %o", st.st_mode);
	close(fd);
	close(fds[0]);
	close(fds[1]);
}

int main(int argc, char **argv)
{
	check_self(argc, argv);
	check_child();
	check_system();
	check_poll();
	printf("procfs: %d failure%s\n", failures, failures == 1 ? "" : "s");
	return failures > 100 ? 100 : failures;
}
