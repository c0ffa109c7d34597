/* The epoll, timerfd and signalfd requests of the vfs server (proto/vfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>

#include "../proto/vfs.h"
#include "file.h"
#include "server.h"
#include "session.h"

_Static_assert(sizeof(struct epoll_hit) == sizeof(struct vfs_epoll_event), "epoll event layout");

/* Adds @f (whose reference the session takes) and answers with its id. */
static long answer_new(struct session *s, struct file *f)
{
	if (!f)
		return -ENOMEM;
	int64_t id = session_add(s, f);
	if (id < 0)
		file_put(f);
	return id;
}

long op_epoll_create(struct session *s)
{
	return answer_new(s, file_of_epoll());
}

long op_epoll_ctl(struct session *s)
{
	struct file *ep = session_file(s, req.w[1]), *f = session_file(s, req.w[3]);
	struct epoll_want w = {(uint32_t)req.w[4], req.w[5]};

	if (!ep || !f)
		return -EBADF;
	if (ep->kind != FILE_EPOLL || req.w[4] > UINT32_MAX)
		return -EINVAL;
	return epl_ctl(ep->epoll, (int)req.w[2], f, req.w[6], &w);
}

/* The ready events; waits (until the deadline) while there are none. */
long op_epoll_wait(struct session *s)
{
	struct file *ep = session_file(s, req.w[1]);
	size_t max = req.w[2];
	int64_t timeout = (int64_t)req.w[3], now = now_ns();

	if (!ep)
		return -EBADF;
	if (ep->kind != FILE_EPOLL || !max || max > VFS_EPOLL_MAX)
		return -EINVAL;
	size_t n = epl_take(ep->epoll, (struct epoll_hit *)(void *)out.data, max);
	out.len = n * sizeof(struct vfs_epoll_event);
	if (n || !timeout)
		return (long)n;
	int64_t deadline = retrying				      ? retry_deadline
			   : timeout < 0 || timeout > INT64_MAX - now ? 0
								      : now + timeout;
	if (deadline && now >= deadline)
		return 0;
	return block(false, deadline);
}

long op_timerfd_create(struct session *s)
{
	if ((req.w[1] != CLOCK_REALTIME && req.w[1] != CLOCK_MONOTONIC) ||
	    (req.w[2] & ~(uint64_t)O_NONBLOCK))
		return -EINVAL;
	return answer_new(s, file_of_timerfd((int)req.w[1], (int)req.w[2]));
}

long op_timerfd_set(struct session *s)
{
	struct file *f = session_file(s, req.w[1]);
	int64_t value = (int64_t)req.w[3], interval = (int64_t)req.w[4], old, old_interval;

	if (!f)
		return -EBADF;
	if (f->kind != FILE_TIMERFD || (req.w[2] & ~(uint64_t)TFD_TIMER_ABSTIME) || value < 0 ||
	    interval < 0)
		return -EINVAL;
	tfd_settime(f->timerfd, req.w[2] & TFD_TIMER_ABSTIME, value, interval, &old, &old_interval);
	out.w[2] = (uint64_t)old;
	out.w[3] = (uint64_t)old_interval;
	out.words = 3;
	return 0;
}

long op_timerfd_get(struct session *s)
{
	struct file *f = session_file(s, req.w[1]);
	int64_t value, interval;

	if (!f)
		return -EBADF;
	if (f->kind != FILE_TIMERFD)
		return -EINVAL;
	tfd_gettime(f->timerfd, &value, &interval);
	out.w[2] = (uint64_t)value;
	out.w[3] = (uint64_t)interval;
	out.words = 3;
	return 0;
}

long op_signalfd(struct session *s)
{
	uint64_t mask = req.w[2], flags = req.w[3];
	struct file *f;

	if (flags & ~(uint64_t)(O_NONBLOCK | VFS_SIGNALFD_GET))
		return -EINVAL;
	if (req.w[1] == VFS_SIGNALFD_NEW) {
		if (flags & VFS_SIGNALFD_GET)
			return -EINVAL;
		f = file_of_signalfd(s->pid, mask, (int)(flags & O_NONBLOCK));
		out.w[2] = mask;
		out.w[3] = flags & O_NONBLOCK;
		out.words = 3;
		return answer_new(s, f);
	}
	if (!(f = session_file(s, req.w[1])))
		return -EBADF;
	if (f->kind != FILE_SIGNALFD || (flags & O_NONBLOCK))
		return -EINVAL;
	if (!(flags & VFS_SIGNALFD_GET))
		f->signalfd->mask = mask;
	out.w[2] = f->signalfd->mask;
	out.w[3] = (uint64_t)(f->flags & O_NONBLOCK);
	out.words = 3;
	return 0;
}
