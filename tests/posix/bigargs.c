/*
 * Large argument lists and environments through posix_spawn and execve:
 * 100 KiB of environment and 2000 arguments reach the new program whole
 * (each string checked there), and one far beyond any limit (8 MiB) is
 * E2BIG with the caller going on. Runs itself as the child ("child" as
 * argv[1]). Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "bigargs"
#include "check.h"

#define NARGS 2000
#define NENV 1000
#define ENV_LEN 100	/* bytes of each variable, NUL included: 100 KiB in all */

extern char **environ;

static void make_arg(char *buf, int i)
{
	snprintf(buf, 16, "arg%d", i);
}

static void make_env(char *buf, int i)
{
	int n = snprintf(buf, ENV_LEN, "BIGARGS_%04d=", i);
	for (; n < ENV_LEN - 1; n++)
		buf[n] = (char)('a' + (i + n) % 26);
	buf[ENV_LEN - 1] = 0;
}

/* The child: every argument and variable as the parent made them. */
static int child(int argc, char **argv)
{
	char want[ENV_LEN];
	int bad = 0, found = 0;

	if (argc != NARGS + 2)
		return 10;
	for (int i = 0; i < NARGS; i++) {
		make_arg(want, i);
		bad += strcmp(argv[i + 2], want) != 0;
	}
	for (char **e = environ; *e; e++) {
		int i;
		if (sscanf(*e, "BIGARGS_%04d=", &i) != 1 || i < 0 || i >= NENV)
			continue;
		make_env(want, i);
		bad += strcmp(*e, want) != 0;
		found++;
	}
	return bad ? 11 : found != NENV ? 12 : 0;
}

static char **args, **env;

static void build(const char *self)
{
	args = calloc(NARGS + 3, sizeof(char *));
	env = calloc(NENV + 2, sizeof(char *));
	args[0] = (char *)self;
	args[1] = "child";
	for (int i = 0; i < NARGS; i++) {
		args[i + 2] = malloc(16);
		make_arg(args[i + 2], i);
	}
	for (int i = 0; i < NENV; i++) {
		env[i] = malloc(ENV_LEN);
		make_env(env[i], i);
	}
	env[NENV] = "PATH=/bin:/test";
}

static int status_of(pid_t pid)
{
	int status = 0;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + (status & 0x7f);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child"))
		return child(argc, argv);
	build(argv[0]);

	pid_t pid;
	int err = posix_spawn(&pid, argv[0], NULL, NULL, args, env);
	CHECK(err == 0, "posix_spawn with 100 KiB of environment: %d", err);
	if (!err)
		CHECK(status_of(pid) == 0, "the spawned child saw every string");

	pid = fork();
	if (pid == 0) {
		execve(argv[0], args, env);
		_exit(20 + errno);
	}
	int st = status_of(pid);
	CHECK(st == 0, "execve with 100 KiB of environment: status %d", st);

	/* 8 MiB of environment: 128 times the same 64 KiB string. */
	char *huge = malloc(64 * 1024), **henv = calloc(129, sizeof(char *));
	memset(huge, 'x', 64 * 1024 - 1);
	memcpy(huge, "HUGE=", 5);
	huge[64 * 1024 - 1] = 0;
	for (int i = 0; i < 128; i++)
		henv[i] = huge;
	err = posix_spawn(&pid, argv[0], NULL, NULL, args, henv);
	CHECK(err == E2BIG, "posix_spawn with 8 MiB of environment: E2BIG (%d)", err);
	if (!err)
		status_of(pid);
	errno = 0;
	CHECK(execve(argv[0], args, henv) == -1 && errno == E2BIG, "execve with 8 MiB: E2BIG");

	/* Still the small way after that. */
	char *small_args[] = {argv[0], "child", NULL}, *small_env[] = {"A=1", NULL};
	err = posix_spawn(&pid, argv[0], NULL, NULL, small_args, small_env);
	CHECK(err == 0 && status_of(pid) == 10, "a small spawn after the failed ones");
	printf("bigargs: %s (%d failed)\n", failures ? "FAIL" : "PASS", failures);
	return failures;
}
