/*
 * The vfs server's protocol: what the translation layer (posix/) and the proc
 * server send to the vfs server, and what comes back.
 *
 * Sessions. Every POSIX process has one session with the vfs: a badged
 * endpoint capability (see endpoint_mint) whose badge is the session number.
 * The session holds the process's open-file references (by id: small
 * numbers chosen by the server, not the process's fds, which the translation
 * layer maps to ids), its working directory and its credentials. The proc
 * server holds the admin capability (badge VFS_BADGE_ADMIN); it creates and
 * ends sessions. Badge 0 (the unbadged endpoint) stays inside the server.
 *
 * Messages. A request's label (VR_TAG_LABEL) is a VFS_* operation; its words
 * are listed with the operation. Paths and data travel as long messages
 * (the IPC buffer, at most VFS_IO_MAX bytes; a path is NUL-terminated and
 * counts its NUL). Every reply has label 0 and word 1 = the result: >= 0, or
 * -errno (Linux's numbers); any more words are listed with the operation.
 * A malformed request gets -EINVAL (-EBADF for an id the session does not
 * have) and changes nothing; the server never stops serving because of one.
 *
 * Blocking. A read from an empty pipe (and later a terminal or socket) does
 * not answer until there is data: the server saves the reply
 * (ipc_reply_save) and serves other clients meanwhile. O_NONBLOCK gives
 * -EAGAIN instead.
 */
#pragma once

#include <stdint.h>

#define VFS_IO_MAX 4096		/* bytes of data or path in one request or reply */
#define VFS_AT_CWD UINT64_MAX	/* a directory id meaning the session's working directory */
#define VFS_READ_NOWAIT 1	/* VFS_READ: -EAGAIN rather than wait (the rest of a large read) */

#define VFS_BADGE_ADMIN 1	/* the proc server's capability */
#define VFS_BADGE_FIRST 2	/* sessions are numbered from here */

enum vfs_op {
	/* ---- files and directories (any session) ---- */
	VFS_OPEN = 1,	/* w1 dir id, w2 Linux O_* flags, w3 mode (umask applied); path -> w1 id, w2 S_IFMT of the file */
	VFS_CLOSE,	/* w1 id */
	VFS_READ,	/* w1 id, w2 length (<= VFS_IO_MAX), w3 VFS_READ_NOWAIT or 0 -> w1 bytes; the data in the reply's long part */
	VFS_WRITE,	/* w1 id; the data as the long part -> w1 bytes written */
	VFS_PREAD,	/* w1 id, w2 length, w3 offset -> as VFS_READ; the offset does not move */
	VFS_PWRITE,	/* w1 id, w2 offset; data -> as VFS_WRITE */
	VFS_SEEK,	/* w1 id, w2 offset, w3 whence (SEEK_SET/CUR/END) -> w1 new offset */
	VFS_STAT,	/* w1 id -> struct vfs_stat in the long part */
	VFS_STATAT,	/* w1 dir id, w2 AT_SYMLINK_NOFOLLOW or 0; path -> struct vfs_stat */
	VFS_GETDENTS,	/* w1 id, w2 length -> Linux struct linux_dirent64 records in the long part; w1 bytes (0 at the end) */
	VFS_MKDIR,	/* w1 dir id, w2 mode; path */
	VFS_UNLINK,	/* w1 dir id, w2 0 or AT_REMOVEDIR; path */
	VFS_RENAME,	/* w1 old dir id, w2 new dir id; "old\0new\0" */
	VFS_SYMLINK,	/* w1 dir id; "target\0linkpath\0" */
	VFS_READLINK,	/* w1 dir id; path -> the target (no NUL) in the long part, w1 its length */
	VFS_TRUNCATE,	/* w1 id, w2 length */
	VFS_CHDIR,	/* w1 dir id; path ("" = that directory itself) */
	VFS_GETCWD,	/* -> the working directory's absolute path with its NUL in the long part, w1 its length */
	VFS_ACCESS,	/* w1 dir id, w2 R_OK|W_OK|X_OK or F_OK, w3 AT_* flags; path */
	VFS_CHMOD,	/* w1 dir id, w2 mode, w3 AT_* flags; path ("" with w1 = an id: fchmod) */
	VFS_GETFL,	/* w1 id -> w1 the open file's O_* status flags */
	VFS_SETFL,	/* w1 id, w2 O_APPEND|O_NONBLOCK to set (others ignored) */
	VFS_PIPE,	/* w1 O_NONBLOCK or 0 -> w1 0, w2 read end id, w3 write end id */
	VFS_DUP,	/* w1 id -> w1 a new id for the same open file (a second reference) */
	VFS_POLL,	/* w1 id, w2 POLLIN|POLLOUT wanted -> w1 the ready events (does not block) */
	/* ---- the proc server's (VFS_BADGE_ADMIN) ---- */
	VFS_SESSION_NEW = 64,	/* w1 parent session (0: a fresh one at "/"), w2 uid, w3 gid; long: n uint64_t ids of the parent to share
				   -> w1 the session number, w2 n; long: the n new ids in order; cap: the session's endpoint */
	VFS_SESSION_END,	/* w1 session: closes everything it holds */
	VFS_EXEC_IMAGE,		/* w1 session; path (resolved as that session, needs X) -> w1 size; cap: a VMO with the file */
	VFS_SESSION_FORK,	/* w1 parent session -> w1 the new session; cap: its endpoint. The new session has the parent's
				   working directory, credentials and every id, with the same numbers (fork: the child's
				   descriptor table stays valid as it is) */
};

/* File attributes as the server keeps them; the translation layer fills struct stat from these. */
struct vfs_stat {
	uint64_t dev, ino, mode, nlink, uid, gid, rdev, size, blksize, blocks;
	int64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};
