/*
 * The symbolic links of /proc that lead out of it (on VeridianOS /proc is a
 * remote tree the proc server serves, and the rest of the path is the vfs's
 * to look up again): /proc/<pid>/cwd, exe and root, read (readlink, lstat)
 * and followed by open, stat, access, opendir and chdir, with more path
 * after them; names made and removed through them (mkdir, mkfifo, unlink,
 * rmdir, chmod, statvfs); another process's cwd; /proc/self/fd/N of a directory with a
 * name after it; a ".." after them (the parent of where they lead, as
 * Linux's); a loop through them is ELOOP, not a hang; execve and
 * posix_spawn of a program through them (/proc/self/exe, as busybox ash
 * runs itself again).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "proc_links"
#include "check.h"
#include "child.h"

#define CHILD_ARG "--exec-child"
#define CHILD_EXIT 42 /* what this program exits with when run as CHILD_ARG */

extern char **environ;

static char dir[64], sub[80];

/* Whether readlink of @path says @want. */
static int link_is(const char *path, const char *want)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return 0;
	buf[n] = 0;
	if (strcmp(buf, want))
		printf(TEST_NAME ": %s -> %s, not %s\n", path, buf, want);
	return !strcmp(buf, want);
}

/* Whether @path opens and reads as @want. */
static int reads(const char *path, const char *want)
{
	char buf[64] = {0};
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(want) && !memcmp(buf, want, (size_t)n);
}

/* Whether directory @path lists @name. */
static int lists(const char *path, const char *name)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d)))
		found |= !strcmp(e->d_name, name);
	if (d)
		closedir(d);
	return found;
}

static void cwd_links(void)
{
	struct stat st, want;
	char buf[PATH_MAX];

	CHECK(chdir(dir) == 0, "chdir %s", dir);
	CHECK(link_is("/proc/self/cwd", dir), "readlink /proc/self/cwd");
	CHECK(lstat("/proc/self/cwd", &st) == 0 && S_ISLNK(st.st_mode), "lstat: a link");
	CHECK(stat("/proc/self/cwd", &st) == 0 && S_ISDIR(st.st_mode) && stat(dir, &want) == 0 &&
		  st.st_ino == want.st_ino && st.st_dev == want.st_dev,
	      "stat follows it to the directory");
	CHECK(reads("/proc/self/cwd/somefile", "some text"),
	      "open and read /proc/self/cwd/somefile");
	CHECK(stat("/proc/self/cwd/somefile", &st) == 0 && st.st_size == 9, "stat through it");
	CHECK(access("/proc/self/cwd/somefile", R_OK) == 0, "access through it");
	errno = 0;
	CHECK(access("/proc/self/cwd/nothing", F_OK) == -1 && errno == ENOENT, "ENOENT beyond it");
	CHECK(lists("/proc/self/cwd/", "somefile") && lists("/proc/self/cwd", "somefile"),
	      "ls /proc/self/cwd/");
	CHECK(reads("/proc/self/cwd/sub/inner", "inner"), "a directory below it");
	CHECK(link_is("/proc/self/cwd/link", "somefile"), "readlink of a link below it");
	CHECK(reads("/proc/self/cwd/link", "some text"), "a link below it followed");
	char pid_cwd[64];
	snprintf(pid_cwd, sizeof(pid_cwd), "/proc/%d/cwd/somefile", (int)getpid());
	CHECK(reads(pid_cwd, "some text"), "%s", pid_cwd);
	/* cd /proc/self/cwd/sub: the real directory, as getcwd says. */
	CHECK(chdir("/proc/self/cwd/sub") == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, sub),
	      "chdir through it: getcwd %s", buf);
	CHECK(link_is("/proc/self/cwd", sub), "readlink after the chdir");
	CHECK(chdir("/proc/self/cwd") == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, sub),
	      "cd /proc/self/cwd stays");
	CHECK(reads("inner", "inner"), "a relative open there");
	CHECK(chdir("/") == 0, "chdir /");
}

static void root_and_exe(const char *argv0)
{
	struct stat st, want;
	char exe[PATH_MAX];

	CHECK(link_is("/proc/self/root", "/"), "readlink /proc/self/root");
	CHECK(stat("/proc/self/root/", &st) == 0 && S_ISDIR(st.st_mode) && stat("/", &want) == 0 &&
		  st.st_ino == want.st_ino,
	      "stat /proc/self/root/");
	CHECK(lists("/proc/self/root", "proc"), "ls /proc/self/root");
	snprintf(exe, sizeof(exe), "/proc/self/root%s/somefile", dir);
	CHECK(reads(exe, "some text"), "%s", exe);
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 1 && exe[0] == '/', "readlink /proc/self/exe");
	if (n <= 1)
		return;
	exe[n] = 0;
	const char *base = strrchr(exe, '/') + 1, *want_base = strrchr(argv0, '/');
	want_base = want_base ? want_base + 1 : argv0;
	CHECK(!strcmp(base, want_base), "/proc/self/exe is %s, the program is %s", exe, argv0);
	CHECK(stat("/proc/self/exe", &st) == 0 && S_ISREG(st.st_mode) && stat(exe, &want) == 0 &&
		  st.st_ino == want.st_ino && st.st_dev == want.st_dev,
	      "stat /proc/self/exe is the program's");
	int fd = open("/proc/self/exe", O_RDONLY);
	char magic[4] = {0};
	CHECK(fd >= 0 && read(fd, magic, 4) == 4 && !memcmp(magic, "\177ELF", 4),
	      "open /proc/self/exe");
	if (fd >= 0)
		close(fd);
	errno = 0;
	CHECK(open("/proc/self/exe", O_RDONLY | O_NOFOLLOW) == -1 && errno == ELOOP,
	      "O_NOFOLLOW: ELOOP");
}

/* Names made, changed and removed through /proc/self/cwd: in the working directory. */
static void names(void)
{
	struct stat st;
	struct statvfs sv;
	char path[128];

	CHECK(chdir(dir) == 0, "chdir %s", dir);
	CHECK(mkdir("/proc/self/cwd/newdir", 0700) == 0, "mkdir /proc/self/cwd/newdir");
	snprintf(path, sizeof(path), "%s/newdir", dir);
	CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode), "it is in the working directory");
	CHECK(rmdir("/proc/self/cwd/newdir/") == 0 && stat(path, &st) == -1, "rmdir through it");
	CHECK(mkfifo("/proc/self/cwd/fifo", 0600) == 0 && unlink("/proc/self/cwd/fifo") == 0,
	      "mkfifo and unlink through it");
	CHECK(chmod("/proc/self/cwd/somefile", 0640) == 0 && stat("somefile", &st) == 0 &&
		  (st.st_mode & 0777) == 0640,
	      "chmod through it");
	CHECK(chmod("/proc/self/cwd", 0750) == 0 && stat(dir, &st) == 0 &&
		  (st.st_mode & 0777) == 0750,
	      "chmod of the link: the directory");
	CHECK(statvfs("/proc/self/cwd/somefile", &sv) == 0 && statvfs("/proc/self/cwd", &sv) == 0,
	      "statvfs through it");
	errno = 0;
	CHECK(mkdir("/proc/self/nothing/newdir", 0700) == -1 && errno == ENOENT,
	      "mkdir below a name /proc does not have: ENOENT");
	CHECK(chdir("/") == 0, "chdir /");
}

/* A ".." after such a link is physical: the parent of where the link leads. */
static void dotdot_after_link(void)
{
	struct stat st, want;
	char path[128];

	CHECK(chdir(sub) == 0, "chdir %s", sub);
	CHECK(reads("/proc/self/cwd/../somefile", "some text"),
	      "open /proc/self/cwd/../somefile: the parent's file");
	CHECK(stat("/proc/self/cwd/..", &st) == 0 && stat(dir, &want) == 0 &&
		  st.st_ino == want.st_ino && st.st_dev == want.st_dev,
	      "stat /proc/self/cwd/..: the parent");
	CHECK(stat("/proc/self/cwd/../../", &st) == 0 && stat("/tmp", &want) == 0 &&
		  st.st_ino == want.st_ino && st.st_dev == want.st_dev,
	      "stat /proc/self/cwd/../../: its parent");
	CHECK(lists("/proc/self/cwd/../", "sub"), "ls /proc/self/cwd/../");
	snprintf(path, sizeof(path), "/proc/%d/cwd/../sub/./inner", (int)getpid());
	CHECK(reads(path, "inner"), "%s", path);
	CHECK(mkdir("/proc/self/cwd/../newdir", 0700) == 0, "mkdir /proc/self/cwd/../newdir");
	snprintf(path, sizeof(path), "%s/newdir", dir);
	CHECK(rmdir(path) == 0, "it is in the parent");
	/* Within /proc, ".." stays there. */
	CHECK(stat("/proc/self/fd/../stat", &st) == 0 && S_ISREG(st.st_mode),
	      "stat /proc/self/fd/../stat");
	errno = 0;
	CHECK(stat("/proc/self/nothing/../stat", &st) == -1 && errno == ENOENT,
	      "a name /proc does not have before a \"..\": ENOENT");
	CHECK(chdir("/proc/self/cwd/..") == 0 && getcwd(path, sizeof(path)) && !strcmp(path, dir),
	      "chdir /proc/self/cwd/..: %s", path);
	CHECK(chdir("/") == 0, "chdir /");
}

/* Another process's working directory, and its exe after it is gone. */
static void other_process(void)
{
	int ready[2], done[2];
	char path[64], c;

	CHECK(pipe(ready) == 0 && pipe(done) == 0, "pipes");
	pid_t pid = fork();
	if (pid == 0) {
		int ok = chdir(sub) == 0;
		(void)!write(ready[1], ok ? "y" : "n", 1);
		(void)!read(done[0], &c, 1);
		_exit(0);
	}
	CHECK(pid > 0 && read(ready[0], &c, 1) == 1 && c == 'y', "the child's chdir");
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)pid);
	CHECK(link_is(path, sub), "readlink %s", path);
	snprintf(path, sizeof(path), "/proc/%d/cwd/inner", (int)pid);
	CHECK(reads(path, "inner"), "%s", path);
	CHECK(link_is("/proc/self/cwd", "/"), "ours is still /");
	(void)!write(done[1], "x", 1);
	check_exit(pid, 0, "the child");
	char buf[PATH_MAX];
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)pid);
	errno = 0;
	CHECK(readlink(path, buf, sizeof(buf)) == -1 && errno == ENOENT, "gone: ENOENT");
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
}

/* /proc/self/fd/N of a directory, with a name after it. */
static void fd_of_directory(void)
{
	char path[64];
	int d = open(sub, O_RDONLY | O_DIRECTORY);

	CHECK(d >= 0, "open %s", sub);
	snprintf(path, sizeof(path), "/proc/self/fd/%d/inner", d);
	CHECK(reads(path, "inner"), "%s", path);
	snprintf(path, sizeof(path), "/proc/self/fd/%d/", d);
	CHECK(lists(path, "inner"), "ls %s", path);
	close(d);
}

/* A link that leads back to itself through /proc: ELOOP, not a hang. */
static void loops(void)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/loop", dir);
	CHECK(symlink("/proc/self/cwd/loop", path) == 0, "symlink %s", path);
	CHECK(chdir(dir) == 0, "chdir %s", dir);
	errno = 0;
	CHECK((fd = open("loop", O_RDONLY)) == -1 && errno == ELOOP, "open of a loop: ELOOP");
	errno = 0;
	CHECK(stat(path, &(struct stat){0}) == -1 && errno == ELOOP, "stat of a loop: ELOOP");
	errno = 0;
	CHECK(chdir("/proc/self/root/proc/self/cwd/loop/") == -1 && errno == ELOOP,
	      "chdir into a loop: ELOOP");
	CHECK(chdir("/") == 0 && unlink(path) == 0, "unlink %s", path);
	if (fd >= 0)
		close(fd);
}

/* Runs @path with CHILD_ARG by fork and execve: its exit status, or -errno of the execve. */
static int exec_status(const char *path)
{
	int pipefd[2], err = 0, st = 0;

	if (pipe(pipefd))
		return -1;
	fcntl(pipefd[1], F_SETFD, FD_CLOEXEC);
	pid_t pid = fork();
	if (pid == 0) {
		char *args[] = {(char *)"proc_links", (char *)CHILD_ARG, NULL};
		execve(path, args, environ);
		err = errno;
		(void)!write(pipefd[1], &err, sizeof(err));
		_exit(127);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(pipefd[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	if (err)
		return -err;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs @path with CHILD_ARG by posix_spawn: its exit status, or -errno of the spawn. */
static int spawn_status(const char *path)
{
	char *args[] = {(char *)"proc_links", (char *)CHILD_ARG, NULL};
	pid_t pid;
	int st = 0, err = posix_spawn(&pid, path, NULL, NULL, args, environ);

	if (err)
		return -err;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* execve and posix_spawn of a program through the links: the program the link names. */
static void exec_through(void)
{
	char exe[PATH_MAX], path[PATH_MAX + 32];
	int got;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	CHECK(n > 1, "readlink /proc/self/exe");
	if (n <= 1)
		return;
	exe[n] = 0;
	CHECK((got = exec_status("/proc/self/exe")) == CHILD_EXIT, "execve /proc/self/exe: %d",
	      got);
	CHECK((got = spawn_status("/proc/self/exe")) == CHILD_EXIT,
	      "posix_spawn /proc/self/exe: %d", got);
	/* A directory link with the program's name after it. */
	char *slash = strrchr(exe, '/');
	*slash = 0;
	CHECK(chdir(exe[0] ? exe : "/") == 0, "chdir %s", exe);
	snprintf(path, sizeof(path), "/proc/%d/cwd/%s", (int)getpid(), slash + 1);
	CHECK((got = exec_status(path)) == CHILD_EXIT, "execve %s: %d", path, got);
	CHECK((got = spawn_status(path)) == CHILD_EXIT, "posix_spawn %s: %d", path, got);
	*slash = '/';
	CHECK(chdir("/") == 0, "chdir /");
	/* A link of the vfs's that leads into /proc and out again. */
	snprintf(path, sizeof(path), "%s/exe", dir);
	CHECK(symlink("/proc/self/exe", path) == 0, "symlink %s", path);
	CHECK((got = exec_status(path)) == CHILD_EXIT, "execve %s: %d", path, got);
	unlink(path);
	snprintf(path, sizeof(path), "%s/loop", dir);
	CHECK(symlink("/proc/self/cwd/loop", path) == 0, "symlink %s", path);
	CHECK(chdir(dir) == 0, "chdir %s", dir);
	CHECK((got = exec_status("loop")) == -ELOOP, "execve of a loop: %d, not -ELOOP", got);
	CHECK((got = spawn_status("/proc/self/cwd/loop")) == -ELOOP,
	      "posix_spawn of a loop: %d, not -ELOOP", got);
	CHECK(chdir("/") == 0 && unlink(path) == 0, "unlink %s", path);
	CHECK((got = exec_status("/proc/self/stat")) == -EACCES,
	      "execve /proc/self/stat: %d, not -EACCES", got);
	CHECK((got = exec_status("/proc/self/nothing")) == -ENOENT,
	      "execve /proc/self/nothing: %d, not -ENOENT", got);
}

static void make_tree(void)
{
	char path[128];
	int fd;

	snprintf(dir, sizeof(dir), "/tmp/proc_links-%d", (int)getpid());
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	CHECK(mkdir(dir, 0700) == 0 && mkdir(sub, 0700) == 0, "mkdir %s", sub);
	snprintf(path, sizeof(path), "%s/somefile", dir);
	CHECK((fd = open(path, O_WRONLY | O_CREAT, 0600)) >= 0 && write(fd, "some text", 9) == 9,
	      "make %s", path);
	close(fd);
	snprintf(path, sizeof(path), "%s/inner", sub);
	CHECK((fd = open(path, O_WRONLY | O_CREAT, 0600)) >= 0 && write(fd, "inner", 5) == 5,
	      "make %s", path);
	close(fd);
	snprintf(path, sizeof(path), "%s/link", dir);
	CHECK(symlink("somefile", path) == 0, "symlink %s", path);
}

static void remove_tree(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/inner", sub);
	unlink(path);
	rmdir(sub);
	snprintf(path, sizeof(path), "%s/somefile", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/link", dir);
	unlink(path);
	CHECK(rmdir(dir) == 0, "rmdir %s", dir);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], CHILD_ARG))
		return CHILD_EXIT;
	make_tree();
	cwd_links();
	root_and_exe(argc > 0 ? argv[0] : "");
	names();
	dotdot_after_link();
	other_process();
	fd_of_directory();
	loops();
	exec_through();
	remove_tree();
	if (!failures)
		printf("proc_links: all checks passed\n");
	return failures != 0;
}
