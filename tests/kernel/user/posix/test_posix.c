/*
 * Runs the POSIX test programs (tests/posix/, C programs linked against musl
 * and the translation layer with tools/cc), which the initrd carries under
 * /test/: each must exit with status 0. A program's own checks print on the
 * console. Until the proc server spawns them, the root task does: each gets
 * a vfs session of its own (VFS_SESSION_NEW with the admin capability) and a
 * start block (VR_AT_START) that opens /dev/console as fds 0, 1 and 2.
 */
#include <veridian/auxv.h>

#include "../../../../posix/proto/proc.h"
#include "../../../../posix/proto/vfs.h"
#include "../../../../roottask/posix.h"
#include "../../../../roottask/utest.h"

/* The start block: no inherited fds; open the console as 0 and 1, dup 1 to 2. */
struct console_start {
	struct proc_start head;
	struct proc_action act[3];
	char paths[32];
};

static int64_t session_new(handle_t *cap, uint64_t *number)
{
	uint64_t msg[8] = {VR_TAG(VFS_SESSION_NEW, 3), 0, 0, 0};
	int64_t err = vr_ipc_call(posix_vfs_admin, msg);

	if (err)
		return err;
	if ((int64_t)msg[1] < 0)
		return (int64_t)msg[1];
	*number = msg[1];
	*cap = msg[3];
	return 0;
}

static void session_end(uint64_t number)
{
	uint64_t msg[8] = {VR_TAG(VFS_SESSION_END, 1), number};

	vr_ipc_call(posix_vfs_admin, msg);
}

static int64_t run(const char *name, const struct cpio_entry *e)
{
	const char *const argv[] = {name, "veridian", NULL};
	const char *const envp[] = {"VERIDIAN_TEST=posix", "PATH=/bin", NULL};
	struct console_start st = {
		.head = {.pid = 0, .nfds = 0, .nactions = 3},
		.act = {{PROC_ACT_OPEN, 0, 0, 0 /* O_RDONLY */, 0},
			{PROC_ACT_OPEN, 0, 1, 1 /* O_WRONLY */, 0},
			{PROC_ACT_DUP2, 1, 2, 0, 0}},
		.paths = "/dev/console\0/dev/console",
	};
	struct vr_image img;
	handle_t process, cap;
	uint64_t number;
	int64_t err = session_new(&cap, &number);

	if (err)
		return err;
	const struct vr_exec_handle handles[] = {
		{VR_AT_VFS, cap, VR_RIGHT_SEND | VR_RIGHT_DUPLICATE | VR_RIGHT_TRANSFER},
	};
	const struct vr_exec_args args = {
		.argv = argv, .envp = envp, .handles = handles, .nhandles = 1,
		.blob = &st, .blob_len = sizeof(st), .blob_key = VR_AT_START,
	};
	if (!(err = posix_image(e, &img))) {
		err = vr_exec_with(&img, &args, &process);
		vr_handle_close(img.vmo);
	}
	vr_handle_close(cap);
	if (!err)
		err = reap(process);
	session_end(number);
	return err;
}

UTEST(posix_programs)
{
	size_t size = (size_t)(initrd_end - initrd_start), off = 0;
	struct cpio_entry e;
	int n = 0;

	UCHECK(posix_vfs_admin, "the vfs server did not start");
	while (cpio_next(initrd_start, size, &off, &e) == CPIO_ENTRY) {
		if (strncmp(e.name, "test/", 5) || !e.name[5] || (e.mode & 0170000) != 0100000)
			continue;
		int64_t status = run(e.name + 5, &e);
		vr_printf("posix: %s exited with status %ld\n", e.name + 5, status);
		UCHECK(status == 0, "POSIX program %s: status %ld", e.name + 5, status);
		n++;
	}
	UCHECK(n > 0, "no POSIX programs");
	return NULL;
}
