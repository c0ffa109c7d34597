/*
 * Scripts: execve and posix_spawn of a file whose first line is
 * "#!interpreter [argument]" run the interpreter with argv interpreter,
 * [argument,] the script's path, then the script's own argv[1]... (as Linux
 * does). The interpreter here is this program itself (argv[0] is its absolute
 * path, on Linux and on VeridianOS), started as "<self> show... <script> ...":
 * it writes its arguments to stdout, which the parent reads from a pipe. Exits
 * with the number of failed checks; each failure is printed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static const char *self;
static char dir[64];

#define TEST_NAME "scripts"
#include "check.h"

/* Writes the file @name in the test's directory with @text, mode @mode; returns its path. */
static const char *script(const char *name, const char *text, mode_t mode)
{
	static char paths[8][128];
	static int next;
	char *path = paths[next++ % 8];

	snprintf(path, 128, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "create %s: %s", path, strerror(errno));
	if (fd < 0)
		return path;
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write %s", path);
	close(fd);
	CHECK(chmod(path, mode) == 0, "chmod %s: %s", path, strerror(errno));
	return path;
}

/*
 * Runs @path with @argv, by execve in a fork (@use_spawn false) or by
 * posix_spawn; puts what it wrote in @out. Returns its exit status, or
 * -errno when it did not start (execve's error comes back as the child's
 * exit status 100 + errno).
 */
static int run(bool use_spawn, const char *path, char *const argv[], char *out, size_t size)
{
	int p[2], status = 0;
	pid_t pid;

	out[0] = 0;
	if (pipe(p))
		return -1000;
	if (use_spawn) {
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, p[1], 1);
		posix_spawn_file_actions_addclose(&fa, p[0]);
		int err = posix_spawn(&pid, path, &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
		if (err) {
			close(p[0]);
			close(p[1]);
			return -err;
		}
	} else {
		pid = fork();
		if (pid == 0) {
			dup2(p[1], 1);
			close(p[0]);
			execve(path, argv, environ);
			_exit(100 + errno);
		}
	}
	close(p[1]);
	size_t got = 0;
	ssize_t n;
	while (got + 1 < size && (n = read(p[0], out + got, size - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = 0;
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1001;
	if (!WIFEXITED(status))
		return -1002;
	if (!use_spawn && WEXITSTATUS(status) >= 100)
		return -(WEXITSTATUS(status) - 100);
	return WEXITSTATUS(status);
}

static void check_both(const char *what, const char *path, char *const argv[], int want_status,
		       const char *want_out)
{
	char out[512];

	for (int s = 0; s < 2; s++) {
		int st = run(s, path, argv, out, sizeof(out));
		CHECK(st == want_status, "%s (%s): status %d, want %d", what,
		      s ? "posix_spawn" : "execve", st, want_status);
		if (want_out)
			CHECK(!strcmp(out, want_out), "%s (%s): wrote \"%s\", want \"%s\"", what,
			      s ? "posix_spawn" : "execve", out, want_out);
	}
}

int main(int argc, char **argv)
{
	char text[256], want[512];

	/* The interpreter's side: its command name (/proc/self/comm)... */
	if (argc >= 2 && !strcmp(argv[1], "comm")) {
		FILE *f = fopen("/proc/self/comm", "r");
		if (!f || !fgets(text, sizeof(text), f))
			return 9;
		printf("%s", text);
		return 7;
	}
	/* ... or its arguments, one per line. */
	if (argc >= 2 && !strncmp(argv[1], "show", 4)) {
		for (int i = 1; i < argc; i++)
			printf("%s\n", argv[i]);
		return 7;
	}
	self = argv[0];
	snprintf(dir, sizeof(dir), "/tmp/scripts.XXXXXX");
	if (!mkdtemp(dir)) {
		printf("scripts: FAIL mkdtemp: %s\n", strerror(errno));
		return 1;
	}

	/* One argument after the interpreter; the script's own arguments follow its path. */
	snprintf(text, sizeof(text), "#!%s show\necho not a shell script\n", self);
	const char *one = script("one", text, 0755);
	char *const a1[] = {"ignored-argv0", "a", "b c", NULL};
	snprintf(want, sizeof(want), "show\n%s\na\nb c\n", one);
	check_both("#!interp arg", one, a1, 7, want);

	/* Blanks around the interpreter; the rest of the line (trailing blanks cut) is one argument. */
	snprintf(text, sizeof(text), "#! \t%s   show  x  y \t\n", self);
	const char *two = script("two", text, 0755);
	char *const a2[] = {"two", NULL};
	snprintf(want, sizeof(want), "show  x  y\n%s\n", two);
	check_both("#! interp 'arg with blanks'", two, a2, 7, want);

	/* The interpreter is a script itself: its own interpreter comes first. */
	snprintf(text, sizeof(text), "#!%s nested\n", one);
	const char *nested = script("nested", text, 0755);
	char *const a3[] = {"nested", "z", NULL};
	snprintf(want, sizeof(want), "show\n%s\nnested\n%s\nz\n", one, nested);
	check_both("nested interpreter", nested, a3, 7, want);

	/* A missing interpreter is ENOENT; a script that is its own interpreter ends in ELOOP. */
	const char *missing = script("missing", "#!/no/such/interpreter\n", 0755);
	char *const a4[] = {"missing", NULL};
	check_both("missing interpreter", missing, a4, -ENOENT, NULL);
	char loop_text[160];
	snprintf(loop_text, sizeof(loop_text), "#!%s/loop\n", dir);
	const char *loop = script("loop", loop_text, 0755);
	check_both("script as its own interpreter", loop, a4, -ELOOP, NULL);

	/* The command name is the script's, as on Linux; through a nested interpreter too. */
	snprintf(text, sizeof(text), "#!%s comm\n", self);
	const char *named = script("named-script", text, 0755);
	check_both("command name", named, a4, 7, "named-script\n");
	snprintf(text, sizeof(text), "#!%s\n", named);
	const char *outer = script("outer-script", text, 0755);
	check_both("command name, nested", outer, a4, 7, "outer-script\n");

	/* Neither a program nor a script: ENOEXEC. Not executable: EACCES. */
	const char *plain = script("plain", "echo hello\n", 0755);
	check_both("no #! line", plain, a4, -ENOEXEC, NULL);
	const char *noexec = script("noexec", text, 0644);
	check_both("not executable", noexec, a4, -EACCES, NULL);
	/* Not a regular file: EACCES, a directory too (ash's "./" is 126, Permission denied). */
	check_both("a directory", dir, a4, -EACCES, NULL);
	check_both("an empty path", "", a4, -ENOENT, NULL);

	const char *names[] = {"one",  "two",	 "nested",	 "missing",	 "loop",
			       "plain", "noexec", "named-script", "outer-script"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(text, sizeof(text), "%s/%s", dir, names[i]);
		unlink(text);
	}
	CHECK(rmdir(dir) == 0, "rmdir %s: %s", dir, strerror(errno));
	if (!failures)
		printf("scripts: all checks passed\n");
	return failures;
}
