/*
 * Children of the tests/posix programs: waiting for one and checking how it
 * ended, and running part of a test in a child (its own session, group or
 * signal state) with its failures added to the parent's. Include after
 * check.h.
 */
#pragma once

#include <sys/types.h>
#include <sys/wait.h>

/* Waits for @pid; returns its wait status, or -1. */
static inline int wait_for(pid_t pid)
{
	int st = 0;
	pid_t got = waitpid(pid, &st, 0);

	CHECK(got == pid, "waitpid(%d) = %d (errno %d)", (int)pid, (int)got, errno);
	return got == pid ? st : -1;
}

/* Checks that @pid (a failed spawn when <= 0) exited with @code. */
static inline void check_exit(pid_t pid, int code, const char *what)
{
	int st = pid > 0 ? wait_for(pid) : -1;

	CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == code, "%s: status %#x, wanted exit %d",
	      what, st, code);
}

/* Runs @fn in a child and adds its failures to ours. */
static inline void in_child(void (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		failures = 0;
		fn();
		fflush(stdout);
		_exit(failures > 100 ? 100 : failures);
	}
	CHECK(pid > 0, "fork");
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status), "child status %x", status);
	failures += WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
