/*
 * Starting the POSIX servers. The root task holds the initrd (embedded in its
 * image, see roottask/build.mk) and starts /sbin/vfs from it, giving it the
 * initrd as a VMO (VR_AT_INITRD) and an endpoint to serve (VR_AT_VFS_SERVE).
 * The root task creates that endpoint and mints the admin capability
 * (VFS_BADGE_ADMIN) for itself before handing the unbadged one over, so no
 * handshake is needed; the endpoint belongs to the root task, which never
 * exits. The proc server, once it exists, is started the same way with the
 * admin capability.
 */
#include <veridian/auxv.h>

#include "../posix/proto/proc.h"
#include "../posix/proto/vfs.h"
#include "posix.h"

handle_t posix_vfs_admin, posix_proc;
extern struct rootinfo *root_info;

int64_t posix_image(const struct cpio_entry *e, struct vr_image *img)
{
	int64_t err = vr_vmo_create(e->size, 0, &img->vmo);

	img->size = e->size;
	if (!err && (err = vr_vmo_write(img->vmo, e->data, 0, e->size)))
		vr_handle_close(img->vmo);
	return err;
}

static int64_t proc_boot(void);

int64_t posix_boot(void)
{
	size_t size = (size_t)(initrd_end - initrd_start);
	struct cpio_entry e;
	struct vr_image img;
	handle_t initrd, ep, process;
	int64_t err;

	if (cpio_find(initrd_start, size, "sbin/vfs", &e) != CPIO_ENTRY) {
		vr_printf("posix: no /sbin/vfs in the initrd\n");
		return -VR_ENOENT;
	}
	if ((err = vr_vmo_create(size, 0, &initrd)))
		goto err_out;
	if ((err = vr_vmo_write(initrd, initrd_start, 0, size)))
		goto err_initrd;
	if ((err = posix_image(&e, &img)))
		goto err_initrd;
	if ((err = vr_endpoint_create(&ep)))
		goto err_image;
	if ((err = vr_endpoint_mint(ep, VFS_BADGE_ADMIN,
				    VR_RIGHT_SEND | VR_RIGHT_GRANT | VR_RIGHT_DUPLICATE | VR_RIGHT_TRANSFER,
				    &posix_vfs_admin)))
		goto err_ep;
	const char *const argv[] = {"vfs", NULL};
	const struct vr_exec_handle handles[] = {
		{VR_AT_VFS_SERVE, ep,
		 VR_RIGHT_RECV | VR_RIGHT_SEND | VR_RIGHT_GRANT | VR_RIGHT_DUPLICATE | VR_RIGHT_TRANSFER},
		{VR_AT_INITRD, initrd, VR_RIGHT_READ | VR_RIGHT_MAP},
	};
	const struct vr_exec_args args = {.argv = argv, .handles = handles, .nhandles = 2};
	if ((err = vr_exec_with(&img, &args, &process))) {
		vr_handle_close(posix_vfs_admin);
		posix_vfs_admin = 0;
		goto err_ep;
	}
	vr_handle_close(process);
err_ep:
	vr_handle_close(ep);
err_image:
	vr_handle_close(img.vmo);
err_initrd:
	vr_handle_close(initrd);
err_out:
	if (err) {
		vr_printf("posix: starting /sbin/vfs failed: %ld\n", err);
		return err;
	}
	return proc_boot();
}

/*
 * Starts /sbin/proc the same way: an endpoint of the root task's making,
 * given unbadged (it mints its processes' capabilities from it), with the
 * vfs admin capability; the root task keeps only a PROC_BADGE_ROOT one.
 */
static int64_t proc_boot(void)
{
	struct cpio_entry e;
	struct vr_image img;
	handle_t ep, process;
	int64_t err;

	if (cpio_find(initrd_start, (size_t)(initrd_end - initrd_start), "sbin/proc", &e) !=
	    CPIO_ENTRY) {
		vr_printf("posix: no /sbin/proc in the initrd\n");
		return -VR_ENOENT;
	}
	if ((err = posix_image(&e, &img)))
		goto err_out;
	if ((err = vr_endpoint_create(&ep)))
		goto err_image;
	if ((err = vr_endpoint_mint(ep, PROC_BADGE_ROOT, VR_RIGHT_SEND | VR_RIGHT_GRANT, &posix_proc)))
		goto err_ep;
	const char *const argv[] = {"proc", NULL};
	const struct vr_exec_handle handles[] = {
		/* GRANT: its processes' capabilities carry the VMO of a long spawn request. */
		{VR_AT_PROC_SERVE, ep,
		 VR_RIGHT_RECV | VR_RIGHT_SEND | VR_RIGHT_GRANT | VR_RIGHT_DUPLICATE | VR_RIGHT_TRANSFER},
		{VR_AT_VFS_ADMIN, posix_vfs_admin,
		 VR_RIGHT_SEND | VR_RIGHT_GRANT | VR_RIGHT_DUPLICATE | VR_RIGHT_TRANSFER},
	};
	const struct vr_exec_args args = {.argv = argv, .handles = handles, .nhandles = 2};
	if ((err = vr_exec_with(&img, &args, &process))) {
		vr_handle_close(posix_proc);
		posix_proc = 0;
		goto err_ep;
	}
	vr_handle_close(process);
err_ep:
	vr_handle_close(ep);
err_image:
	vr_handle_close(img.vmo);
err_out:
	if (err)
		vr_printf("posix: starting /sbin/proc failed: %ld\n", err);
	return err;
}

/* The root task's IPC buffer for requests with a long part (set again each time: tests set their own). */
static void *ipc_buffer(void)
{
	static void *buffer;

	if (!buffer)
		buffer = vr_map_anon(VR_PAGE, VR_PROT_READ | VR_PROT_WRITE);
	if (buffer && vr_ipc_buffer_set((uint64_t)(uintptr_t)buffer))
		return NULL;
	return buffer;
}

/* Appends the string @s at *at of @buf (PROC_SPAWN_MAX bytes); false when full. */
static bool put_string(char *buf, size_t *at, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > PROC_SPAWN_MAX - *at)
		return false;
	memcpy(buf + *at, s, n);
	*at += n;
	return true;
}

#define O_NOCTTY_LINUX 0400

/*
 * Spawns @path with fds 0-2 on the console; with PROC_SPAWN_INIT it is init,
 * which gets the root resource as its device resource: its handle 0, named
 * by INIT_HANDLES=devices (posix/init/devices.c), given with MANAGE,
 * DUPLICATE and TRANSFER (it hands copies and parts to its services).
 */
static int64_t spawn_console(const char *path, const char *const argv[], const char *const envp[],
			     uint32_t flags)
{
	bool init = flags & PROC_SPAWN_INIT;
	char *buf = ipc_buffer();
	struct proc_spawn h = {.flags = flags, .umask = 022};
	/*
	 * fds 0 and 1 opened on the console, 2 a copy of 1: O_RDONLY and O_WRONLY
	 * are 0 and 1. With O_NOCTTY (Linux's 0400 on all three architectures):
	 * the console is left for the session of the shell init starts.
	 */
	const struct proc_action act[] = {
		{PROC_ACT_OPEN, -1, 0, 0 | O_NOCTTY_LINUX, 0},
		{PROC_ACT_OPEN, -1, 1, 1 | O_NOCTTY_LINUX, 0},
		{PROC_ACT_DUP2, 1, 2, 0, 0},
	};
	unsigned nact = 3;
	size_t at = sizeof(h) + nact * sizeof(act[0]);
	bool ok = buf && put_string(buf, &at, path);

	if (!posix_proc)
		return -VR_ENOSYS;
	for (; ok && argv && argv[h.argc]; h.argc++)
		ok = put_string(buf, &at, argv[h.argc]);
	for (; ok && envp && envp[h.envc]; h.envc++)
		ok = put_string(buf, &at, envp[h.envc]);
	if (init) {
		ok = ok && put_string(buf, &at, "INIT_HANDLES=devices");
		h.envc++;
		h.nhandles = 1;
		h.handle_rights[0] = VR_RIGHT_MANAGE | VR_RIGHT_DUPLICATE | VR_RIGHT_TRANSFER;
	}
	ok = ok && put_string(buf, &at, "/dev/console") && put_string(buf, &at, "/dev/console");
	if (!ok)
		return buf ? -VR_ERANGE : -VR_ENOMEM;
	h.nactions = nact;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), act, nact * sizeof(act[0]));
	uint64_t m[8] = {VR_TAG(PROC_SPAWN, h.nhandles) | VR_TAG_CAPS(h.nhandles) | VR_TAG_LONG(at),
			 root_info->resource};
	int64_t err = vr_ipc_call(posix_proc, m);
	return err < 0 ? err : (int64_t)m[1];
}

int64_t posix_spawn_console(const char *path, const char *const argv[], const char *const envp[])
{
	return spawn_console(path, argv, envp, 0);
}

int64_t posix_spawn_init(const char *path, const char *const argv[], const char *const envp[])
{
	return spawn_console(path, argv, envp, PROC_SPAWN_INIT);
}

int64_t posix_wait(int64_t pid, int *wstatus)
{
	uint64_t m[8] = {VR_TAG(PROC_WAIT, 2), (uint64_t)pid, 0};
	int64_t err = vr_ipc_call(posix_proc, m);

	if (err < 0)
		return err;
	*wstatus = (int)m[2];
	return (int64_t)m[1];
}
