/*
 * Calls to the POSIX servers: see ipc.h. Each thread gets its own IPC buffer
 * on its first call, so threads call servers at the same time without
 * sharing one.
 */
#include <string.h>
#include <veridian/vr.h>

#include "ipc.h"
#include "posix.h"

static __thread void *ipc_buffer;
static __thread handle_t ipc_vmo;	/* the buffer's VMO: the kernel copies through it */

void *px_ipc_buffer(void)
{
	handle_t vmo;
	uint64_t at;

	if (ipc_buffer)
		return ipc_buffer;
	if (vr_vmo_create(VR_PAGE, 0, &vmo))
		return NULL;
	int64_t err = vr_vm_map(0, vmo, 0, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &at);
	if (err) {
		vr_handle_close(vmo);
		return NULL;
	}
	if (vr_ipc_buffer_set(at)) {
		vr_vm_unmap(0, at, VR_PAGE);
		vr_handle_close(vmo);
		return NULL;
	}
	ipc_vmo = vmo;
	ipc_buffer = (void *)(uintptr_t)at;
	return ipc_buffer;
}

void px_ipc_forked(void)
{
	/* The parent's page, copied: not registered, and its VMO handle is the parent's. */
	if (ipc_buffer)
		vr_vm_unmap(0, (uint64_t)(uintptr_t)ipc_buffer, VR_PAGE);
	ipc_buffer = NULL;
	ipc_vmo = 0;
}

void px_ipc_keep(struct px_keep *k)
{
	px_keep(k, &ipc_buffer, sizeof(ipc_buffer));
	px_keep(k, &ipc_vmo, sizeof(ipc_vmo));
}

long px_copy_in(size_t off, const void *user, size_t len)
{
	if (!px_ipc_buffer())
		return -ENOMEM;
	if (off > VR_PAGE || len > VR_PAGE - off)
		return -EINVAL;
	return vr_vmo_write(ipc_vmo, user, off, len) ? -EFAULT : 0;
}

long px_copy_out(void *user, size_t len)
{
	if (!px_ipc_buffer())
		return -ENOMEM;
	if (len > VR_PAGE)
		return -EINVAL;
	return vr_vmo_read(ipc_vmo, user, 0, len) ? -EFAULT : 0;
}

#define PATH_PIECE 128	/* the first piece of a path copied; most paths fit */

long px_copy_path(size_t off, const char *path)
{
	char *buf = px_ipc_buffer();
	size_t start = off;

	if (!buf)
		return -ENOMEM;
	/*
	 * Pieces of PATH_PIECE bytes, doubling, each within one page (a page is
	 * readable or not as a whole): a short path costs a short copy wherever
	 * it lies in its page (the rest of the page cost up to 4 KiB a call).
	 */
	size_t piece = PATH_PIECE;
	while (off < VR_PAGE) {
		uintptr_t p = (uintptr_t)path + (off - start);
		size_t n = VR_PAGE - p % VR_PAGE;
		if (n > piece)
			n = piece;
		if (n > VR_PAGE - off)
			n = VR_PAGE - off;
		piece *= 2;
		if (vr_vmo_write(ipc_vmo, (const void *)p, off, n))
			return -EFAULT;
		const char *nul = memchr(buf + off, 0, n);
		if (nul)
			return (long)(nul - buf) + 1 - (long)start;
		off += n;
	}
	return -ENAMETOOLONG;
}

long px_call(handle_t ep, uint32_t op, const uint64_t *w, unsigned nw, const void *data, size_t len,
	     uint64_t r[8])
{
	void *buf = NULL;

	if (nw > 6 || len > VR_PAGE)
		return -EINVAL;
	if (len) {
		if (!(buf = px_ipc_buffer()))
			return -ENOMEM;
		if (data != buf)
			memcpy(buf, data, len);
	}
	r[0] = VR_TAG(op, nw) | (len ? VR_TAG_LONG(len) : 0);
	for (unsigned i = 0; i < 7; i++)
		r[1 + i] = i < nw ? w[i] : 0;
	/* A reply may carry a long part even to a request without one. */
	if (!buf && !px_ipc_buffer())
		return -ENOMEM;
	int64_t err = vr_ipc_call(ep, r);
	if (err == -EINTR)
		px_kernel_eintr = 1;	/* interrupted by a signal, not an answer */
	if (err < 0)
		return err == -EPIPE || err == -EBADF ? -EIO : err;
	return (long)r[1];
}

long px_call_sure(handle_t ep, uint32_t op, const uint64_t *w, unsigned nw, uint64_t r[8])
{
	int was = px_kernel_eintr;
	long err;

	/* A kernel -EINTR ends at most one wait per signal: the next call waits. */
	do {
		px_kernel_eintr = 0;
		err = px_call(ep, op, w, nw, NULL, 0, r);
	} while (err == -EINTR && px_kernel_eintr);
	px_kernel_eintr = was;
	return err;
}
