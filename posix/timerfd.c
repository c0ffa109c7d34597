/* timerfd_create, timerfd_settime and timerfd_gettime: timers of the vfs server (VFS_TIMERFD_*). */
#include <fcntl.h>
#include <sys/timerfd.h>
#include <time.h>

#include "fd.h"
#include "file.h"
#include "posix.h"
#include "proto/vfs.h"

#define NS 1000000000LL

long px_timerfd_create(const long *args)
{
	long flags = args[1];
	uint64_t r[8], w[2] = {(uint64_t)args[0], (uint64_t)flags & TFD_NONBLOCK};

	if (flags & ~(long)(TFD_NONBLOCK | TFD_CLOEXEC))
		return -EINVAL;
	long id = px_vfs_call(VFS_TIMERFD_CREATE, w, 2, 0, r);
	if (id < 0)
		return id;
	int fd = px_fd_new(PX_FILE_VFS, (uint64_t)id, 0, 0, flags & TFD_CLOEXEC);
	if (fd < 0) {
		uint64_t c = (uint64_t)id;
		px_vfs_close(c);
	}
	return fd;
}

static long timer_id(int fd, uint64_t *id)
{
	struct px_file *f = px_fd_file(fd);

	if (!f)
		return -EBADF;
	if (f->kind != PX_FILE_VFS)
		return -EINVAL;
	*id = f->id;
	return 0;
}

static struct timespec ts_of(int64_t ns)
{
	return (struct timespec){(time_t)(ns / NS), (long)(ns % NS)};
}

long px_timerfd_settime(const long *args)
{
	const struct itimerspec *v = (const struct itimerspec *)args[2];
	struct itimerspec *old = (struct itimerspec *)args[3];
	uint64_t r[8], w[4];
	long err = timer_id((int)args[0], &w[0]);

	if (err)
		return err;
	if (args[1] & ~(long)(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	int64_t value = px_timespec_ns(&v->it_value), interval = px_timespec_ns(&v->it_interval);
	if (value < 0 || interval < 0)
		return -EINVAL;
	w[1] = (uint64_t)args[1] & TFD_TIMER_ABSTIME;
	w[2] = (uint64_t)value;
	w[3] = (uint64_t)interval;
	if ((err = px_vfs_call(VFS_TIMERFD_SET, w, 4, 0, r)))
		return err;
	if (old)
		*old = (struct itimerspec){ts_of((int64_t)r[3]), ts_of((int64_t)r[2])};
	return 0;
}

long px_timerfd_gettime(const long *args)
{
	struct itimerspec *cur = (struct itimerspec *)args[1];
	uint64_t r[8], w[1];
	long err = timer_id((int)args[0], &w[0]);

	if (err || (err = px_vfs_call(VFS_TIMERFD_GET, w, 1, 0, r)))
		return err;
	*cur = (struct itimerspec){ts_of((int64_t)r[3]), ts_of((int64_t)r[2])};
	return 0;
}
