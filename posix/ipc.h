/*
 * Calls to the POSIX servers (proto/vfs.h, proto/proc.h) from the
 * translation layer: one request, one reply, with an optional long part in
 * each direction through the calling thread's IPC buffer (a page registered
 * with the kernel on the thread's first call).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <veridian/syscalls.h>

/* The calling thread's IPC buffer (mapped and registered on first use), or NULL without memory. */
void *px_ipc_buffer(void);

/*
 * Calls @ep with operation @op, the @nw words @w[0..nw-1] (at most 6) as
 * words 1.., and @len bytes of @data as the long part (@data may already be
 * the IPC buffer itself). The reply's words land in @r[0..7] (r[0] its tag:
 * VR_TAG_LONG_LEN gives the length of a long answer, now in the IPC buffer)
 * and any capability it carries in r[1 + words - caps ...] as the kernel
 * delivers them. Returns the server's result, r[1] (>= 0 or -errno), or
 * -EIO when the server is gone, -ENOMEM without an IPC buffer.
 */
long px_call(handle_t ep, uint32_t op, const uint64_t *w, unsigned nw, const void *data, size_t len,
	     uint64_t r[8]);

/*
 * px_call for requests that must reach the server whatever happens, as
 * closing an id: a signal that interrupts the call before the server took it
 * (-EINTR from the kernel: the request was never delivered) does not end
 * it, the request is sent again. The signal's handlers run when the Linux
 * call ends (px_sig_deferred stays set), as for any call of the layer.
 */
long px_call_sure(handle_t ep, uint32_t op, const uint64_t *w, unsigned nw, uint64_t r[8]);

/*
 * Copies between the caller's memory and the IPC buffer through the kernel
 * (vmo_write / vmo_read on the buffer's VMO), so that a bad pointer gives
 * -EFAULT instead of a fault: px_copy_in puts @len bytes of @user at @off in
 * the buffer, px_copy_out copies the buffer's first @len bytes to @user.
 */
long px_copy_in(size_t off, const void *user, size_t len);
long px_copy_out(void *user, size_t len);

/*
 * Copies the NUL-terminated @path to offset @off of the IPC buffer. Returns
 * its length with the NUL, -EFAULT, or -ENAMETOOLONG if it does not fit
 * (a path of VFS_IO_MAX bytes or more: Linux's PATH_MAX).
 */
long px_copy_path(size_t off, const char *path);

/* The length of the long part of the reply whose tag is @tag. */
static inline size_t px_reply_len(uint64_t tag)
{
	return (tag & ((uint64_t)1 << 6)) ? (size_t)((tag >> 8) & 0x1fff) : 0;
}

/* In a forked child: the copied buffer is not this thread's (the kernel knows none); the next call makes one. */
void px_ipc_forked(void);
