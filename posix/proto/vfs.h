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
 * Blocking. A read from an empty pipe, socket, eventfd or terminal (a write to
 * a full one, an accept without a pending connection, a VFS_POLL_WAIT or
 * VFS_EPOLL_WAIT with nothing ready, a read of a timerfd not yet expired)
 * does not answer until it can: the server saves the reply
 * (ipc_reply_save) and the request, serves other clients meanwhile, and
 * performs the request again after every later request (and when a poll's
 * deadline passes) until it finishes; a terminal's non-canonical read follows
 * VMIN and VTIME. O_NONBLOCK (MSG_DONTWAIT) gives -EAGAIN instead. A waiter whose session ended is answered (-EINVAL) and dropped.
 *
 * Sockets are AF_UNIX only; addresses travel as the caller's struct
 * sockaddr_un bytes (sun_family, then a path, or a NUL and an abstract name).
 * Flags and option names are Linux's (SOCK_*, MSG_*, SO_*, EFD_*).
 *
 * Terminals: /dev/console and the pseudo-terminals (/dev/ptmx makes a pair
 * with each open; /dev/pts/N is the slave) share one line discipline
 * (vfs/tty.c). VFS_IOCTL carries Linux's terminal requests with Linux's
 * numbers; struct termios travels in the kernel's layout (struct
 * vfs_termios, 36 bytes), not musl's larger one.
 */
#pragma once

#include <stdint.h>

#define VFS_IO_MAX 4096		/* bytes of data or path in one request or reply */
#define VFS_AT_CWD UINT64_MAX	/* a directory id meaning the session's working directory */
#define VFS_SIGNALFD_NEW UINT64_MAX	/* VFS_SIGNALFD: make one */
#define VFS_SIGNALFD_GET 1	/* VFS_SIGNALFD: only tell the mask and flags */
#define VFS_READ_NOWAIT 1	/* VFS_READ: -EAGAIN rather than wait (the rest of a large read) */
#define VFS_READ_INLINE 2	/* VFS_READ: up to VFS_INLINE_MAX bytes may come back in words 2-5 */
#define VFS_INLINE_MAX 32	/* bytes of data in message words (VFS_WRITE_INLINE, VFS_READ_INLINE) */
#define VFS_BUF_SIZE 16384	/* bytes of one data buffer (VFS_BUF_NEW) */
#define VFS_BUFS_MAX 64		/* data buffers of one session (-ENOSPC beyond) */
#define VFS_BUF_POS UINT64_MAX	/* VFS_READ_BUF/VFS_WRITE_BUF: at the file's offset, which moves */
/*
 * Job control: the caller blocks or ignores SIGTTIN (VFS_READ's w3) or
 * SIGTTOU (VFS_WRITE's w2, VFS_WRITE_INLINE's w2 bits 32-63, TIOCSPGRP's
 * argument word): a background read of its controlling terminal fails with
 * -EIO, a write or tcsetpgrp goes on. Otherwise those answer
 * -VFS_EBACKGROUND: the caller sends its group SIGTTIN or SIGTTOU
 * (PROC_KILL_JOBCTL) and tries again once continued.
 */
#define VFS_IO_TTIN_OFF 8
#define VFS_IO_TTOU_OFF 16
#define VFS_EBACKGROUND 600	/* never an errno */

#define VFS_LOCK_GET 0	/* VFS_LOCK commands: F_GETLK */
#define VFS_LOCK_SET 1	/* F_SETLK */
#define VFS_LOCK_WAIT 2	/* F_SETLKW */
#define VFS_LOCK_POSIX 0	/* VFS_LOCK kinds: process-owned record locks */
#define VFS_LOCK_OFD 1	/* open-file-description locks (F_OFD_*) */
#define VFS_LOCK_FLOCK 2	/* flock(2): whole-file, apart from the others */

#define VFS_POLL_MAX 512		/* struct vfs_pollfd entries in one VFS_POLL_WAIT */
#define VFS_SCM_MAX 64		/* ids passed (SCM_RIGHTS) with one message */
#define VFS_ADDR_MAX 110	/* sizeof(struct sockaddr_un) */
#define VFS_DGRAM_MAX 3456	/* bytes of one datagram (or SOCK_SEQPACKET record): EMSGSIZE beyond */
#define VFS_MSG_NOFILES 0x80000000	/* VFS_RECVMSG: stop before data that carries ids (the rest of a large read) */
#define VFS_MSG_CREDS (1ull << 32)	/* VFS_SENDMSG, VFS_RECVMSG's answer: with a struct vfs_ucred */

/* SCM_CREDENTIALS in a VFS_SENDMSG or VFS_RECVMSG (struct ucred's fields, padded to 16 bytes). */
struct vfs_ucred {
	int32_t pid;
	uint32_t uid, gid, pad;
};

#define VFS_CONSOLE_INPUT_MAX 48	/* bytes of one VFS_CONSOLE_INPUT: words 2-7 of the message */
#define VFS_REMOTE_REOPEN 0x52454f50	/* a VFS_OPEN answer's result: open an id of the client again */
#define VFS_REMOTE_FOLLOW 0x464f4c4c	/* a path request's answer: the path leads out of the tree (below) */
/*
 * A path request (VFS_OPEN, VFS_CHDIR, VFS_STATAT, VFS_READLINK, VFS_ACCESS;
 * VFS_MKDIR, VFS_MKNOD, VFS_UNLINK, VFS_CHMOD, VFS_CHOWN, VFS_UTIMES,
 * VFS_STATFS; VFS_RENAME, VFS_LINK, VFS_SYMLINK, VFS_BIND, VFS_CONNECT)
 * whose path went through a symbolic link of a remote tree that leads out
 * of it is answered -VFS_EFOLLOW with a new absolute path in the long part
 * (the link's target, then the rest of the path): the caller sends the same
 * request again with that path, at most VFS_FOLLOW_MAX times (then ELOOP).
 * A request of two paths gets both back ("old\0new\0", one of them new) and
 * x1 = which one changed (0 or 1: each path has its own count); a socket
 * address gets the address back with the new path in it.
 */
#define VFS_EFOLLOW 601	/* never an errno */
#define VFS_FOLLOW_MAX 40	/* as Linux's symbolic links in one lookup */
#define VFS_BADGE_ADMIN 1	/* the proc server's capability */
#define VFS_BADGE_FIRST 2	/* sessions are numbered from here */

enum vfs_op {
	/* ---- files and directories (any session) ---- */
	VFS_OPEN = 1,	/* w1 dir id, w2 Linux O_* flags, w3 mode (umask applied); path -> w1 id, w2 S_IFMT of the file */
	VFS_CLOSE,	/* w1 id */
	VFS_READ,	/* w1 id, w2 length (<= VFS_IO_MAX), w3 VFS_READ_NOWAIT | VFS_READ_INLINE | VFS_IO_TTIN_OFF or 0
			   -> w1 bytes; the data in the reply's long part, or (VFS_READ_INLINE, no long part) in words 2-5 */
	VFS_WRITE,	/* w1 id, w2 VFS_IO_TTOU_OFF or 0; the data as the long part -> w1 bytes written */
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
	VFS_CHDIR,	/* w1 dir id; path ("" = that directory itself). A directory another server
			   serves (remote.c) may be the working directory too */
	VFS_GETCWD,	/* -> the working directory's absolute path with its NUL in the long part, w1 its length */
	VFS_ACCESS,	/* w1 dir id, w2 R_OK|W_OK|X_OK or F_OK, w3 AT_* flags; path */
	VFS_CHMOD,	/* w1 dir id, w2 mode, w3 AT_* flags; path ("" with w1 = an id: fchmod) */
	VFS_GETFL,	/* w1 id -> w1 the open file's O_* status flags */
	VFS_SETFL,	/* w1 id, w2 O_APPEND|O_NONBLOCK to set (others ignored) */
	VFS_PIPE,	/* w1 O_NONBLOCK or 0 -> w1 0, w2 read end id, w3 write end id */
	VFS_DUP,	/* w1 id -> w1 a new id for the same open file (a second reference) */
	VFS_POLL,	/* w1 id, w2 POLLIN|POLLOUT wanted -> w1 the ready events (does not block) */
	VFS_POLL_WAIT,	/* w1 timeout in ns (0: do not wait; negative as int64_t: none), w2 n (<= VFS_POLL_MAX);
			   long: n struct vfs_pollfd -> w1 entries with events; long: the n entries, revents set.
			   An id the session lacks gives POLLNVAL. Waits until one entry has events. */
	VFS_EVENTFD,	/* w1 initial count (< 2^32), w2 EFD_SEMAPHORE|EFD_NONBLOCK -> w1 id.
			   Read: 8 bytes, the count (or 1 with EFD_SEMAPHORE), waits at 0; write: 8 bytes added,
			   waits while the sum would pass 2^64 - 2; UINT64_MAX: -EINVAL */
	VFS_SOCKET,	/* w1 SOCK_STREAM|SOCK_DGRAM|SOCK_SEQPACKET, | SOCK_NONBLOCK -> w1 id */
	VFS_SOCKETPAIR,	/* w1 as VFS_SOCKET -> w1 0, w2 and w3 the ids of the two connected ends */
	VFS_BIND,	/* w1 id; long: the address. A path makes a socket node (-EADDRINUSE if the name exists) */
	VFS_LISTEN,	/* w1 id, w2 backlog */
	VFS_ACCEPT,	/* w1 id, w2 SOCK_NONBLOCK or 0 -> w1 the new id; long: the peer's address (maybe only the family) */
	VFS_CONNECT,	/* w1 id; long: the address -> 0 (streams: queued at the listener; datagrams: the default peer) */
	VFS_SENDMSG,	/* w1 id, w2 MSG_* flags | VFS_MSG_CREDS, w3 n ids to pass (<= VFS_SCM_MAX),
			   w4 address length (0: the peer), w5 bytes of the whole message (datagrams: must be this request's;
			   -EMSGSIZE if more); long: the address, n uint64_t ids, with VFS_MSG_CREDS a struct
			   vfs_ucred (SCM_CREDENTIALS: the caller's own unless uid 0, -EPERM; -EINVAL for id -1,
			   -ESRCH for a pid no process has), the data -> w1 bytes sent. A stream takes as much
			   as fits. A send that waits gives up after SO_SNDTIMEO (-EAGAIN) */
	VFS_RECVMSG,	/* w1 id, w2 length (<= VFS_IO_MAX), w3 MSG_PEEK|MSG_DONTWAIT|MSG_WAITALL|
			   VFS_MSG_NOFILES (0 bytes rather than ids), w4 most ids taken, w5 (optional) a MSG_WAITALL read's
			   deadline, from its previous piece's w6 -> w1 bytes, w2 MSG_TRUNC|MSG_CTRUNC|
			   VFS_MSG_CREDS, w3 n new ids, w4 address length, w5 SOCK_* type, w6 (MSG_WAITALL) the
			   deadline it waited for (monotonic ns; 0: it did not wait with one); long: n uint64_t
			   ids, the sender's address, with VFS_MSG_CREDS (the socket has SO_PASSCRED) a struct
			   vfs_ucred, the data. Ids beyond w4 are closed (MSG_CTRUNC). A wait gives up after
			   SO_RCVTIMEO (-EAGAIN); MSG_WAITALL on a stream waits for all w2 bytes (or end of
			   file, an error, data with ids or of another sender), at the deadline takes what
			   there is */
	VFS_SHUTDOWN,	/* w1 id, w2 SHUT_RD, SHUT_WR or SHUT_RDWR */
	VFS_SOCKNAME,	/* w1 id, w2 0 (own) or 1 (the peer's) -> long: the address */
	VFS_GETSOCKOPT,	/* w1 id, w2 SO_* (SOL_SOCKET) -> w2 the value; SO_PEERCRED: w2 pid, w3 uid, w4 gid */
	VFS_SETSOCKOPT,	/* w1 id, w2 SO_*, w3 the value (an int; SO_RCVTIMEO and SO_SNDTIMEO (_OLD):
			   int64_t nanoseconds, 0 none, -1 never wait; accept and recv wait at most the first,
			   connect and send the second, then -EAGAIN) */
	/* ---- terminals (tty.c, pty.c) ---- */
	VFS_IOCTL = 48,	/* w1 id, w2 Linux's request number (32 bits), w3 the argument when it is a value (TCFLSH, TCXONC,
			   TIOCSCTTY, ...); long: the bytes the request reads -> w1 >= 0 or -errno (-ENOTTY: not a
			   terminal or an unknown request); long: the bytes it writes (struct vfs_termios,
			   struct vfs_winsize, an int) */
	/* ---- epoll, timerfd, memfd and mappings (numbered apart, epoll.c, timerfd.c, shm.c) ---- */
	VFS_EPOLL_CREATE = 49,	/* -> w1 id of a new epoll instance (pollable: POLLIN when an entry is ready) */
	VFS_EPOLL_CTL,	/* w1 epoll id, w2 EPOLL_CTL_ADD/MOD/DEL, w3 the file's id, w4 EPOLL* events, w5 data,
			   w6 the caller's fd (entries are keyed by file and fd, as Linux's) */
	VFS_EPOLL_WAIT,	/* w1 epoll id, w2 most events (<= VFS_EPOLL_MAX), w3 timeout ns as VFS_POLL_WAIT
			   -> w1 n; long: n struct vfs_epoll_event. Waits until one is ready. */
	VFS_TIMERFD_CREATE,	/* w1 CLOCK_REALTIME or CLOCK_MONOTONIC, w2 O_NONBLOCK or 0 -> w1 id.
				   Read: 8 bytes, the expirations since the last read; waits at 0 */
	VFS_TIMERFD_SET,	/* w1 id, w2 TFD_TIMER_ABSTIME or 0, w3 value ns (0 disarms), w4 interval ns
				   -> w2 old value ns (relative), w3 old interval */
	VFS_TIMERFD_GET,	/* w1 id -> w2 ns to the next expiration (0: disarmed), w3 interval */
	VFS_MEMFD,	/* w1 MFD_ALLOW_SEALING or 0; the name (for nothing but the caller) -> w1 id of a new
			   unnamed tmpfs file, O_RDWR */
	VFS_MMAP,	/* w1 id of a regular file, w2 1 for a writable shared mapping, else 0
			   -> w1 the VMO's size; cap: a VMO with the file's data (rights READ|MAP|DUPLICATE|TRANSFER, +WRITE if w2) */
	VFS_SEALS,	/* w1 id, w2 F_SEAL_* to add (0: none) -> w1 the file's seals */
	VFS_SIGNALFD,	/* 58: w1 VFS_SIGNALFD_NEW or a signalfd's id, w2 the signals (bit n - 1: signal n),
			   w3 O_NONBLOCK (new) | VFS_SIGNALFD_GET -> w1 the new id (or 0), w2 the mask,
			   w3 the file's O_NONBLOCK. New: of the signals of the session's process; an id:
			   its mask becomes w2 (unless GET); not a signalfd: -EINVAL. Readable (POLLIN)
			   while one is pending, as VFS_SIG_PENDING tells; VFS_READ of it: -EINVAL (the
			   translation layer reads it: PROC_SIGTAKE) */
	/* ---- the proc server's (VFS_BADGE_ADMIN) ---- */
	VFS_SESSION_NEW = 64,	/* w1 parent session (0: a fresh one at "/"), w2 uid, w3 gid, w4 pid (optional: 0 or
				   absent = unknown, then SO_PEERCRED says 1); long: n uint64_t ids of the parent to share
				   -> w1 the session number, w2 n; long: the n new ids in order; cap: the session's endpoint */
	VFS_SESSION_END,	/* w1 session: closes everything it holds */
	VFS_EXEC_IMAGE,		/* w1 session; path (resolved as that session, needs X; not a regular file: EACCES) -> w1 size; cap: a VMO with the file;
				   long: the file's absolute path with its NUL (/proc/<pid>/exe), when it has a name */
	VFS_SESSION_FORK,	/* w1 parent session, w2 the child's pid (optional) -> w1 the new session; cap: its endpoint. The new session has the parent's
				   working directory, credentials and every id, with the same numbers (fork: the child's
				   descriptor table stays valid as it is) */
	VFS_CONSOLE_INPUT = 68,	/* w1 n (<= VFS_CONSOLE_INPUT_MAX), w2.. the n bytes typed at the console (the root
				   task's UART driver) -> w1 bytes taken (the rest is dropped, as a full UART's) */
	/* ---- more files and directories (any session; numbered apart, 69..79) ---- */
	VFS_MKNOD = 69,	/* w1 dir id, w2 mode (S_IFIFO, S_IFREG or S_IFSOCK | permissions, umask applied); path.
			   S_IFCHR/S_IFBLK/S_IFDIR: -EPERM. A FIFO's open waits for its partner (O_RDONLY for
			   a writer, O_WRONLY for a reader) unless O_NONBLOCK; O_WRONLY|O_NONBLOCK without a
			   reader: -ENXIO */
	VFS_LINK,	/* 70: w1 old dir id, w2 new dir id, w3 AT_SYMLINK_FOLLOW, AT_EMPTY_PATH (old "": w1 is the
			   id of the file, root only, as Linux); "old\0new\0". Not directories
			   (-EPERM); a hard link shares the file: its data, attributes and st_nlink */
	VFS_CHOWN,	/* 71: w1 dir id, w2 uid, w3 gid ((uint32_t)-1: unchanged), w4 AT_SYMLINK_NOFOLLOW or 0;
			   path ("" with w1 = an id: fchown) */
	VFS_UTIMES,	/* 72: w1 dir id, w2 AT_SYMLINK_NOFOLLOW or 0, w3 atime s, w4 atime ns, w5 mtime s,
			   w6 mtime ns (ns: UTIME_NOW, UTIME_OMIT as Linux's); path ("" with w1 = an id) */
	VFS_STATFS,	/* 73: w1 dir id; path ("" with w1 = an id) -> struct vfs_statfs in the long part */
	VFS_SESSION_SID,	/* 74, the proc server's: w1 session, w2 the POSIX session id its process is in now,
				   w3 its process group (0: not told) (spawn, setsid, setpgid; fork and exec inherit them). Terminals know sessions by it: the
				   controlling terminal, /dev/tty (-ENXIO without one), TIOCSCTTY/TIOCNOTTY */
	VFS_TTY_SIGNAL = 75,	/* the proc server's (admin): -> w1 a process group, w2 a signal that a terminal's ISIG character (^C ^Z ^\)
				   or window-size change raised for it; waits until there is one */
	VFS_WRITE_INLINE = 76,	/* w1 id, w2 n (<= VFS_INLINE_MAX) | VFS_IO_TTOU_OFF << 32 or 0, w3.. the n bytes -> as VFS_WRITE: a short write
				   without a long message, so the kernel's fast path carries it */
	VFS_SIG_PENDING = 77,	/* the proc server's (admin): w1 pid, w2 the signals now pending for it (bit n - 1:
				   signal n; 0 forgets it). Told for the processes that made a signalfd */
	/*
	 * ---- data buffers: regular files' data without long messages ----
	 * A data buffer is a VMO of VFS_BUF_SIZE bytes that the server made and
	 * keeps mapped; the caller gets a handle of it and copies through it
	 * with vmo_read/vmo_write (each thread its own, so threads never share
	 * one). The server reads only the bytes of a request's length from it
	 * and writes only those of its answer: what a client scribbles there
	 * only hurts itself. A forked child's session has none of its parent's.
	 */
	VFS_BUF_NEW = 141,	/* -> w1 the buffer's number (>= 1), cap: its VMO; -ENOSPC past VFS_BUFS_MAX */
	VFS_READ_BUF,		/* 142: w1 id, w2 length (<= VFS_BUF_SIZE), w3 offset or VFS_BUF_POS, w4 buffer
				   -> w1 bytes, at the start of the buffer. Regular files only: -EOPNOTSUPP for others */
	VFS_WRITE_BUF,		/* 143: w1 id, w2 length (<= VFS_BUF_SIZE), w3 offset or VFS_BUF_POS (O_APPEND: the end
				   either way), w4 buffer holding the data at its start, w5 (optional) the whole
				   write's length when larger than this piece -> w1 bytes written. As
				   VFS_READ_BUF. With w5 and VFS_BUF_POS, without O_APPEND, the file offset moves
				   past the whole write at once and w2 says where it starts: the caller writes the
				   rest there (explicit offsets) and gives back what it did not write with
				   VFS_POS_UNDO, so no other read or write at the shared offset falls between its
				   pieces. With w5 and O_APPEND (write or pwrite) the file grows by the whole write
				   at once (zeros until written; the offset, for a write, past it), w2 says where
				   it starts and w3 is 1: the caller writes the rest there through the same buffer,
				   in order (a truncate meanwhile drops what falls past the new end), and gives
				   back what it did not write with VFS_APPEND_END, so no other append falls between
				   its pieces. When the whole does not fit (ENOSPC, EFBIG) only the piece is
				   written, at the end, and w2 does not come */
	/*
	 * ---- regular files' reads from the file's own VMO (one copy) ----
	 * The file's data lives in a VMO (shm.c: a tmpfs file's page cache, an
	 * initrd file's image); the server answers a read with where the bytes
	 * lie and the client copies them straight into its memory with
	 * vmo_read on a read-only handle it asked for once per open file. The
	 * handle lets its holder read only what the file holds: past the end
	 * the VMO is zeros (a truncate zeroes what it cuts off).
	 */
	VFS_READ_VMO = 180,	/* w1 id, w2 length (any: cut at the end of the file), w3 offset or VFS_BUF_POS,
				   w4 the generation of the caller's handle of the file's VMO (0: none) -> w1 bytes,
				   w2 the offset in the file (and its VMO) where they start, w3 the VMO's generation;
				   cap, when w4 is not that generation: the VMO, rights READ|TRANSFER|DUPLICATE (no MAP,
				   no WRITE). A tmpfs file's VMO is sized to it and replaced by a larger one as it
				   grows (a new generation; the old one keeps the bytes it had). VFS_BUF_POS: the file
				   offset moves past them in this one request. O_WRONLY: -EBADF; not a regular file
				   of the tree (or no memory for its VMO): -EOPNOTSUPP */
	VFS_POS_UNDO,		/* 181: w1 id, w2 an offset VFS_READ_VMO or a reserving VFS_WRITE_BUF moved the file
				   offset to, w3 an offset <= w2 -> w1 1 if the file offset was still w2 and is now
				   w3, else 0 (another request moved it since: nothing changes). For bytes the
				   caller could not take or give (a bad pointer) */
	VFS_APPEND_END = 182,	/* w1 id, w2 buffer: its O_APPEND write (VFS_WRITE_BUF with w5) ends before it was
				   all written: the rest is cut off the file if nothing came after it, else it
				   stays, zeros; the offset, if the write moved it, goes back to the end of what
				   was written -> w1 1, or 0 when the buffer had none. The session's end does
				   the same for its writes not finished (a writer that died) */
	/* ---- files served by another server (remote.c; see "Remote file systems" below) ---- */
	VFS_REMOTE_MOUNT = 80,	/* (uid 0) w1 dir id; path of an empty directory -> w1 the mount number; cap:
				   the session's capability with GRANT (for answers that carry a VMO). Every
				   path at or below it is the caller's session's to serve from now on */
	VFS_REMOTE_NEXT,	/* (the owner) w1 mount, w2 VFS_READ_NOWAIT or 0 -> the next forwarded request
				   (struct below: w1 op | open flags << 32, w2 tag, w3 handle, w4 a, w5 b,
				   w6 the caller's pid, w7 uid | gid << 32; long: its path or data). Waits for one */
	VFS_REMOTE_ANSWER,	/* (the owner) w1 mount, w2 tag, w3 result (>= 0 or -errno), w4 .. w6 x1 .. x3;
				   long: the data; cap: a VMO (VFS_MMAP: with TRANSFER and DUPLICATE, sent
				   through the mount's capability) -> w1 0. The client's request is answered */
	VFS_REMOTE_READY,	/* (the owner) w1 mount, w2 handle, w3 the POLL* events the file now has */
	/* ---- advisory locks (lockops.c; numbered apart) ---- */
	VFS_LOCK = 137,	/* w1 id, w2 VFS_LOCK_GET/SET/WAIT | VFS_LOCK_POSIX/OFD/FLOCK << 8, w3 F_RDLCK/F_WRLCK/F_UNLCK
			   | whence << 16, w4 start, w5 length (as struct flock's: 0 to the end, negative: before
			   start; flock: whole file) -> GET: w2 the type of a lock in the way (F_UNLCK: none),
			   w3 its start, w4 its length (0: to the end), w5 its process (-1: an OFD lock).
			   SET: -EAGAIN if another owner's lock is in the way; WAIT waits for it (as a blocked read)
			   unless two processes would wait for each other (-EDEADLK). Pipes, sockets and
			   pseudo-terminals keep theirs as nodes do; remote files (/proc): -EINVAL. A record lock's owner is the session's process: any close of
			   the file by it, and its end, release them; OFD and flock locks go with the open file */
	/* ---- /proc/<pid>/fd (the proc server's, admin; numbered apart) ---- */
	VFS_FD_PATH = 153,	/* w1 session, w2 id -> w1 the length; long: what readlink of /proc/<pid>/fd/N
				   says of that open file, as Linux: the path of a file in the tree ("/dev/null";
				   " (deleted)" after it when it has no name), "pipe:[ino]", "socket:[ino]",
				   "anon_inode:[eventfd]" ([eventpoll], [timerfd], [signalfd]), a remote
				   file's path as opened. -EBADF: no such id */
	VFS_SESSION_CWD = 183,	/* (admin) w1 session -> as VFS_GETCWD for that session (/proc/<pid>/cwd) */
	/* ---- /sys entries of device servers (sysfs.c; see "sysfs devices" below) ---- */
	VFS_SYSFS_DEVICE = 184,	/* (uid 0) w1 VFS_SYSFS_* flags, w2 major, w3 minor (both 0: no device
				   number), w4 counts: attributes | uevent lines << 8 | links << 16; long: the
				   packed strings below -> w1 0. With VFS_SYSFS_UNREGISTER: long the devpath
				   alone, w2-w4 0 */
	VFS_SESSION_CRED = 185,	/* (admin) w1 session, w2 uid, w3 gid: the ids its permission checks use
				   from now on (the process's effective ids, after a setuid) */
	/* ---- the server's own timer thread (badge 0) ---- */
	VFS_TICK = 96,		/* a poll deadline passed: answer the waiters whose time is up */
};

/*
 * sysfs devices (VFS_SYSFS_DEVICE). A device server whose session has uid 0
 * lays out a device in /sys as Linux does; its long part is NUL-terminated
 * strings, packed, exactly filling it:
 *   class name, device name, devname, devpath,
 *   then per attribute: its name, its contents;
 *   then each extra uevent line (as "KEY=value", without the newline);
 *   then per link: its name, its target.
 * The vfs makes /sys/devices/<devpath>/ holding "dev" ("major:minor\n"; with a
 * number), "uevent" (MAJOR=, MINOR=, DEVNAME=<devname or the name> with a
 * number, then the extra lines), "subsystem" (a link to /sys/class/<class>,
 * or /sys/bus/<class> with VFS_SYSFS_BUS), the attribute files and the links
 * (targets relative, staying inside /sys: "device" -> "../../../0000:00:02.0");
 * /sys/class/<class>/<name> (/sys/bus/<class>/devices/<name>) and
 * /sys/dev/char/<major>:<minor> link to it. An empty class name: no class,
 * no subsystem link. Names are one component of at most VFS_SYSFS_NAME_MAX
 * bytes (not "." or ".."); the devpath and devname are relative paths of such
 * components, at most VFS_SYSFS_PATH_MAX bytes. Errors: -EPERM for another
 * uid; -EINVAL for a bad name, path, link target or count, or a blob that is
 * truncated or runs on; -EEXIST when the device, its class entry or its
 * number is there already; -ENOSPC past VFS_SYSFS_SESSION_MAX devices of a
 * session. Nothing is made unless everything is. The entries are the
 * session's: they go when it ends, or with VFS_SYSFS_UNREGISTER (its own
 * devices only: -ENOENT for any other devpath), with every device registered
 * below them.
 */
#define VFS_SYSFS_UNREGISTER 1	/* VFS_SYSFS_DEVICE: remove the session's device at the devpath */
#define VFS_SYSFS_BUS 2		/* VFS_SYSFS_DEVICE: the class name is a bus's (pci, virtio) */
#define VFS_SYSFS_NAME_MAX 64
#define VFS_SYSFS_PATH_MAX 192
#define VFS_SYSFS_VALUE_MAX 1024	/* bytes of one attribute's contents */
#define VFS_SYSFS_ATTRS_MAX 16	/* attributes, uevent lines and links of one device (each) */
#define VFS_SYSFS_SESSION_MAX 16	/* devices of one session */

/*
 * Remote file systems (VFS_REMOTE_*). A server (a driver owning device files,
 * the proc server's /proc) mounts an empty directory with its own session;
 * from then on every lookup that reaches that directory is forwarded, with
 * the rest of the path, and the open files it makes (kind FILE_REMOTE here)
 * forward their reads, writes, fstat, getdents, ioctls and mmaps. The vfs
 * never calls the owner: it queues each request and saves the client's reply;
 * the owner takes requests with VFS_REMOTE_NEXT (which waits like a read)
 * and answers each one by its tag with VFS_REMOTE_ANSWER, in any order and
 * whenever it likes. Readiness for poll/epoll is what the owner last said
 * with VFS_REMOTE_READY (or the open's x3), which the owner sends before the
 * answer that changed it. When the owner's session ends,
 * every waiting client gets -EIO, the mount is gone, and the files it opened
 * read and write -EIO and poll POLLERR | POLLHUP.
 *
 * A forwarded request (the reply to VFS_REMOTE_NEXT), by op:
 *   VFS_OPEN      a = O_* flags, b = mode; path relative to the mount ("" = the mount itself;
 *                 never "." or ".." components: the vfs takes those, and a chdir into the
 *                 tree comes as an open with O_DIRECTORY)
 *                 -> answer result 0, x1 the owner's handle, x2 st_mode, x3 POLL* events;
 *                 long (optional): where the file is, relative to the mount, as the owner
 *                 resolved the path ("self" -> "<pid>"; NUL-terminated, no "." or "..":
 *                 else ignored), for getcwd and for paths relative to an open directory;
 *                 or result VFS_REMOTE_REOPEN, x1 an id of the client's own session: the
 *                 client gets a new open file of what that id holds, with its open's flags
 *                 (/proc/self/fd/N: a file in the tree opened again as the client may,
 *                 a new end of a pipe; a socket or an anonymous file: -ENXIO, as Linux)
 *   VFS_STATAT    a = AT_SYMLINK_NOFOLLOW or 0; path -> long: struct vfs_stat
 *   VFS_READLINK  path -> result the length; long: the target
 *   VFS_ACCESS    a = R_OK|W_OK|X_OK or F_OK; path -> result 0 or -errno
 *   (these four)  -> or result VFS_REMOTE_FOLLOW; long: an absolute path with its NUL, the
 *                 target of a symbolic link on the path that leads out of the tree, then
 *                 the rest of the path after it (/proc/self/cwd/x: "<the cwd>/x"): the
 *                 client looks that up instead (-VFS_EFOLLOW), counting towards ELOOP
 *   VFS_READ      handle, a = length, b = offset -> result bytes; long: the data
 *   VFS_WRITE     handle, b = offset; long: the data -> result bytes taken
 *   VFS_STAT      handle -> long: struct vfs_stat
 *   VFS_GETDENTS  handle, a = length, b = position -> result bytes; long: linux_dirent64
 *                 records; x1 the next position
 *   VFS_IOCTL     handle, a = request, b = argument; long: the bytes it reads
 *                 -> long: the bytes it writes (sized as the client's VFS_IOCTL)
 *   VFS_MMAP      handle, a = 1 for a writable shared mapping -> result the size; cap: the VMO
 *   VFS_CLOSE     handle, tag 0: not answered (the last reference went)
 * The open flags (op's high word) carry O_NONBLOCK: the owner should answer
 * -EAGAIN rather than hold a read or write.
 */

#define VFS_EPOLL_MAX (VFS_IO_MAX / 16)	/* events in one VFS_EPOLL_WAIT answer */

/* One event of VFS_EPOLL_WAIT: Linux's EPOLL* bits and the data given to VFS_EPOLL_CTL. */
struct vfs_epoll_event {
	uint32_t events, pad;
	uint64_t data;
};

/* One entry of VFS_POLL_WAIT. */
struct vfs_pollfd {
	uint32_t id;
	int16_t events, revents;
};

/* File attributes as the server keeps them; the translation layer fills struct stat from these. */
struct vfs_stat {
	uint64_t dev, ino, mode, nlink, uid, gid, rdev, size, blksize, blocks;
	int64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};

/* A file system's figures (VFS_STATFS); the translation layer fills struct statfs from these. */
struct vfs_statfs {
	uint64_t type, bsize, blocks, bfree, files, ffree, namelen, flags;	/* flags: ST_RDONLY */
};

/* struct termios as Linux's TCGETS/TCSETS carry it (c_cc has 19 entries, no speeds). */
struct vfs_termios {
	uint32_t iflag, oflag, cflag, lflag;
	uint8_t line;
	uint8_t cc[19];
};

/* struct winsize. */
struct vfs_winsize {
	uint16_t row, col, xpixel, ypixel;
};
