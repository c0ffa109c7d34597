/*
 * Linux's calls on names (directories, links, renames, the working directory,
 * permissions), turned into vfs requests. Paths are copied into the IPC
 * buffer by the kernel (px_copy_path): a bad pointer is EFAULT, a path of
 * PATH_MAX bytes or more ENAMETOOLONG.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"
#include "file.h"
#include "ipc.h"
#include "posix.h"
#include "proto/vfs.h"

/* One path at the start of the IPC buffer, resolved from @dirfd: w[0] = the directory id. */
static long one_path(long dirfd, const char *path, uint64_t *dir)
{
	long len = px_copy_path(0, path);

	if (len < 0)
		return len;
	long err = px_dir_id(dirfd, px_ipc_buffer(), dir);
	return err ? err : len;
}

long px_mkdirat(const long *args)
{
	uint64_t r[8], w[2];
	long len = one_path(args[0], (const char *)args[1], &w[0]);

	if (len < 0)
		return len;
	w[1] = (uint64_t)args[2] & ~(uint64_t)px_umask() & 07777;
	return px_vfs_call(VFS_MKDIR, w, 2, (size_t)len, r);
}

long px_mkdir(const long *args)
{
	const long a[3] = {AT_FDCWD, args[0], args[1]};

	return px_mkdirat(a);
}

/* mknod: FIFOs, regular files and socket nodes (no device files: EPERM). */
long px_mknodat(const long *args)
{
	uint64_t r[8], w[2];
	uint32_t mode = (uint32_t)args[2];
	long len = one_path(args[0], (const char *)args[1], &w[0]);

	if (len < 0)
		return len;
	w[1] = (mode & S_IFMT) | (mode & ~(uint32_t)px_umask() & 07777);
	return px_vfs_call(VFS_MKNOD, w, 2, (size_t)len, r);
}

long px_mknod(const long *args)
{
	const long a[4] = {AT_FDCWD, args[0], args[1], args[2]};

	return px_mknodat(a);
}

long px_unlinkat(const long *args)
{
	uint64_t r[8], w[2];

	if (args[2] & ~AT_REMOVEDIR)
		return -EINVAL;
	long len = one_path(args[0], (const char *)args[1], &w[0]);
	if (len < 0)
		return len;
	w[1] = (uint64_t)args[2];
	return px_vfs_call(VFS_UNLINK, w, 2, (size_t)len, r);
}

long px_unlink(const long *args)
{
	const long a[3] = {AT_FDCWD, args[0], 0};

	return px_unlinkat(a);
}

long px_rmdir(const long *args)
{
	const long a[3] = {AT_FDCWD, args[0], AT_REMOVEDIR};

	return px_unlinkat(a);
}

/* "a\0b\0" into the IPC buffer; returns the total length. */
static long two_paths(const char *a, const char *b)
{
	long la = px_copy_path(0, a);

	if (la < 0)
		return la;
	long lb = px_copy_path((size_t)la, b);
	return lb < 0 ? lb : la + lb;
}

long px_renameat2(const long *args)
{
	uint64_t r[8], w[2];

	if (args[4])
		return -EINVAL;	/* RENAME_NOREPLACE, _EXCHANGE: not yet */
	long len = two_paths((const char *)args[1], (const char *)args[3]);
	if (len < 0)
		return len;
	const char *buf = px_ipc_buffer();
	long err = px_dir_id(args[0], buf, &w[0]);
	if (!err)
		err = px_dir_id(args[2], buf + strlen(buf) + 1, &w[1]);
	if (err)
		return err;
	return px_vfs_call(VFS_RENAME, w, 2, (size_t)len, r);
}

long px_renameat(const long *args)
{
	const long a[5] = {args[0], args[1], args[2], args[3], 0};

	return px_renameat2(a);
}

long px_rename(const long *args)
{
	const long a[5] = {AT_FDCWD, args[0], AT_FDCWD, args[1], 0};

	return px_renameat2(a);
}

long px_symlinkat(const long *args)
{
	uint64_t r[8], w;
	long len = two_paths((const char *)args[0], (const char *)args[2]);

	if (len < 0)
		return len;
	const char *buf = px_ipc_buffer();
	long err = px_dir_id(args[1], buf + strlen(buf) + 1, &w);
	return err ? err : px_vfs_call(VFS_SYMLINK, &w, 1, (size_t)len, r);
}

long px_symlink(const long *args)
{
	const long a[3] = {args[0], AT_FDCWD, args[1]};

	return px_symlinkat(a);
}

long px_readlinkat(const long *args)
{
	uint64_t r[8], w;
	long size = args[3];

	if (size <= 0)
		return -EINVAL;
	long len = one_path(args[0], (const char *)args[1], &w);
	if (len < 0)
		return len;
	long got = px_vfs_call(VFS_READLINK, &w, 1, (size_t)len, r);
	if (got < 0)
		return got;
	if (got > size)
		got = size;
	if (px_reply_len(r[0]) < (size_t)got)
		return -EIO;
	long err = px_copy_out((char *)args[2], (size_t)got);
	return err ? err : got;
}

long px_readlink(const long *args)
{
	const long a[4] = {AT_FDCWD, args[0], args[1], args[2]};

	return px_readlinkat(a);
}

long px_chdir(const long *args)
{
	uint64_t r[8], w;
	long len = one_path(AT_FDCWD, (const char *)args[0], &w);

	return len < 0 ? len : px_vfs_call(VFS_CHDIR, &w, 1, (size_t)len, r);
}

long px_fchdir(const long *args)
{
	struct px_file *f = px_fd_file((int)args[0]);
	uint64_t r[8];

	if (!f)
		return -EBADF;
	if (f->kind != PX_FILE_VFS)
		return -ENOTDIR;
	if (px_copy_path(0, "") != 1)
		return -ENOMEM;
	return px_vfs_call(VFS_CHDIR, &f->id, 1, 1, r);
}

long px_getcwd(const long *args)
{
	uint64_t r[8];
	size_t size = (size_t)args[1];
	long len = px_vfs_call(VFS_GETCWD, NULL, 0, 0, r);

	if (len < 0)
		return len;
	if ((size_t)len > size)
		return -ERANGE;
	if (px_reply_len(r[0]) < (size_t)len)
		return -EIO;
	long err = px_copy_out((char *)args[0], (size_t)len);
	return err ? err : len;
}

long px_faccessat2(const long *args)
{
	uint64_t r[8], w[3];

	if (args[2] & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (args[3] & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS))
		return -EINVAL;
	long len = one_path(args[0], (const char *)args[1], &w[0]);
	if (len < 0)
		return len;
	w[1] = (uint64_t)args[2];
	w[2] = (uint64_t)args[3];
	return px_vfs_call(VFS_ACCESS, w, 3, (size_t)len, r);
}

long px_faccessat(const long *args)
{
	const long a[4] = {args[0], args[1], args[2], 0};

	return px_faccessat2(a);
}

long px_access(const long *args)
{
	const long a[4] = {AT_FDCWD, args[0], args[1], 0};

	return px_faccessat2(a);
}

long px_fchmodat(const long *args)
{
	uint64_t r[8], w[3];
	long len = one_path(args[0], (const char *)args[1], &w[0]);

	if (len < 0)
		return len;
	if (len == 1)
		return -ENOENT;
	w[1] = (uint64_t)args[2] & 07777;
	w[2] = 0;
	return px_vfs_call(VFS_CHMOD, w, 3, (size_t)len, r);
}

long px_chmod(const long *args)
{
	const long a[3] = {AT_FDCWD, args[0], args[1]};

	return px_fchmodat(a);
}

long px_fchmod(const long *args)
{
	struct px_file *f = px_fd_file((int)args[0]);
	uint64_t r[8], w[3];

	if (!f)
		return -EBADF;
	if (f->kind != PX_FILE_VFS)
		return -EPERM;
	w[0] = f->id;
	w[1] = (uint64_t)args[1] & 07777;
	w[2] = 0;
	if (px_copy_path(0, "") != 1)
		return -ENOMEM;
	return px_vfs_call(VFS_CHMOD, w, 3, 1, r);
}
