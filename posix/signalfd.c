/*
 * signalfd and signalfd4. A signalfd is a vfs object (VFS_SIGNALFD) with the
 * mask, which the vfs makes readable for poll, select and epoll while one
 * of its signals is pending for the process that made it (the proc server
 * tells the vfs its pending set once PROC_SIGFD asked it to). A read is
 * done here: it takes the pending signals of the mask from the proc server
 * (PROC_SIGTAKE, as sigtimedwait), so it reads the reader's own signals
 * (after fork, the child's), and a blocking read waits there.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>

#include "fd.h"
#include "file.h"
#include "ipc.h"
#include "posix.h"
#include "proto/proc.h"
#include "proto/vfs.h"

#define BIT(sig) ((uint64_t)1 << ((sig)-1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))

static long make(int fd, uint64_t mask, long flags)
{
	uint64_t r[8], w[3] = {VFS_SIGNALFD_NEW, mask, flags & SFD_NONBLOCK ? O_NONBLOCK : 0};
	struct px_file *f;

	if (fd != -1) {
		if (!(f = px_fd_file(fd)))
			return -EBADF;
		if (f->kind != PX_FILE_VFS)
			return -EINVAL;
		w[0] = f->id, w[2] = 0;
		long err = px_vfs_call(VFS_SIGNALFD, w, 3, 0, r);
		return err < 0 ? err : fd;
	}
	if (!px_proc)
		return -ENOSYS;
	long id = px_vfs_call(VFS_SIGNALFD, w, 3, 0, r);
	if (id < 0)
		return id;
	/* From now on the proc server tells the vfs our pending signals. */
	long err = px_call(px_proc, PROC_SIGFD, NULL, 0, NULL, 0, r);
	int nfd = err < 0 ? (int)err
			  : px_fd_new(PX_FILE_VFS, (uint64_t)id, PX_TYPE_SIGNALFD, 0,
				      flags & SFD_CLOEXEC);
	if (nfd < 0)
		px_vfs_close((uint64_t)id);
	return nfd;
}

long px_signalfd4(const long *args)
{
	const uint64_t *set = (const uint64_t *)args[1];
	long flags = args[3];

	if (args[2] != _NSIG / 8 || (flags & ~(long)(SFD_NONBLOCK | SFD_CLOEXEC)))
		return -EINVAL;
	return make((int)args[0], *set & ~UNBLOCKABLE, flags);
}

#ifdef SYS_signalfd
long px_signalfd(const long *args)
{
	const long a[4] = {args[0], args[1], args[2], 0};

	return px_signalfd4(a);
}
#endif

bool px_signalfd_is(struct px_file *f)
{
	uint64_t r[8], w[3] = {f->id, 0, VFS_SIGNALFD_GET};

	if (f->kind != PX_FILE_VFS || px_vfs_call(VFS_SIGNALFD, w, 3, 0, r) < 0)
		return false;
	f->type = PX_TYPE_SIGNALFD;
	return true;
}

long px_signalfd_read(struct px_file *f, char *buf, size_t len)
{
	struct signalfd_siginfo si;
	uint64_t r[8], w[3] = {f->id, 0, VFS_SIGNALFD_GET};
	long err = px_vfs_call(VFS_SIGNALFD, w, 3, 0, r);
	size_t done = 0;

	if (err < 0)
		return err;
	if (len < sizeof(si))
		return -EINVAL;
	uint64_t mask = r[2] & ~UNBLOCKABLE;
	bool nonblock = r[3] & O_NONBLOCK;
	while (len - done >= sizeof(si)) {
		/* Only the first record may wait; the rest is what is pending. */
		uint64_t t[4] = {mask, !done && !nonblock ? PROC_SIGTAKE_WAIT : 0, 0,
				 (uint64_t)px_sig_tid()};
		long sig = px_call(px_proc, PROC_SIGTAKE, t, 4, NULL, 0, r);
		if (sig < 0)
			return done ? (long)done : sig;
		if (!sig)
			break;
		memset(&si, 0, sizeof(si));
		si.ssi_signo = (uint32_t)sig;
		si.ssi_code = (int32_t)r[3];
		si.ssi_pid = (uint32_t)r[2];
		si.ssi_ptr = r[4];
		si.ssi_int = (int32_t)r[4];
		memcpy(px_ipc_buffer(), &si, sizeof(si));
		if ((err = px_copy_out(buf + done, sizeof(si))))
			return done ? (long)done : err;
		done += sizeof(si);
	}
	return done ? (long)done : -EAGAIN;
}
