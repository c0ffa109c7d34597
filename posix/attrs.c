/*
 * Linux's calls on a file's attributes and links beyond chmod (names.c):
 * link(at), chown/fchown/lchown/fchownat, utimensat, statfs/fstatfs, and
 * fsync/fdatasync (the vfs keeps everything in memory: nothing to write back).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "fd.h"
#include "file.h"
#include "ipc.h"
#include "posix.h"
#include "proto/vfs.h"

/*
 * The file a call names: @path from @dirfd, or with @flags' AT_EMPTY_PATH and
 * an empty path (or @path NULL, utimensat's) the open file @dirfd itself.
 * Puts the path into the IPC buffer and w[0]; returns the path's length.
 */
static long file_or_path(long dirfd, const char *path, long flags, uint64_t *w0)
{
	long len = path ? px_copy_path(0, path) : 1;

	if (len < 0)
		return len;
	if (len == 1) {
		struct px_file *f;
		if (path && !(flags & AT_EMPTY_PATH))
			return -ENOENT;
		if ((int)dirfd == AT_FDCWD)
			return -ENOENT;	/* not yet: the working directory's own attributes */
		if (!(f = px_fd_file((int)dirfd)))
			return -EBADF;
		if (f->kind != PX_FILE_VFS)
			return -EPERM;	/* the debug console */
		*w0 = f->id;
		*(char *)px_ipc_buffer() = 0;
		return 1;
	}
	long err = px_dir_id(dirfd, px_ipc_buffer(), w0);
	return err ? err : len;
}

long px_linkat(const long *args)
{
	uint64_t r[8], w[3];
	const char *from = (const char *)args[1], *to = (const char *)args[3];

	if (args[4] & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	long la = px_copy_path(0, from);
	if (la < 0)
		return la;
	long lb = px_copy_path((size_t)la, to);
	if (lb < 0)
		return lb;
	const char *buf = px_ipc_buffer();
	long err;
	if (la == 1 && (args[4] & AT_EMPTY_PATH)) {
		/* The file of descriptor args[0] itself. */
		struct px_file *f = px_fd_file((int)args[0]);
		if ((int)args[0] == AT_FDCWD)
			return -ENOENT;
		if (!f)
			return -EBADF;
		if (f->kind != PX_FILE_VFS)
			return -EPERM;
		w[0] = f->id;
		err = 0;
	} else {
		err = px_dir_id(args[0], buf, &w[0]);
	}
	if (!err)
		err = px_dir_id(args[2], buf + la, &w[1]);
	if (err)
		return err;
	w[2] = (uint64_t)args[4] & (AT_SYMLINK_FOLLOW | AT_EMPTY_PATH);
	return px_vfs_call(VFS_LINK, w, 3, (size_t)(la + lb), r);
}

long px_link(const long *args)
{
	const long a[5] = {AT_FDCWD, args[0], AT_FDCWD, args[1], 0};

	return px_linkat(a);
}

long px_fchownat(const long *args)
{
	uint64_t r[8], w[4];
	long flags = args[4];

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	long len = file_or_path(args[0], (const char *)args[1], flags, &w[0]);
	if (len < 0)
		return len;
	w[1] = (uint32_t)args[2];
	w[2] = (uint32_t)args[3];
	w[3] = (uint64_t)flags & AT_SYMLINK_NOFOLLOW;
	return px_vfs_call(VFS_CHOWN, w, 4, (size_t)len, r);
}

long px_fchown(const long *args)
{
	const long a[5] = {args[0], (long)"", args[1], args[2], AT_EMPTY_PATH};

	return px_fchownat(a);
}

#ifdef SYS_chown
long px_chown(const long *args)
{
	const long a[5] = {AT_FDCWD, args[0], args[1], args[2], 0};

	return px_fchownat(a);
}

long px_lchown(const long *args)
{
	const long a[5] = {AT_FDCWD, args[0], args[1], args[2], AT_SYMLINK_NOFOLLOW};

	return px_fchownat(a);
}
#endif

long px_utimensat(const long *args)
{
	uint64_t r[8], w[6];
	long flags = args[3];
	struct timespec t[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (!args[1] && (flags & AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	if (args[2]) {
		long err = px_copy_in(0, (const void *)args[2], sizeof(t));
		if (err)
			return err;
		memcpy(t, px_ipc_buffer(), sizeof(t));
	}
	long len = file_or_path(args[0], (const char *)args[1], flags, &w[0]);
	if (len < 0)
		return len;
	w[1] = (uint64_t)flags & AT_SYMLINK_NOFOLLOW;
	w[2] = (uint64_t)t[0].tv_sec;
	w[3] = (uint64_t)t[0].tv_nsec;
	w[4] = (uint64_t)t[1].tv_sec;
	w[5] = (uint64_t)t[1].tv_nsec;
	return px_vfs_call(VFS_UTIMES, w, 6, (size_t)len, r);
}

/* The answer of VFS_STATFS into the caller's struct statfs. */
static long statfs_call(uint64_t id, size_t len, struct statfs *user)
{
	uint64_t r[8];
	struct vfs_statfs v;
	struct statfs st;
	long err = px_vfs_call(VFS_STATFS, &id, 1, len, r);

	if (err < 0)
		return err;
	if (px_reply_len(r[0]) < sizeof(v))
		return -EIO;
	memcpy(&v, px_ipc_buffer(), sizeof(v));
	memset(&st, 0, sizeof(st));
	st.f_type = (unsigned long)v.type;
	st.f_bsize = st.f_frsize = (unsigned long)v.bsize;
	st.f_blocks = v.blocks;
	st.f_bfree = st.f_bavail = v.bfree;
	st.f_files = v.files;
	st.f_ffree = v.ffree;
	st.f_namelen = (unsigned long)v.namelen;
	st.f_flags = (unsigned long)v.flags;
	memcpy(px_ipc_buffer(), &st, sizeof(st));
	return px_copy_out(user, sizeof(st));
}

long px_statfs(const long *args)
{
	uint64_t id;
	long len = file_or_path(AT_FDCWD, (const char *)args[0], 0, &id);

	return len < 0 ? len : statfs_call(id, (size_t)len, (struct statfs *)args[1]);
}

long px_fstatfs(const long *args)
{
	uint64_t id;
	long len = file_or_path(args[0], "", AT_EMPTY_PATH, &id);

	return len < 0 ? len : statfs_call(id, (size_t)len, (struct statfs *)args[1]);
}

/* Everything lives in the server's memory: a valid descriptor is all there is to check. */
long px_fsync(const long *args)
{
	return px_fd_file((int)args[0]) ? 0 : -EBADF;
}
