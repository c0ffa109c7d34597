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

#include "../posix/proto/vfs.h"
#include "posix.h"

handle_t posix_vfs_admin;

int64_t posix_image(const struct cpio_entry *e, struct vr_image *img)
{
	int64_t err = vr_vmo_create(e->size, 0, &img->vmo);

	img->size = e->size;
	if (!err && (err = vr_vmo_write(img->vmo, e->data, 0, e->size)))
		vr_handle_close(img->vmo);
	return err;
}

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
	if (err)
		vr_printf("posix: starting /sbin/vfs failed: %ld\n", err);
	return err;
}
