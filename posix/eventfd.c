/* eventfd2: a counter object of the vfs server (VFS_EVENTFD), read and written like a file. */
#include <fcntl.h>
#include <sys/eventfd.h>

#include "fd.h"
#include "file.h"
#include "posix.h"
#include "proto/vfs.h"

long px_eventfd2(const long *args)
{
	unsigned long flags = (unsigned long)args[1];
	uint64_t r[8], w[2] = {(uint32_t)args[0], flags & (EFD_SEMAPHORE | EFD_NONBLOCK)};

	if (flags & ~(unsigned long)(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC))
		return -EINVAL;
	long id = px_vfs_call(VFS_EVENTFD, w, 2, 0, r);
	if (id < 0)
		return id;
	int fd = px_fd_new(PX_FILE_VFS, (uint64_t)id, 0, 0, flags & EFD_CLOEXEC);
	if (fd < 0) {
		uint64_t c = (uint64_t)id;
		px_vfs_close(c);
	}
	return fd;
}
