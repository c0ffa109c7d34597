/*
 * fork, execve and waitpid. The program execs itself (argv[0] is its
 * absolute path, on Linux and on VeridianOS) with "exec <mode> ..." to act
 * as the exec'd program. Exits with the number of failed checks; each
 * failure is printed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 30

extern char **environ;
static const char *self;
static int global = 1;

#define TEST_NAME "fork"
#include "check.h"
#include "child.h"

/* ---- the exec'd program's side: "exec <mode> <args>" ---- */

static int exec_child(int argc, char **argv)
{
	const char *mode = argv[2];

	if (argc < 4)
		return 101;
	if (!strcmp(mode, "status"))
		return atoi(argv[3]);
	if (!strcmp(mode, "fds") && argc >= 5) {
		/* argv[3]: a pipe's write end to report on; argv[4]: a close-on-exec fd that must be gone. */
		int out = atoi(argv[3]), gone = atoi(argv[4]);
		char line[64];
		int n = snprintf(line, sizeof(line), "%d %d\n", (int)getpid(),
				 fcntl(gone, F_GETFD) == -1 && errno == EBADF);
		return write(out, line, (size_t)n) == n ? 0 : 3;
	}
	return 100;
}

/* ---- the tests ---- */

static void test_ids_and_memory(void)
{
	pid_t parent = getpid();
	char *buf = malloc(64);

	strcpy(buf, "parent");
	global = 1;
	pid_t pid = fork();
	CHECK(pid >= 0, "fork: errno %d", errno);
	if (pid == 0) {
		/* Checks in the child come back as exit codes: its stdout is a copy of ours. */
		int code = 0;
		if (getppid() != parent)
			code = 2;
		else if (getpid() == parent)
			code = 3;
		else if (global != 1 || strcmp(buf, "parent"))
			code = 4;
		global = 2;
		strcpy(buf, "child");
		_exit(code);
	}
	global = 3;
	int st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's checks: status %#x", st);
	CHECK(global == 3 && !strcmp(buf, "parent"), "the parent's memory changed: %d \"%s\"", global,
	      buf);
	CHECK(pid != parent, "fork returned our own pid");
	free(buf);
}

static void test_fds(void)
{
	int p[2];
	char buf[64] = "";

	CHECK(pipe(p) == 0, "pipe: errno %d", errno);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(write(p[1], "from the child", 14) == 14 ? 0 : 1);
	}
	close(p[1]);
	size_t n = 0;
	ssize_t got;
	while (n < sizeof(buf) - 1 && (got = read(p[0], buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)got;
	buf[n] = 0;
	close(p[0]);
	CHECK(!strcmp(buf, "from the child"), "the pipe gave \"%s\"", buf);
	check_exit(pid, 0, "pipe writer");

	/* The open file, and so its offset, is shared. */
	char path[64];
	snprintf(path, sizeof(path), "/tmp/fork-test-%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0, "open %s: errno %d", path, errno);
	pid = fork();
	if (pid == 0)
		_exit(write(fd, "abc", 3) == 3 ? 0 : 1);
	check_exit(pid, 0, "file writer");
	CHECK(lseek(fd, 0, SEEK_CUR) == 3, "the offset after the child's write: %ld",
	      (long)lseek(fd, 0, SEEK_CUR));
	CHECK(write(fd, "de", 2) == 2, "write: errno %d", errno);
	CHECK(pread(fd, buf, 5, 0) == 5 && !memcmp(buf, "abcde", 5), "the file holds \"%.5s\"", buf);
	close(fd);
	unlink(path);
}

static void test_exec(void)
{
	int p[2], cloexec_fd = open("/", O_RDONLY | O_CLOEXEC);
	char out[16], gone[16], buf[64] = "";

	CHECK(cloexec_fd >= 0, "open /: errno %d", errno);
	CHECK(pipe(p) == 0, "pipe: errno %d", errno);
	pid_t pid = fork();
	if (pid == 0) {
		snprintf(out, sizeof(out), "%d", p[1]);
		snprintf(gone, sizeof(gone), "%d", cloexec_fd);
		char *argv[] = {(char *)self, "exec", "fds", out, gone, NULL};
		execve(self, argv, environ);
		_exit(99);
	}
	close(p[1]);
	CHECK(read(p[0], buf, sizeof(buf) - 1) > 0, "read from the exec'd child: errno %d", errno);
	close(p[0]);
	close(cloexec_fd);
	int cpid = 0, closed = 0;
	CHECK(sscanf(buf, "%d %d", &cpid, &closed) == 2, "exec'd child said \"%s\"", buf);
	CHECK(cpid == pid, "the exec'd child's pid %d, fork said %d", cpid, (int)pid);
	CHECK(closed == 1, "a close-on-exec fd survived execve");
	check_exit(pid, 0, "exec'd child");

	pid = fork();
	if (pid == 0) {
		char *argv[] = {(char *)self, "exec", "status", "7", NULL};
		execve(self, argv, environ);
		_exit(99);
	}
	check_exit(pid, 7, "exec'd exit status");

	/* A failed execve returns, and the process goes on. */
	char *argv[] = {"nothing", NULL};
	errno = 0;
	CHECK(execve("/no/such/program", argv, environ) == -1 && errno == ENOENT,
	      "execve of a missing file: errno %d", errno);
	pid = fork();
	if (pid == 0) {
		execve("/no/such/program", argv, environ);
		_exit(errno == ENOENT ? 5 : 6);
	}
	check_exit(pid, 5, "failed execve in a child");
}

static void test_signals(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* An address from outside the compiler's view, so it cannot reason about it. */
		volatile uintptr_t bad = 8;
		*(volatile int *)bad = 1;
		_exit(1);
	}
	int st = wait_for(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "segfault: status %#x", st);

	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK(kill(pid, SIGKILL) == 0, "kill: errno %d", errno);
	st = wait_for(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "SIGKILL: status %#x", st);
}

static void test_rounds(void)
{
	int ok = 0, st;

	for (int i = 0; i < ROUNDS; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(i & 0x7f);
		if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == (i & 0x7f))
			ok++;
	}
	CHECK(ok == ROUNDS, "%d of %d fork/exit/wait rounds", ok, ROUNDS);
	CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD, "children left over");
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "exec"))
		return exec_child(argc, argv);
	self = argv[0];
	if (self[0] != '/') {
		printf("fork: FAIL: argv[0] \"%s\" is not an absolute path\n", self);
		return 1;
	}
	/* Nothing buffered may be copied into a child (it would print twice). */
	setvbuf(stdout, NULL, _IONBF, 0);
	test_ids_and_memory();
	test_fds();
	test_exec();
	test_signals();
	test_rounds();
	printf("fork: %d failures\n", failures);
	return failures;
}
