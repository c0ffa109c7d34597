/*
 * The server's calls to the vfs server, through its admin capability
 * (proto/vfs.h): sessions for the processes it starts, and their programs.
 */
#include <errno.h>
#include <string.h>

#include "ipc.h"
#include "proc.h"
#include "proto/vfs.h"

/* The capability a reply @r carries (its last word), or 0. */
static handle_t reply_cap(const uint64_t r[8])
{
	unsigned words = r[0] & 0xf, caps = (r[0] >> 4) & 3;

	return caps && words >= caps ? r[1 + words - caps] : 0;
}

int64_t vfs_session_new(uint64_t parent_session, int pid, const uint32_t cred[2], uint64_t *ids,
			unsigned n, uint64_t *session, handle_t *cap)
{
	uint64_t w[4] = {parent_session, cred ? cred[0] : 0, cred ? cred[1] : 0, (uint64_t)pid}, r[8];
	long err = px_call(proc_vfs_admin, VFS_SESSION_NEW, w, 4, ids, n * sizeof(*ids), r);
	handle_t h = err >= 0 ? reply_cap(r) : 0;

	if (err >= 0 && (!h || r[2] != n || px_reply_len(r[0]) != n * sizeof(*ids))) {
		/* Not the answer the protocol promises: undo what we can. */
		if (h)
			vr_handle_close(h);
		vfs_session_end(r[1]);
		return -EIO;
	}
	if (err < 0)
		return err;
	memcpy(ids, px_ipc_buffer(), n * sizeof(*ids));
	*session = r[1];
	*cap = h;
	return 0;
}

int64_t vfs_session_sid(uint64_t session, int sid, int pgid)
{
	uint64_t w[3] = {session, (uint64_t)sid, (uint64_t)pgid}, r[8];

	return session ? px_call(proc_vfs_admin, VFS_SESSION_SID, w, 3, NULL, 0, r) : 0;
}

int64_t vfs_sig_pending(int pid, uint64_t set)
{
	/* Words only: the vfs answers at once and never calls this server, so this cannot deadlock. */
	uint64_t m[8] = {VR_TAG(VFS_SIG_PENDING, 2), (uint64_t)pid, set};
	int64_t err = vr_ipc_call(proc_vfs_admin, m);

	return err < 0 ? err : (int64_t)m[1];
}

int64_t vfs_session_cred(uint64_t session, uint32_t uid, uint32_t gid)
{
	uint64_t w[3] = {session, uid, gid}, r[8];

	return session ? px_call(proc_vfs_admin, VFS_SESSION_CRED, w, 3, NULL, 0, r) : 0;
}

int64_t vfs_fd_path(uint64_t session, uint64_t id)
{
	uint64_t w[2] = {session, id}, r[8];

	return session ? px_call(proc_vfs_admin, VFS_FD_PATH, w, 2, NULL, 0, r) : -EBADF;
}

void vfs_session_end(uint64_t session)
{
	uint64_t w[1] = {session}, r[8];

	if (session)
		px_call(proc_vfs_admin, VFS_SESSION_END, w, 1, NULL, 0, r);
}

int64_t vfs_exec_image(uint64_t session, const char *path, handle_t *vmo, uint64_t *size, char *exe)
{
	uint64_t w[1] = {session}, r[8];
	size_t len = strlen(path) + 1;
	long err = len > VFS_IO_MAX ? -ENAMETOOLONG
				    : px_call(proc_vfs_admin, VFS_EXEC_IMAGE, w, 1, path, len, r);
	handle_t h = err >= 0 ? reply_cap(r) : 0;

	if (err < 0)
		return err;
	if (!h)
		return -EIO;
	*vmo = h;
	*size = r[1];
	if (exe) {
		/* The path the vfs found it at, NUL-terminated in our IPC buffer. */
		size_t n = px_reply_len(r[0]);
		const char *buf = px_ipc_buffer();
		exe[0] = 0;
		if (n > 1 && n <= VFS_IO_MAX && buf && buf[0] == '/' && !buf[n - 1])
			memcpy(exe, buf, n);
	}
	return 0;
}

int64_t vfs_session_cwd(uint64_t session)
{
	uint64_t w[1] = {session}, r[8];

	return session ? px_call(proc_vfs_admin, VFS_SESSION_CWD, w, 1, NULL, 0, r) : -ENOENT;
}

int64_t vfs_session_fork(uint64_t parent_session, int pid, uint64_t *session, handle_t *cap)
{
	uint64_t w[2] = {parent_session, (uint64_t)pid}, r[8];
	long err = px_call(proc_vfs_admin, VFS_SESSION_FORK, w, 2, NULL, 0, r);
	handle_t h = err >= 0 ? reply_cap(r) : 0;

	if (err < 0)
		return err;
	if (!h) {
		vfs_session_end((uint64_t)err);
		return -EIO;
	}
	*session = (uint64_t)err;
	*cap = h;
	return 0;
}
