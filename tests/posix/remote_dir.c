/*
 * A directory another server serves (/proc, the proc server's on
 * VeridianOS) as the working directory (chdir, fchdir, then relative open,
 * stat and readlink; getcwd says where it is, "self" followed; a forked child
 * inherits it) and as the directory of openat, fstatat and readlinkat; ".."
 * out of the tree back into the rest (cd /proc/self; cd ..; cd .. is "/");
 * ENOTDIR and ENOENT where Linux gives them. Exits with the number of failed
 * checks.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEST_NAME "remote_dir"
#include "check.h"
#include "child.h"

static char pid_dir[64];

/* Whether getcwd is @want. */
static int cwd_is(const char *want)
{
	char buf[PATH_MAX];

	if (!getcwd(buf, sizeof(buf))) {
		printf(TEST_NAME ": getcwd failed (errno %d), wanted %s\n", errno, want);
		return 0;
	}
	if (strcmp(buf, want)) {
		printf(TEST_NAME ": getcwd is %s, wanted %s\n", buf, want);
		return 0;
	}
	return 1;
}

/* Whether the link @path (from @dir) reads @want. */
static int link_is(int dir, const char *path, const char *want)
{
	char buf[256];
	ssize_t n = readlinkat(dir, path, buf, sizeof(buf) - 1);

	if (n < 0)
		return 0;
	buf[n] = 0;
	return strcmp(buf, want) == 0;
}

/* Whether @fd reads as /proc/<pid>/stat: "<pid> (". */
static int is_own_stat(int fd)
{
	char buf[64], want[32];
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	snprintf(want, sizeof(want), "%d (", (int)getpid());
	return strncmp(buf, want, strlen(want)) == 0;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* chdir into /proc/self and below, relative names there, and ".." back out to "/". */
static void check_cwd(int null_fd)
{
	char fd_dir[80], name[16];
	struct stat st;

	snprintf(fd_dir, sizeof(fd_dir), "%s/fd", pid_dir);
	snprintf(name, sizeof(name), "%d", null_fd);
	CHECK(chdir("/proc/self") == 0, "chdir /proc/self");
	CHECK(cwd_is(pid_dir), "getcwd in /proc/self");
	CHECK(is_own_stat(open("stat", O_RDONLY)), "open stat relative to /proc/self");
	CHECK(stat("fd", &st) == 0 && S_ISDIR(st.st_mode), "stat fd");
	char rel[32];
	snprintf(rel, sizeof(rel), "fd/%s", name);
	CHECK(link_is(AT_FDCWD, rel, "/dev/null"), "readlink %s", rel);
	CHECK(access("status", R_OK) == 0, "access status");
	int fd = open("/dev/null", O_RDONLY);
	CHECK(fd >= 0, "an absolute path from a remote working directory");
	if (fd >= 0)
		close(fd);
	CHECK(chdir("fd") == 0 && cwd_is(fd_dir), "chdir fd");
	CHECK(link_is(AT_FDCWD, name, "/dev/null"), "readlink %s in fd", name);
	CHECK(stat(".", &st) == 0 && S_ISDIR(st.st_mode), "stat . in fd");
	/* A forked child has the same working directory. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(cwd_is(fd_dir) && link_is(AT_FDCWD, name, "/dev/null") ? 0 : 1);
	check_exit(pid, 0, "a forked child's working directory");
	CHECK(chdir("..") == 0 && cwd_is(pid_dir), "cd .. from fd");
	CHECK(chdir("..") == 0 && cwd_is("/proc"), "cd .. from /proc/<pid>");
	CHECK(chdir("..") == 0 && cwd_is("/"), "cd .. from /proc");
	/* In one go, and ".." through names of both trees. */
	CHECK(chdir("/proc/self/fd/../..") == 0 && cwd_is("/proc"), "chdir /proc/self/fd/../..");
	CHECK(is_own_stat(open("self/stat", O_RDONLY)), "open self/stat from /proc");
	CHECK(stat("../tmp", &st) == 0 && S_ISDIR(st.st_mode), "stat ../tmp from /proc");
	CHECK(chdir("self/../../tmp") == 0 && cwd_is("/tmp"), "chdir self/../../tmp from /proc");
	/* Errors as Linux's. */
	errno = 0;
	CHECK(chdir("/proc/self/stat") == -1 && errno == ENOTDIR, "chdir to a file");
	errno = 0;
	CHECK(chdir("/proc/no-such") == -1 && errno == ENOENT, "chdir to nothing");
	CHECK(cwd_is("/tmp"), "a failed chdir moved the working directory");
	CHECK(chdir("/") == 0, "chdir /");
}

/* /proc/self open as a directory: openat, fstatat, readlinkat, fchdir. */
static void check_dirfd(int null_fd)
{
	struct stat st, root;
	char name[32];
	int d = open("/proc/self", O_RDONLY | O_DIRECTORY);

	CHECK(d >= 0, "open /proc/self as a directory");
	if (d < 0)
		return;
	snprintf(name, sizeof(name), "fd/%d", null_fd);
	CHECK(is_own_stat(openat(d, "stat", O_RDONLY)), "openat stat");
	CHECK(fstatat(d, "stat", &st, 0) == 0 && S_ISREG(st.st_mode), "fstatat stat");
	CHECK(fstatat(d, "fd", &st, 0) == 0 && S_ISDIR(st.st_mode), "fstatat fd");
	CHECK(link_is(d, name, "/dev/null"), "readlinkat %s", name);
	CHECK(faccessat(d, "status", R_OK, 0) == 0, "faccessat status");
	int fdd = openat(d, "fd", O_RDONLY | O_DIRECTORY);
	CHECK(fdd >= 0 && link_is(fdd, name + 3, "/dev/null"), "readlinkat from an openat directory");
	CHECK(stat("/", &root) == 0 && fstatat(d, "../..", &st, 0) == 0 && same_file(&st, &root),
	      "fstatat ../.. is not /");
	int up = openat(d, "..", O_RDONLY | O_DIRECTORY);
	CHECK(up >= 0 && is_own_stat(openat(up, "self/stat", O_RDONLY)), "openat .. then self/stat");
	int tmp = openat(d, "../../tmp", O_RDONLY | O_DIRECTORY);
	CHECK(tmp >= 0, "openat ../../tmp");
	errno = 0;
	int sf = openat(d, "stat", O_RDONLY);
	CHECK(sf >= 0 && openat(sf, "x", O_RDONLY) == -1 && errno == ENOTDIR, "openat from a file");
	errno = 0;
	CHECK(sf >= 0 && fchdir(sf) == -1 && errno == ENOTDIR, "fchdir to a file");
	CHECK(fchdir(d) == 0 && cwd_is(pid_dir), "fchdir /proc/self");
	CHECK(fdd >= 0 && fchdir(fdd) == 0 && link_is(AT_FDCWD, name + 3, "/dev/null"), "fchdir fd");
	CHECK(chdir("/") == 0, "chdir /");
	close(d);
	close(fdd);
	close(up);
	close(tmp);
	close(sf);
}

int main(void)
{
	snprintf(pid_dir, sizeof(pid_dir), "/proc/%d", (int)getpid());
	int null_fd = open("/dev/null", O_RDONLY);
	CHECK(null_fd >= 0, "open /dev/null");
	check_cwd(null_fd);
	check_dirfd(null_fd);
	if (!failures)
		printf("remote_dir: all checks passed\n");
	return failures != 0;
}
