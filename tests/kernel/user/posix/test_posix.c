/*
 * Runs the POSIX test programs (tests/posix/, C programs linked against musl
 * and the translation layer with tools/cc), which the initrd carries under
 * /test/, through the proc server (PROC_SPAWN with fds 0-2 on /dev/console,
 * then PROC_WAIT): each must exit with status 0. A program's own checks
 * print on the console.
 */
#include "../../../../roottask/posix.h"
#include "../../../../roottask/utest.h"

static int64_t run(const char *name)
{
	char path[128];

	vr_snprintf(path, sizeof(path), "/test/%s", name);
	const char *const argv[] = {path, "veridian", NULL};
	const char *const envp[] = {"VERIDIAN_TEST=posix", "PATH=/bin:/test", NULL};
	int64_t pid = posix_spawn_console(path, argv, envp);
	int wstatus = 0;

	if (pid < 0)
		return pid;
	int64_t got = posix_wait(pid, &wstatus);
	if (got != pid)
		return got < 0 ? got : -VR_ESRCH;
	/* The exit code, or minus 1000 minus the signal that ended it. */
	return (wstatus & 0x7f) ? -1000 - (wstatus & 0x7f) : (wstatus >> 8) & 0xff;
}

UTEST_POSIX(posix_programs)
{
	size_t size = (size_t)(initrd_end - initrd_start), off = 0;
	struct cpio_entry e;
	int n = 0;

	UCHECK(posix_vfs_admin, "the vfs server did not start");
	UCHECK(posix_proc, "the proc server did not start");
	while (cpio_next(initrd_start, size, &off, &e) == CPIO_ENTRY) {
		if (strncmp(e.name, "test/", 5) || !e.name[5] || (e.mode & 0170000) != 0100000)
			continue;
		int64_t status = run(e.name + 5);
		vr_printf("posix: %s exited with status %ld (%lu frames free)\n", e.name + 5, status,
			  info(INFO_FREE_FRAMES));
		UCHECK(status == 0, "POSIX program %s: status %ld", e.name + 5, status);
		n++;
	}
	UCHECK(n > 0, "no POSIX programs");
	int wstatus;
	UCHECK(posix_wait(-1, &wstatus) == -10, "the root task has children left");
	return NULL;
}
