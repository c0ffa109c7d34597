/*
 * The shell and the core utilities (busybox's ash on VeridianOS, /bin/sh on
 * Linux): scripts run with sh -c through posix_spawn, their output read from
 * a pipe and compared. Exits with the number of failed checks.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define TEST_NAME "shell"
#include "check.h"

/* Runs @script with /bin/sh -c; returns its wait status, its output in @out. */
static int run(const char *script, char *out, size_t size)
{
	int fds[2], status = -1;
	pid_t pid;
	posix_spawn_file_actions_t fa;
	char *argv[] = {"sh", "-c", (char *)script, NULL};
	size_t n = 0;

	out[0] = 0;
	if (pipe(fds))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	int err = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (err) {
		close(fds[0]);
		errno = err;
		return -1;
	}
	for (ssize_t r; n + 1 < size && (r = read(fds[0], out + n, size - 1 - n)) > 0;)
		n += (size_t)r;
	out[n] = 0;
	close(fds[0]);
	waitpid(pid, &status, 0);
	return status;
}

static void expect(const char *script, const char *want, int want_code)
{
	char out[4096];
	int status = run(script, out, sizeof(out));

	CHECK(status != -1, "%s: spawn failed: errno %d", script, errno);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == want_code,
	      "%s: status %#x, wanted exit %d", script, status, want_code);
	CHECK(strcmp(out, want) == 0, "%s: output \"%s\", wanted \"%s\"", script, out, want);
}

int main(void)
{
	expect("echo hello", "hello\n", 0);
	expect("exit 3", "", 3);
	expect("x=4; echo $((x * 10 + 2))", "42\n", 0);
	expect("for i in 1 2 3; do printf '%s-' $i; done; echo", "1-2-3-\n", 0);
	expect("echo hello world | tr a-z A-Z", "HELLO WORLD\n", 0);
	expect("printf 'b\\na\\nc\\n' | sort | head -n 2", "a\nb\n", 0);
	expect("d=$(mktemp -d 2>/dev/null || echo /tmp/shell.$$); mkdir -p $d && cd $d && "
	       "echo one > f && echo two >> f && cat f | wc -l && ls && rm f && cd / && rmdir $d",
	       "2\nf\n", 0);
	expect("false || echo ran", "ran\n", 0);
	expect("test -d /tmp && echo dir", "dir\n", 0);
	expect("sleep 0 & wait; echo waited", "waited\n", 0);
	expect("echo $(echo nested)", "nested\n", 0);
	expect("missing-command-xyz 2>/dev/null; echo $?", "127\n", 0);
	/* ps lists the shell and its background child (busybox's reads /proc; Linux's too). */
	expect("sleep 30 & p=$!; ps | grep -c -e \"^ *$p \" -e \"^ *$$ \"; kill $p", "2\n", 0);
	printf("shell: %d failure%s\n", failures, failures == 1 ? "" : "s");
	return failures > 100 ? 100 : failures;
}
