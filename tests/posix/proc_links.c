/*
 * The symbolic links of /proc that lead out of it (on VeridianOS /proc is a
 * remote tree the proc server serves, and the rest of the path is the vfs's
 * to look up again): /proc/<pid>/cwd, exe and root, read (readlink, lstat)
 * and followed by open, stat, access, opendir and chdir, with more path
 * after them; names made and removed through them (mkdir, mkfifo, unlink,
 * rmdir, chmod, statvfs); requests of two paths through them (rename,
 * renameat2, link, symlink's new name) and a socket bound and connected
 * through them; another process's cwd; /proc/self/fd/N of a directory with a
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
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

/* Whether @path names a file (lstat), and its inode in *@ino. */
static int exists(const char *path, ino_t *ino)
{
	struct stat st;

	if (lstat(path, &st))
		return 0;
	if (ino)
		*ino = st.st_ino;
	return 1;
}

/* rename, link and symlink with one path or both through /proc/self/cwd: in the working directory. */
static void two_paths(void)
{
	char path[128], other[128];
	ino_t a, b;
	int fd;

	CHECK(chdir(dir) == 0, "chdir %s", dir);
	CHECK((fd = open("a", O_WRONLY | O_CREAT, 0600)) >= 0, "make a");
	close(fd);
	CHECK(exists("a", &a), "a");
	CHECK(rename("/proc/self/cwd/a", "/proc/self/cwd/b") == 0, "rename through /proc/self/cwd");
	CHECK(!exists("a", NULL) && exists("b", &b) && a == b, "a is now b");
	CHECK(rename("b", "/proc/self/cwd/c") == 0 && exists("c", NULL) && !exists("b", NULL),
	      "rename to a path through it");
	CHECK(rename("/proc/self/cwd/c", "a") == 0 && exists("a", NULL) && !exists("c", NULL),
	      "rename from a path through it");
	snprintf(path, sizeof(path), "/proc/%d/cwd/sub/inner", (int)getpid());
	snprintf(other, sizeof(other), "/proc/%d/cwd/sub/moved", (int)getpid());
	CHECK(rename(path, other) == 0 && exists("sub/moved", NULL) && !exists("sub/inner", NULL),
	      "rename %s %s", path, other);
	CHECK(rename("sub/moved", "sub/inner") == 0, "rename it back");
#ifdef SYS_renameat2
	CHECK(syscall(SYS_renameat2, AT_FDCWD, "/proc/self/cwd/a", AT_FDCWD, "/proc/self/cwd/b",
		      0) == 0 &&
		  exists("b", NULL) && !exists("a", NULL),
	      "renameat2 through it");
	CHECK(rename("b", "a") == 0, "rename b a");
#endif
	int proc = open("/proc/self", O_RDONLY | O_DIRECTORY);
	CHECK(proc >= 0 && renameat(proc, "cwd/a", proc, "cwd/b") == 0 && exists("b", NULL) &&
		  renameat(proc, "cwd/b", AT_FDCWD, "a") == 0 && exists("a", NULL),
	      "renameat from an open /proc/self");
	if (proc >= 0)
		close(proc);
	/* A link of the vfs's to /proc/self/cwd. */
	CHECK(symlink("/proc/self/cwd", "here") == 0, "symlink here");
	CHECK(rename("here/a", "here/b") == 0 && exists("b", NULL) && !exists("a", NULL),
	      "rename through a link to /proc/self/cwd");
	CHECK(rename("here/b", "a") == 0 && unlink("here") == 0, "rename back, unlink here");

	CHECK(link("/proc/self/cwd/a", "/proc/self/cwd/a2") == 0 && exists("a2", &b) && a == b,
	      "link through it: the same file");
	errno = 0;
	CHECK(link("a", "/proc/self/cwd/a2") == -1 && errno == EEXIST, "link onto a name: EEXIST");
	CHECK(unlink("a2") == 0, "unlink a2");
	CHECK(linkat(AT_FDCWD, "/proc/self/cwd/link", AT_FDCWD, "/proc/self/cwd/l2",
		     AT_SYMLINK_FOLLOW) == 0 &&
		  exists("l2", &b) && exists("somefile", &a) && a == b,
	      "linkat AT_SYMLINK_FOLLOW through it: the link's file");
	CHECK(unlink("l2") == 0, "unlink l2");
	CHECK(symlink("somefile", "/proc/self/cwd/sl") == 0 && link_is("sl", "somefile"),
	      "symlink through it");
	errno = 0;
	CHECK(symlink("x", "/proc/self/cwd/sl") == -1 && errno == EEXIST,
	      "symlink onto a name: EEXIST");
	CHECK(unlink("sl") == 0, "unlink sl");

	errno = 0;
	CHECK(rename("/proc/self/cwd/missing", "/proc/self/cwd/x") == -1 && errno == ENOENT,
	      "rename of a missing name through it: ENOENT");
	errno = 0;
	CHECK(link("/proc/self/cwd/missing", "/proc/self/cwd/x") == -1 && errno == ENOENT,
	      "link of a missing name through it: ENOENT");
	errno = 0;
	CHECK(rename("/proc/self/stat", "x") == -1 && errno == EXDEV && !exists("x", NULL),
	      "rename of a name of /proc out of it: EXDEV");
	errno = 0;
	CHECK(rename("/proc/self/cwd/a", "/proc/self/stat") == -1 && errno == EXDEV &&
		  exists("a", NULL),
	      "rename onto a name of /proc: EXDEV");
	errno = 0;
	CHECK(link("/proc/self/stat", "/proc/self/cwd/x") == -1 && errno == EXDEV,
	      "link of /proc/self/stat: EXDEV");
	/* Names in /proc itself are its own (Linux: ENOENT, as /proc makes none). */
	errno = 0;
	CHECK(symlink("x", "/proc/self/newlink") == -1 && (errno == EROFS || errno == ENOENT),
	      "symlink in /proc: EROFS");
	errno = 0;
	CHECK(rename("/proc/self/stat", "/proc/self/x") == -1 &&
		  (errno == EROFS || errno == ENOENT),
	      "rename in /proc: EROFS");

	/* A loop through /proc: ELOOP for each request, not a hang. */
	CHECK(symlink("/proc/self/cwd/loop", "loop") == 0, "symlink loop");
	errno = 0;
	CHECK(rename("loop/x", "y") == -1 && errno == ELOOP, "rename from a loop: ELOOP");
	errno = 0;
	CHECK(rename("a", "loop/x") == -1 && errno == ELOOP && exists("a", NULL),
	      "rename into a loop: ELOOP");
	errno = 0;
	CHECK(link("a", "loop/x") == -1 && errno == ELOOP, "link into a loop: ELOOP");
	errno = 0;
	CHECK(symlink("a", "loop/x") == -1 && errno == ELOOP, "symlink into a loop: ELOOP");
	CHECK(unlink("loop") == 0 && unlink("a") == 0, "unlink loop, a");
	CHECK(chdir("/") == 0, "chdir /");
}

/* An AF_UNIX name bound through /proc/self/cwd is in the working directory. */
static void sockets(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c;

	CHECK(chdir(dir) == 0, "chdir %s", dir);
	strcpy(sa.sun_path, "/proc/self/cwd/sock");
	CHECK(l >= 0 && bind(l, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(l, 4) == 0,
	      "bind %s", sa.sun_path);
	CHECK(stat("sock", &st) == 0 && S_ISSOCK(st.st_mode),
	      "the socket is in the working directory");
	strcpy(sa.sun_path, "sock");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(c >= 0 && connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect to sock");
	close(c);
	strcpy(sa.sun_path, "/proc/self/cwd/sock");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(c >= 0 && connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect to %s",
	      sa.sun_path);
	close(c);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	errno = 0;
	CHECK(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 && errno == EADDRINUSE,
	      "bind to it again: EADDRINUSE");
	strcpy(sa.sun_path, "/proc/self/stat");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	errno = 0;
	CHECK(connect(c, (struct sockaddr *)&sa, sizeof(sa)) == -1 &&
		  (errno == ECONNREFUSED || errno == EACCES),
	      "connect to /proc/self/stat: ECONNREFUSED");
	close(c);
	strcpy(sa.sun_path, "/proc/self/sock");
	errno = 0;
	CHECK(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 &&
		  (errno == EROFS || errno == ENOENT),
	      "bind in /proc: EROFS");
	CHECK(symlink("/proc/self/cwd/loop", "loop") == 0, "symlink loop");
	strcpy(sa.sun_path, "loop/sock");
	errno = 0;
	CHECK(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 && errno == ELOOP,
	      "bind in a loop: ELOOP");
	close(s);
	close(l);
	CHECK(unlink("loop") == 0 && unlink("sock") == 0, "unlink loop, sock");
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
	two_paths();
	sockets();
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
