/*
 * epoll_create1, epoll_ctl and epoll_pwait: the interest list is an epoll
 * instance at the vfs server (VFS_EPOLL_*), which keys its entries by the
 * file's id and the caller's fd, and waits like poll.
 */
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>

#include "fd.h"
#include "file.h"
#include "ipc.h"
#include "posix.h"
#include "proto/vfs.h"

long px_epoll_create1(const long *args)
{
	uint64_t r[8];

	if (args[0] & ~(long)EPOLL_CLOEXEC)
		return -EINVAL;
	long id = px_vfs_call(VFS_EPOLL_CREATE, NULL, 0, 0, r);
	if (id < 0)
		return id;
	int fd = px_fd_new(PX_FILE_VFS, (uint64_t)id, 0, 0, args[0] & EPOLL_CLOEXEC);
	if (fd < 0) {
		uint64_t c = (uint64_t)id;
		px_vfs_close(c);
	}
	return fd;
}

/* The vfs id of @fd: -EBADF if it is not open, -EPERM if it is not the vfs's (the console). */
static long id_of(int fd, uint64_t *id)
{
	struct px_file *f = px_fd_file(fd);

	if (!f)
		return -EBADF;
	if (f->kind != PX_FILE_VFS)
		return -EPERM;
	*id = f->id;
	return 0;
}

long px_epoll_ctl(const long *args)
{
	int op = (int)args[1];
	const struct epoll_event *ev = (const struct epoll_event *)args[3];
	struct epoll_event e = {0};
	uint64_t r[8], w[6];
	long err;

	if ((err = id_of((int)args[0], &w[0])))
		return err == -EPERM ? -EINVAL : err;
	if ((err = id_of((int)args[2], &w[2])))
		return err;
	if (op != EPOLL_CTL_DEL) {
		if (!ev)
			return -EFAULT;
		memcpy(&e, ev, sizeof(e));
	}
	w[1] = (uint64_t)op;
	w[3] = e.events;
	w[4] = e.data.u64;
	w[5] = (uint64_t)args[2];
	return px_vfs_call(VFS_EPOLL_CTL, w, 6, 0, r);
}

long px_epoll_pwait(const long *args)
{
	struct epoll_event *events = (struct epoll_event *)args[1];
	int max = (int)args[2], timeout = (int)args[3];
	uint64_t r[8], w[3];
	struct px_file *f = px_fd_file((int)args[0]);

	if (!f)
		return -EBADF;
	if (f->kind != PX_FILE_VFS || max <= 0)
		return -EINVAL;
	w[0] = f->id;
	w[1] = max < VFS_EPOLL_MAX ? (uint64_t)max : VFS_EPOLL_MAX;
	w[2] = timeout < 0 ? UINT64_MAX : (uint64_t)timeout * 1000000;
	long n = px_vfs_call(VFS_EPOLL_WAIT, w, 3, 0, r);
	if (n <= 0)
		return n;
	if ((uint64_t)n > w[1] || px_reply_len(r[0]) != (size_t)n * sizeof(struct vfs_epoll_event))
		return -EIO;
	const char *buf = px_ipc_buffer();
	for (long i = 0; i < n; i++) {
		struct vfs_epoll_event v;
		memcpy(&v, buf + i * sizeof(v), sizeof(v));
		events[i] = (struct epoll_event){.events = v.events, .data.u64 = v.data};
	}
	return n;
}

long px_epoll_wait(const long *args)
{
	const long a[6] = {args[0], args[1], args[2], args[3], 0, 0};

	return px_epoll_pwait(a);
}
