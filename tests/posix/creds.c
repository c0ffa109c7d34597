/*
 * User and group ids: getuid and the rest, setuid, setgid, setreuid,
 * setregid, setresuid and setresgid by their rules (root sets any id, others
 * only one of their own three), what they change for others to see (files
 * created take the effective ids, permissions are checked with them,
 * /proc/self/status shows them, kill needs a matching uid but SIGCONT
 * within the session), and children inheriting them through fork and
 * posix_spawn. Runs as root (uid 0), on Linux as on VeridianOS; every
 * change happens in a forked child. Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "creds"
#include "check.h"

extern char **environ;

static char dir[64], secret[96];

static int res_is(uid_t r, uid_t e, uid_t s)
{
	uid_t a = 1, b = 1, c = 1;

	return getresuid(&a, &b, &c) == 0 && a == r && b == e && c == s;
}

static int resg_is(gid_t r, gid_t e, gid_t s)
{
	gid_t a = 1, b = 1, c = 1;

	return getresgid(&a, &b, &c) == 0 && a == r && b == e && c == s;
}

/* Whether /proc/self/status has the line @want. */
static int status_has(const char *want)
{
	char buf[2048];
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strstr(buf, want) != NULL;
}

/* Ends the child with its failures as the status. */
static int wait_child(pid_t pid)
{
	int st = 0;

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A child that gives up root through the saved uid, and then for good. */
static void user_child(const char *self)
{
	failures = 0;
	CHECK(setresgid(100, 100, 100) == 0 && resg_is(100, 100, 100), "setresgid as root");
	CHECK(setresuid(1000, 1001, 0) == 0 && res_is(1000, 1001, 0), "setresuid as root");
	CHECK(getuid() == 1000 && geteuid() == 1001 && getgid() == 100 && getegid() == 100,
	      "getuid %d geteuid %d getgid %d getegid %d", (int)getuid(), (int)geteuid(),
	      (int)getgid(), (int)getegid());
	/* The effective uid is checked, not the real one: the secret is not readable now. */
	errno = 0;
	CHECK(open(secret, O_RDONLY) == -1 && errno == EACCES, "a 0600 root file opened by uid 1001");
	/* Back to root through the saved uid, then away for good. */
	CHECK(seteuid(0) == 0 && res_is(1000, 0, 0), "seteuid(0) with saved uid 0");
	CHECK(open(secret, O_RDONLY) >= 0, "the secret, as root again");
	CHECK(setuid(2000) == 0 && res_is(2000, 2000, 2000), "setuid as root sets all three");
	errno = 0;
	CHECK(setuid(0) == -1 && errno == EPERM, "setuid(0) by uid 2000");
	errno = 0;
	CHECK(seteuid(0) == -1 && errno == EPERM, "seteuid(0) by uid 2000");
	errno = 0;
	CHECK(setreuid(-1, 0) == -1 && errno == EPERM, "setreuid(-1, 0) by uid 2000");
	errno = 0;
	CHECK(setresuid(-1, -1, 3) == -1 && errno == EPERM, "setresuid to a stranger's id");
	errno = 0;
	CHECK(setgid(0) == -1 && errno == EPERM, "setgid(0) by uid 2000");
	CHECK(setresgid(-1, 100, -1) == 0 && resg_is(100, 100, 100), "setresgid to its own gid");
	CHECK(res_is(2000, 2000, 2000), "a failed change changed something");
	CHECK(status_has("\nUid:\t2000\t2000\t2000\t2000\n") && status_has("\nGid:\t100\t100\t100\t100\n"),
	      "/proc/self/status does not show uid 2000, gid 100");
	/* What it creates is its own. */
	char path[128];
	snprintf(path, sizeof(path), "%s/mine", dir);
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	struct stat st;
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == 2000 && st.st_gid == 100,
	      "a file made by uid 2000 gid 100 is owned by %d:%d", fd >= 0 ? (int)st.st_uid : -1,
	      fd >= 0 ? (int)st.st_gid : -1);
	if (fd >= 0)
		close(fd);
	errno = 0;
	CHECK(chown(path, 0, 0) == -1 && errno == EPERM, "chown to root by uid 2000");
	errno = 0;
	CHECK(open(secret, O_RDONLY) == -1 && errno == EACCES, "the secret, opened by uid 2000");
	/* Signals: not to root's processes, but SIGCONT within the session; to itself. */
	errno = 0;
	CHECK(kill(getppid(), 0) == -1 && errno == EPERM, "kill(root's pid, 0) by uid 2000");
	errno = 0;
	CHECK(kill(getppid(), SIGUSR1) == -1 && errno == EPERM, "kill(root's pid, SIGUSR1) by uid 2000");
	CHECK(kill(getppid(), SIGCONT) == 0, "SIGCONT to root's process in the same session");
	CHECK(kill(getpid(), 0) == 0, "kill(itself, 0)");
	/* Children start with its ids: forked and spawned. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(res_is(2000, 2000, 2000) && resg_is(100, 100, 100) ? 0 : 1);
	CHECK(wait_child(pid) == 0, "a forked child's ids are not its parent's");
	char *argv[] = {(char *)self, "child-ids", NULL};
	CHECK(posix_spawn(&pid, self, NULL, NULL, argv, environ) == 0, "posix_spawn");
	CHECK(wait_child(pid) == 0, "a spawned child's ids are not its parent's");
	/* Its child, same uid: may be signalled. */
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	CHECK(kill(pid, SIGKILL) == 0, "kill of its own child");
	CHECK(wait_child(pid) == 128 + SIGKILL, "its child did not die of SIGKILL");
	fflush(stdout);
	_exit(failures);
}

/* A child that sets its real and effective ids with setreuid and setregid. */
static void re_child(void)
{
	failures = 0;
	CHECK(setregid(200, 201) == 0 && resg_is(200, 201, 201), "setregid as root");
	CHECK(setreuid(-1, 300) == 0 && res_is(0, 300, 300), "setreuid(-1, 300) as root");
	/* Not root now (effective 300), but the real uid is 0: it may take it back. */
	CHECK(setreuid(-1, 0) == 0 && res_is(0, 0, 300), "setreuid(-1, 0) with real uid 0");
	CHECK(setreuid(400, 400) == 0 && res_is(400, 400, 400), "setreuid(400, 400) as root");
	errno = 0;
	CHECK(setreuid(0, -1) == -1 && errno == EPERM, "setreuid(0, -1) by uid 400");
	errno = 0;
	CHECK(setregid(-1, 0) == -1 && errno == EPERM, "setregid(-1, 0) by uid 400");
	CHECK(setregid(201, -1) == 0 && resg_is(201, 201, 201), "setregid to its effective gid");
	fflush(stdout);
	_exit(failures);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "child-ids"))
		return res_is(2000, 2000, 2000) && resg_is(100, 100, 100) ? 0 : 1;
	if (argv[0][0] != '/') {
		printf(TEST_NAME ": FAIL: argv[0] \"%s\" is not an absolute path\n", argv[0]);
		return 1;
	}
	CHECK(getuid() == 0 && geteuid() == 0 && res_is(0, 0, 0) && resg_is(0, 0, 0),
	      "not run as root: uid %d", (int)getuid());
	CHECK(getgroups(0, NULL) >= 0, "getgroups");
	errno = 0;
	CHECK(setuid(-1) == -1 && errno == EINVAL, "setuid(-1)");
	snprintf(dir, sizeof(dir), "/tmp/creds-XXXXXX");
	CHECK(mkdtemp(dir) && chmod(dir, 0777) == 0, "a directory for everyone");
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	int fd = open(secret, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0, "the secret");
	close(fd);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		user_child(argv[0]);
	CHECK(wait_child(pid) == 0, "the child that became uid 2000 failed");
	pid = fork();
	if (pid == 0)
		re_child();
	CHECK(wait_child(pid) == 0, "the setreuid child failed");
	CHECK(res_is(0, 0, 0) && resg_is(0, 0, 0), "the parent's ids changed");
	CHECK(status_has("\nUid:\t0\t0\t0\t0\n"), "/proc/self/status does not show uid 0");
	char path[128];
	snprintf(path, sizeof(path), "%s/mine", dir);
	unlink(path);
	unlink(secret);
	rmdir(dir);
	printf("creds: %d failure%s\n", failures, failures == 1 ? "" : "s");
	return failures != 0;
}
