/*
 * Data buffers: see buf.h. The server makes each VMO itself, so nothing the
 * client does to its handle can take pages from under the server's mapping.
 */
#include <errno.h>
#include <veridian/vr.h>

#include "buf.h"

long buf_new(struct session *s, uint64_t *vmo)
{
	handle_t h;
	uint64_t at;
	unsigned i = 0;

	while (i < VFS_BUFS_MAX && s->bufs[i])
		i++;
	if (i == VFS_BUFS_MAX)
		return -ENOSPC;
	int64_t err = vr_vmo_create(VFS_BUF_SIZE, 0, &h);
	if (err)
		return err;
	if ((err = vr_vm_map(0, h, 0, 0, VFS_BUF_SIZE, VR_PROT_READ | VR_PROT_WRITE, &at))) {
		vr_handle_close(h);
		return err;
	}
	/* The mapping keeps the VMO: the only handle goes to the client. */
	s->bufs[i] = at;
	*vmo = h;
	return (long)i + 1;
}

char *buf_at(const struct session *s, uint64_t number, size_t len)
{
	if (number < 1 || number > VFS_BUFS_MAX || len > VFS_BUF_SIZE)
		return NULL;
	return (char *)(uintptr_t)s->bufs[number - 1];
}

void buf_release(struct session *s)
{
	for (unsigned i = 0; i < VFS_BUFS_MAX; i++)
		if (s->bufs[i]) {
			vr_vm_unmap(0, s->bufs[i], VFS_BUF_SIZE);
			s->bufs[i] = 0;
		}
}
