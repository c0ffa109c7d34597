/*
 * /sbin/init with the test set of service definitions (tests/init/services/,
 * /etc/init-test/ in the initrd), started as pid 1 with -o: it exits once
 * every service has ended for good. Its services check the status table,
 * the control capability and orphans; then /libexec/initcheck checks the
 * log: dependency order, restarts up to the limit, the missing dependency,
 * the cycle, the bad definition.
 */
#include "../../../../roottask/posix.h"
#include "../../../../roottask/utest.h"

static int64_t run(const char *const argv[], const char *const envp[], int *wstatus)
{
	int64_t pid = posix_spawn_console(argv[0], argv, envp);

	return pid < 0 ? pid : posix_wait(pid, wstatus);
}

UTEST_POSIX(init_services)
{
	const char *const argv[] = {
	    "/sbin/init", "-d", "/etc/init-test", "-l", "/tmp/init-test.log", "-o", NULL};
	const char *const check[] = {"/libexec/initcheck", "log", "/tmp/init-test.log", NULL};
	const char *const envp[] = {"PATH=/bin:/sbin", NULL};
	int wstatus = -1;

	UCHECK(posix_proc, "the proc server did not start");
	int64_t pid = posix_spawn_init(argv[0], argv, envp);
	UCHECK(pid == 1, "init started as pid %ld, want 1", (long)pid);
	/* Pid 1 is taken until init has ended and been waited for: a second init is refused
	 * (EPERM). */
	UCHECK(posix_spawn_init(argv[0], argv, envp) == -1, "a second init was started");
	int64_t got = posix_wait(1, &wstatus);
	UCHECK(got == 1 && wstatus == 0, "init: wait %ld, wait status %#x", (long)got, wstatus);
	wstatus = -1;
	got = run(check, envp, &wstatus);
	UCHECK(got > 1 && wstatus == 0, "initcheck log: %ld, wait status %#x", (long)got, wstatus);
	return NULL;
}
