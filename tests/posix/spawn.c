/*
 * posix_spawn, waitpid, kill and process groups. The program spawns itself
 * (argv[0] is its absolute path, on Linux and on VeridianOS) with "child
 * <mode> ..." to act as the child. Exits with the number of failed checks;
 * each failure is printed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MANY 50

extern char **environ;
static const char *self;

#define TEST_NAME "spawn"
#include "check.h"
#include "child.h"

/* ---- the child's side ---- */

static int child(int argc, char **argv)
{
	const char *mode = argv[2];
	char line[64];

	if (!strcmp(mode, "args"))
		return argc == 5 && !strcmp(argv[3], "one") && !strcmp(argv[4], "two words") &&
				       getenv("SPAWN_TEST") && !strcmp(getenv("SPAWN_TEST"), "yes")
			       ? 0
			       : 3;
	if (!strcmp(mode, "exit"))
		return atoi(argv[3]);
	if (!strcmp(mode, "write"))
		return write(1, "hello from child\n", 17) == 17 ? 0 : 4;
	if (!strcmp(mode, "ids")) {
		int n = snprintf(line, sizeof(line), "%d %d\n", (int)getpid(), (int)getppid());
		return write(1, line, (size_t)n) == n ? 0 : 5;
	}
	if (!strcmp(mode, "umask")) {
		int n = snprintf(line, sizeof(line), "%03o\n", (unsigned)umask(0));
		return write(1, line, (size_t)n) == n ? 0 : 9;
	}
	if (!strcmp(mode, "pgrp"))
		return getpgid(0) == getpid() && getpgrp() == getpid() ? 0 : 6;
	if (!strcmp(mode, "closed"))
		return fcntl(atoi(argv[3]), F_GETFD) == -1 && errno == EBADF ? 0 : 7;
	if (!strcmp(mode, "sleep")) {
		for (;;)
			sleep(100);
	}
	if (!strcmp(mode, "segv")) {
		/* An address from outside the compiler's view, so it cannot reason about it. */
		volatile uintptr_t bad = 8;
		*(volatile int *)bad = 1;
		return 8;
	}
	return 100;
}

/* ---- the parent's side ---- */

/* Spawns "self child <mode> <arg>" with @fa; returns the pid or -1. */
static pid_t run(const char *mode, const char *arg, const posix_spawn_file_actions_t *fa,
		 const posix_spawnattr_t *attr)
{
	char *argv[] = {(char *)self, "child", (char *)mode, (char *)arg, NULL};
	pid_t pid = -1;
	int err = posix_spawn(&pid, self, fa, attr, argv, environ);

	CHECK(err == 0, "posix_spawn %s: %s", mode, strerror(err));
	return err ? -1 : pid;
}

static void test_args_and_statuses(void)
{
	char *argv[] = {(char *)self, "child", "args", "one", "two words", NULL};
	char *envp[] = {"SPAWN_TEST=yes", NULL};
	pid_t pid;

	CHECK(posix_spawn(&pid, self, NULL, NULL, argv, envp) == 0, "posix_spawn args");
	check_exit(pid, 0, "argv and envp");
	check_exit(run("exit", "0", NULL, NULL), 0, "exit 0");
	check_exit(run("exit", "1", NULL, NULL), 1, "exit 1");
	check_exit(run("exit", "42", NULL, NULL), 42, "exit 42");
}

/* Reads everything from @fd until EOF into @buf (NUL-terminated). */
static size_t read_all(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t got;

	while (n + 1 < size && (got = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)got;
	buf[n] = 0;
	return n;
}

/* Runs @mode with its stdout on a pipe; returns its pid, the output in @out. */
static pid_t run_piped(const char *mode, char *out, size_t size)
{
	posix_spawn_file_actions_t fa;
	int p[2];

	out[0] = 0;
	CHECK(pipe(p) == 0, "pipe: errno %d", errno);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	posix_spawn_file_actions_addclose(&fa, p[1]);
	pid_t pid = run(mode, "", &fa, NULL);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	read_all(p[0], out, size);
	close(p[0]);
	return pid;
}

static void test_file_actions(void)
{
	posix_spawn_file_actions_t fa;
	char buf[128], path[64];

	pid_t pid = run_piped("write", buf, sizeof(buf));
	check_exit(pid, 0, "write to a pipe");
	CHECK(!strcmp(buf, "hello from child\n"), "pipe got \"%s\"", buf);

	snprintf(path, sizeof(path), "/tmp/spawn-test-%d", (int)getpid());
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	check_exit(run("write", "", &fa, NULL), 0, "write to an opened file");
	posix_spawn_file_actions_destroy(&fa);
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "open %s: errno %d", path, errno);
	if (fd >= 0) {
		read_all(fd, buf, sizeof(buf));
		close(fd);
		CHECK(!strcmp(buf, "hello from child\n"), "file got \"%s\"", buf);
	}
	unlink(path);

	/* A descriptor closed by an action, and one marked close-on-exec, are gone in the child. */
	int open_fd = open("/", O_RDONLY), cloexec_fd = open("/", O_RDONLY | O_CLOEXEC);
	char num[16];
	CHECK(open_fd >= 0 && cloexec_fd >= 0, "open /: errno %d", errno);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addclose(&fa, open_fd);
	snprintf(num, sizeof(num), "%d", open_fd);
	check_exit(run("closed", num, &fa, NULL), 0, "closed by an action");
	posix_spawn_file_actions_destroy(&fa);
	snprintf(num, sizeof(num), "%d", cloexec_fd);
	check_exit(run("closed", num, NULL, NULL), 0, "close-on-exec");
	close(open_fd);
	close(cloexec_fd);

	/* A failing action fails the spawn or the child (127), as POSIX allows. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/no/such/dir/file", O_RDONLY, 0);
	char *argv[] = {(char *)self, "child", "exit", "0", NULL};
	int err = posix_spawn(&pid, self, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err == 0) {
		int st = wait_for(pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 127, "failed open action: status %#x", st);
	} else {
		CHECK(err == ENOENT, "failed open action: %s", strerror(err));
	}
}

static void test_ids(void)
{
	char buf[64];
	int cpid = 0, cppid = 0;
	pid_t pid = run_piped("ids", buf, sizeof(buf));

	check_exit(pid, 0, "ids");
	CHECK(sscanf(buf, "%d %d", &cpid, &cppid) == 2, "ids output \"%s\"", buf);
	CHECK(cpid == pid, "the child's getpid %d, posix_spawn said %d", cpid, (int)pid);
	CHECK(cppid == getpid(), "the child's getppid %d, the parent is %d", cppid, (int)getpid());
	CHECK(getpid() > 1 && getppid() >= 0, "getpid %d getppid %d", (int)getpid(), (int)getppid());

	/* The umask is inherited, as on Linux. */
	mode_t old = umask(0);
	pid = run_piped("umask", buf, sizeof(buf));
	check_exit(pid, 0, "umask");
	CHECK(!strcmp(buf, "000\n"), "the child's umask %s after umask(0)", buf);
	umask(0027);
	pid = run_piped("umask", buf, sizeof(buf));
	check_exit(pid, 0, "umask");
	CHECK(!strcmp(buf, "027\n"), "the child's umask %s after umask(027)", buf);
	umask(old);
}

static void test_waits(void)
{
	int st, codes = 0;
	pid_t pids[3];

	/* WNOHANG on a running child, then kill it. */
	pid_t pid = run("sleep", "", NULL, NULL);
	CHECK(waitpid(pid, &st, WNOHANG) == 0, "WNOHANG on a sleeping child");
	CHECK(kill(pid, 0) == 0, "kill(pid, 0): errno %d", errno);
	CHECK(kill(pid, SIGKILL) == 0, "kill SIGKILL: errno %d", errno);
	st = wait_for(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "SIGKILL: status %#x", st);
	pid = run("sleep", "", NULL, NULL);
	CHECK(kill(pid, SIGTERM) == 0, "kill SIGTERM: errno %d", errno);
	st = wait_for(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "SIGTERM: status %#x", st);
	CHECK(kill(pid, 0) == -1 && errno == ESRCH, "kill of a reaped child: errno %d", errno);
	CHECK(kill(getpid(), -1) == -1 && errno == EINVAL, "bad signal: errno %d", errno);

	/* waitpid(-1) takes each child once, whatever the order. */
	pids[0] = run("exit", "5", NULL, NULL);
	pids[1] = run("exit", "6", NULL, NULL);
	pids[2] = run("exit", "7", NULL, NULL);
	for (int i = 0; i < 3; i++) {
		pid_t got = waitpid(-1, &st, 0);
		int k = got == pids[0] ? 0 : got == pids[1] ? 1 : got == pids[2] ? 2 : -1;
		CHECK(k >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 5 + k, "waitpid(-1) = %d, status %#x",
		      (int)got, st);
		if (k >= 0)
			codes |= 1 << k;
	}
	CHECK(codes == 7, "children reaped: %#x", codes);
	CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD, "no children: errno %d", errno);
	CHECK(waitpid(-1, &st, 0) == -1 && errno == ECHILD, "no children, blocking: errno %d", errno);
	CHECK(waitpid(getpid(), &st, 0) == -1 && errno == ECHILD, "waiting for oneself: errno %d",
	      errno);

	pid = run("segv", "", NULL, NULL);
	st = wait_for(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "segfault: status %#x", st);
}

static void test_groups(void)
{
	posix_spawnattr_t attr;

	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	pid_t pid = run("pgrp", "", NULL, &attr);
	CHECK(getpgid(pid) == pid, "the child's group %d, not %d", (int)getpgid(pid), (int)pid);
	check_exit(pid, 0, "SETPGROUP 0");
	posix_spawnattr_destroy(&attr);

	/* Without it the child is in our group; a child that exec'd cannot be moved. */
	pid = run("sleep", "", NULL, NULL);
	CHECK(getpgid(pid) == getpgrp(), "the child's group %d, ours %d", (int)getpgid(pid),
	      (int)getpgrp());
	CHECK(getsid(pid) == getsid(0), "the child's session %d, ours %d", (int)getsid(pid),
	      (int)getsid(0));
	CHECK(setpgid(pid, pid) == -1 && errno == EACCES, "setpgid of a spawned child: errno %d",
	      errno);
	kill(pid, SIGKILL);
	wait_for(pid);
	CHECK(getpgid(-5) == -1 && errno == ESRCH, "getpgid(-5): errno %d", errno);
	CHECK(setpgid(0, -1) == -1 && errno == EINVAL, "setpgid(0, -1): errno %d", errno);
}

static void test_errors(void)
{
	char *argv[] = {"nothing", NULL};
	pid_t pid;
	int err = posix_spawn(&pid, "/no/such/program", NULL, NULL, argv, environ);

	CHECK(err == ENOENT, "a missing program: %s", strerror(err));
	err = posix_spawnp(&pid, "no-such-program-anywhere", NULL, NULL, argv, environ);
	CHECK(err == ENOENT, "a missing program in PATH: %s", strerror(err));
}

static void test_many(void)
{
	pid_t pids[MANY];
	int ok = 0, st;

	for (int i = 0; i < MANY; i++)
		pids[i] = run("exit", "0", NULL, NULL);
	for (int i = 0; i < MANY; i++)
		if (pids[i] > 0 && waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st) &&
		    WEXITSTATUS(st) == 0)
			ok++;
	CHECK(ok == MANY, "%d of %d children exited 0", ok, MANY);
	CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD, "children left over");
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "child"))
		return child(argc, argv);
	self = argv[0];
	if (self[0] != '/') {
		printf("spawn: FAIL: argv[0] \"%s\" is not an absolute path\n", self);
		return 1;
	}
	test_args_and_statuses();
	test_file_actions();
	test_ids();
	test_waits();
	test_groups();
	test_errors();
	test_many();
	printf("spawn: %d failures\n", failures);
	return failures;
}
