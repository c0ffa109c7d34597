/*
 * Linux's calls on descriptors, turned into vfs requests (proto/vfs.h):
 * open, close, read and write (looping over VFS_IO_MAX pieces), seeks,
 * attributes, directory listing, dup and fcntl, pipes (ioctl is tty.c's,
 * poll poll.c's, sockets socket.c's). User buffers go through the kernel (px_copy_in/out), so a bad
 * pointer is EFAULT here and never reaches the server.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <termios.h>
#include <veridian/vr.h>

#include "fd.h"
#include "file.h"
#include "ipc.h"
#include "posix.h"
#include "proto/vfs.h"

#define CONSOLE_RDEV (5 << 8 | 1) /* /dev/console's device number, as Linux's */

static unsigned file_mask = 022;

/* The requests whose path a remote tree may send elsewhere (-VFS_EFOLLOW, proto/vfs.h). */
static bool follows(uint32_t op)
{
	return op == VFS_OPEN || op == VFS_CHDIR || op == VFS_STATAT || op == VFS_READLINK ||
	       op == VFS_ACCESS || op == VFS_MKDIR || op == VFS_UNLINK || op == VFS_MKNOD ||
	       op == VFS_CHMOD || op == VFS_CHOWN || op == VFS_UTIMES || op == VFS_STATFS ||
	       op == VFS_RENAME || op == VFS_LINK || op == VFS_SYMLINK || op == VFS_BIND ||
	       op == VFS_CONNECT;
}

/*
 * px_vfs_call, whose each new path a remote tree gave (-VFS_EFOLLOW) is also
 * copied to @last (VFS_IO_MAX bytes; may be NULL); *@hops counts them.
 */
static long call_following(uint32_t op, const uint64_t *w, unsigned nw, size_t len, uint64_t r[8],
			   char *last, int *hops)
{
	int each[2] = {0, 0};

	*hops = 0;
	if (!px_vfs)
		return -ENOENT;
	long got = px_call(px_vfs, op, w, nw, len ? px_ipc_buffer() : NULL, len, r);
	/*
	 * A symbolic link of a remote tree (/proc/self/cwd) led out of it: the
	 * same request again with the path the answer gave, which is in the
	 * IPC buffer where the request's path was (a request of two paths gets
	 * both back, and w2 says which one changed: each has its own count).
	 */
	for (; got == -VFS_EFOLLOW && follows(op); ++*hops) {
		size_t n = px_reply_len(r[0]);
		if (each[(r[0] & 15) >= 2 && r[2] == 1]++ == VFS_FOLLOW_MAX)
			return -ELOOP;
		if (!n || n > VFS_IO_MAX)
			return -EIO;
		if (last)
			memcpy(last, px_ipc_buffer(), n);
		got = px_call(px_vfs, op, w, nw, px_ipc_buffer(), n, r);
	}
	return got == -VFS_EFOLLOW ? -EIO : got;
}

long px_vfs_call(uint32_t op, const uint64_t *w, unsigned nw, size_t len, uint64_t r[8])
{
	int hops;

	return call_following(op, w, nw, len, r, NULL, &hops);
}

long px_vfs_follow(const char *path, char *out)
{
	uint64_t r[8], w[3] = {0, F_OK, 0};
	long len = px_copy_path(0, path);
	int hops;

	if (len < 0)
		return len;
	long err = px_dir_id(AT_FDCWD, px_ipc_buffer(), &w[0]);
	if (!err)
		err = call_following(VFS_ACCESS, w, 3, (size_t)len, r, out, &hops);
	return err < 0 ? err : hops;
}

void px_vfs_close(uint64_t id)
{
	uint64_t r[8];

	if (px_vfs)
		px_call_sure(px_vfs, VFS_CLOSE, &id, 1, r);
}

/* The vfs id of @fd (-EBADF if not open, -EINVAL if it is not a vfs file). */
static long vfs_id(int fd, struct px_file **out)
{
	struct px_file *f = px_fd_file(fd);

	if (!f)
		return -EBADF;
	if (out)
		*out = f;
	return f->kind == PX_FILE_VFS ? 0 : -EINVAL;
}

long px_dir_id(long dirfd, const char *copied_path, uint64_t *id)
{
	struct px_file *f;

	if ((int)dirfd == AT_FDCWD || copied_path[0] == '/') {
		*id = VFS_AT_CWD;
		return 0;
	}
	long err = vfs_id((int)dirfd, &f);
	if (err == -EINVAL)
		return -ENOTDIR;
	if (err)
		return err;
	*id = f->id;
	return 0;
}

unsigned px_umask(void)
{
	return file_mask;
}

void px_umask_set(unsigned mask)
{
	file_mask = mask & 0777;
}

long px_umask_call(const long *args)
{
	unsigned old = file_mask;

	file_mask = (unsigned)args[0] & 0777;
	return old;
}

long px_openat(const long *args)
{
	long dirfd = args[0], flags = args[2];
	uint64_t r[8], w[3];
	long len = px_copy_path(0, (const char *)args[1]), err;

	if (len < 0)
		return len;
	if ((err = px_dir_id(dirfd, px_ipc_buffer(), &w[0])))
		return err;
	w[1] = (uint64_t)flags;
	w[2] = (flags & (O_CREAT | O_TMPFILE)) ? (uint64_t)args[3] & ~file_mask & 07777 : 0;
	long id = px_vfs_call(VFS_OPEN, w, 3, (size_t)len, r);
	if (id < 0)
		return id;
	int fd = px_fd_new(PX_FILE_VFS, (uint64_t)id, (uint32_t)r[2], 0, flags & O_CLOEXEC);
	if (fd < 0) {
		uint64_t c = (uint64_t)id;
		px_vfs_close(c);
	}
	return fd;
}

long px_open(const long *args)
{
	const long a[4] = {AT_FDCWD, args[0], args[1], args[2]};

	return px_openat(a);
}

long px_close(const long *args)
{
	return px_fd_close((int)args[0]);
}

/* S_IFMT of an open file (asked of the server the first time for inherited ones). */
static uint32_t file_type(struct px_file *f)
{
	if (f->kind == PX_FILE_CONSOLE)
		return S_IFCHR;
	if (!f->type) {
		uint64_t r[8], w = f->id;
		if (px_vfs_call(VFS_STAT, &w, 1, 0, r) >= 0 && px_reply_len(r[0]) >= sizeof(struct vfs_stat))
			f->type = (uint32_t)((struct vfs_stat *)px_ipc_buffer())->mode & S_IFMT;
	}
	return f->type;
}

/*
 * This thread's data buffer (VFS_BUF_NEW): regular files' larger writes go
 * through it (their reads come from the file's VMO: vmo_read_file), copied
 * by the kernel from the caller's memory (so a bad pointer is still EFAULT
 * here), without a long message.
 * One a thread, so threads never share one. The server gives a session
 * VFS_BUFS_MAX at most and an exited thread's is not used again (its
 * thread-local data may be gone before its last call: musl's __unmapself),
 * so a thread that is refused one takes the IPC buffer's path.
 */
#define BUF_MIN 1024	/* smaller transfers (reads too) take the IPC buffer (the dynamic linker's 896-byte reads among them) */
static __thread uint64_t data_buf;	/* its number, 0: none yet */
static __thread handle_t data_vmo;
static __thread bool data_buf_refused;

static uint64_t data_buffer(void)
{
	uint64_t r[8];

	if (data_buf || data_buf_refused)
		return data_buf;
	long n = px_vfs_call(VFS_BUF_NEW, NULL, 0, 0, r);
	unsigned words = r[0] & 15, caps = (r[0] >> 4) & 3;
	if (n <= 0 || caps != 1 || words < 2) {
		data_buf_refused = n != -EINTR;
		return 0;
	}
	data_vmo = r[1 + words - caps];
	return data_buf = (uint64_t)n;
}

void px_vfs_buffer_forked(void)
{
	/* The handle was not copied, and the child's session has no buffers. */
	data_buf = 0;
	data_vmo = 0;
	data_buf_refused = false;
}

void px_vfs_buffer_keep(struct px_keep *k)
{
	px_keep(k, &data_buf, sizeof(data_buf));
	px_keep(k, &data_vmo, sizeof(data_vmo));
	px_keep(k, &data_buf_refused, sizeof(data_buf_refused));
}

/* Whether a transfer of @len bytes of @f goes through the data buffer. */
static bool buffered(struct px_file *f, size_t len)
{
	return len >= BUF_MIN && !f->unbuffered && file_type(f) == S_IFREG && data_buffer();
}

/*
 * The bytes a write takes: a list of pieces (one for write, writev's
 * iovecs), read from @from on as one run.
 */
struct pieces {
	const struct iovec *iov;
	int n;
};

/*
 * Copies @len bytes from @from of @p into the data buffer (@vmo) or at the
 * start of the IPC buffer (@vmo 0), through the kernel: the bytes copied
 * before the first piece with a bad pointer, or -EFAULT when that is none.
 */
static long gather(const struct pieces *p, size_t from, size_t len, handle_t vmo)
{
	size_t done = 0;

	for (int i = 0; i < p->n && done < len; i++) {
		size_t k = p->iov[i].iov_len;
		if (from >= k) {
			from -= k;
			continue;
		}
		k -= from;
		if (k > len - done)
			k = len - done;
		const char *user = (const char *)p->iov[i].iov_base + from;
		if (vmo ? vr_vmo_write(vmo, user, done, k) != 0 : px_copy_in(done, user, k) != 0)
			break;
		done += k;
		from = 0;
	}
	return done ? (long)done : -EFAULT;
}

/*
 * One VFS_WRITE_BUF of at most VFS_BUF_SIZE bytes of @len at @at (< 0: the
 * file's offset): the bytes written, or -errno; -EOPNOTSUPP marks @f
 * unbuffered. A first piece of a longer write says the whole length, and
 * the server may reserve the whole at once: the shared offset moved past it
 * (a write), or for an O_APPEND file the whole range at its end (*append).
 * *reserved is then where the write starts (else it stays < 0), and the
 * rest goes there piece by piece.
 */
static long buffer_write(struct px_file *f, const struct pieces *p, size_t from, size_t len, int64_t at,
			 int64_t *reserved, bool *append)
{
	bool whole = *reserved < 0 && len > VFS_BUF_SIZE;
	uint64_t r[8], w[5] = {f->id, len < VFS_BUF_SIZE ? len : VFS_BUF_SIZE,
			       at < 0 ? VFS_BUF_POS : (uint64_t)at, data_buf, len};
	long copied = gather(p, from, w[1], data_vmo);

	if (copied < 0)
		return copied;
	/* A bad pointer part-way: the bytes before it, and the caller stops there (a short piece). */
	w[1] = (uint64_t)copied;
	/*
	 * A piece of a reserved write is sent again when a signal took its
	 * wait before the server saw it: a signal must not cut a hole in it.
	 */
	long got = *reserved >= 0 ? px_call_sure(px_vfs, VFS_WRITE_BUF, w, 4, r)
				  : px_vfs_call(VFS_WRITE_BUF, w, whole ? 5 : 4, 0, r);
	if (got == -EOPNOTSUPP)
		f->unbuffered = true;
	if (got > (long)w[1])
		return -EIO;
	if (got >= 0 && whole && (r[0] & 15) >= 2) {
		*reserved = (int64_t)r[2];
		*append = (r[0] & 15) >= 3 && r[3] == 1;
	}
	return got;
}

/*
 * A reserved write (buffer_write) that wrote @done of its @len bytes gives
 * the rest back: the shared offset (VFS_POS_UNDO), or an append's range
 * (VFS_APPEND_END: cut off the file unless another append followed it).
 */
static void give_back(struct px_file *f, int64_t reserved, size_t len, long done, bool append)
{
	uint64_t r[8], u[3] = {f->id, (uint64_t)reserved + len, (uint64_t)reserved + (uint64_t)done};

	if (append) {
		u[1] = data_buf;
		px_call_sure(px_vfs, VFS_APPEND_END, u, 2, r);
	} else {
		px_vfs_call(VFS_POS_UNDO, u, 3, 0, r);
	}
}

/*
 * read/pread through the IPC buffer: @at < 0 reads at the file's offset, in
 * VFS_IO_MAX pieces until a short one.
 */
static long ipc_read(struct px_file *f, char *buf, size_t len, int64_t at, uint32_t type)
{
	bool regular = type == S_IFREG;
	long err, done = 0;

	do {
		size_t n = len - (size_t)done < VFS_IO_MAX ? len - (size_t)done : VFS_IO_MAX;
		/* Pipes and devices: only the first piece may wait; the rest is what is there. */
		uint64_t nowait = done && !regular ? VFS_READ_NOWAIT : 0;
		if (type == S_IFCHR && px_sig_off(SIGTTIN))	/* a terminal's background reader */
			nowait |= VFS_IO_TTIN_OFF;
		uint64_t r[8], w[3] = {f->id, n, at < 0 ? nowait | VFS_READ_INLINE : (uint64_t)(at + done)};
		long got = px_vfs_call(at < 0 ? VFS_READ : VFS_PREAD, w, 3, 0, r);
		/* A background process group reading its terminal: SIGTTIN, then again. */
		if (got == -VFS_EBACKGROUND && !done && !(err = px_tty_background(SIGTTIN)))
			continue;
		if (got == -VFS_EBACKGROUND)
			got = err;
		/* A signalfd this program did not make (inherited across execve). */
		if (got == -EINVAL && !done && at < 0 && px_signalfd_is(f))
			return px_signalfd_read(f, buf, len);
		if (got < 0)
			return done ? done : got;
		if (got > (long)n)
			return done ? done : -EIO;
		if (got && at < 0 && !px_reply_len(r[0]) && got <= VFS_INLINE_MAX &&
		    (r[0] & 15) >= 1 + ((size_t)got + 7) / 8)
			memcpy(px_ipc_buffer(), &r[2], (size_t)got);	/* the bytes came in the words */
		else if (got && px_reply_len(r[0]) != (size_t)got)
			return done ? done : -EIO;
		if (got && (err = px_copy_out(buf + done, (size_t)got)))
			return done ? done : err;
		done += got;
		if ((size_t)got < n)
			break;
	} while ((size_t)done < len);
	return done;
}

/*
 * Copies @len bytes at @start of the file's VMO into @user, or as many as
 * fit before a bad page (page by page once the whole copy failed): the
 * count, -EFAULT when none did, or the kernel's error (a handle another
 * thread closed as the file moved: the caller reads them otherwise).
 */
static long vmo_copy_out(handle_t vmo, char *user, uint64_t start, size_t len)
{
	size_t done = 0;
	int64_t err = vr_vmo_read(vmo, user, start, len);

	if (err != -EFAULT)
		return err ? err : (long)len;
	while (done < len) {
		size_t n = VR_PAGE - (uintptr_t)(user + done) % VR_PAGE;
		if (n > len - done)
			n = len - done;
		if (vr_vmo_read(vmo, user + done, start + done, n))
			break;
		done += n;
	}
	return done ? (long)done : -EFAULT;
}

/*
 * A regular file's read with one copy (VFS_READ_VMO): the server says where
 * the bytes lie in the file's VMO, moving the offset past all of them in
 * that one request, and the kernel copies them from there into @user. The
 * read-only handle comes with the first read and is kept with the open
 * file; the server sends a new one when the file has moved into a larger
 * VMO (its generation changed). Bytes a bad pointer could not take are
 * given back (VFS_POS_UNDO), so a read into a partly bad buffer returns
 * what it copied, as on Linux.
 */
static long vmo_read_file(struct px_file *f, char *user, size_t len, int64_t at)
{
	handle_t vmo = __atomic_load_n(&f->vmo, __ATOMIC_ACQUIRE), mine = 0;
	uint64_t r[8], w[4] = {f->id, len, at < 0 ? VFS_BUF_POS : (uint64_t)at,
			       vmo ? __atomic_load_n(&f->vmo_gen, __ATOMIC_RELAXED) : 0};
	long got = px_vfs_call(VFS_READ_VMO, w, 4, 0, r);
	unsigned words = r[0] & 15, caps = (r[0] >> 4) & 3;

	if (got == -EOPNOTSUPP)
		f->unbuffered = true;
	if (got < 0)
		return got;
	if (caps == 1 && words >= 4) {
		handle_t old = vmo, got_vmo = r[1 + words - caps];
		if (__atomic_compare_exchange_n(&f->vmo, &old, got_vmo, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			__atomic_store_n(&f->vmo_gen, r[3], __ATOMIC_RELAXED);
			if (vmo)
				vr_handle_close(vmo);	/* a thread still copying from it reads otherwise */
		} else {
			mine = got_vmo;	/* another thread's came first: this read uses its own, then closes it */
		}
		vmo = got_vmo;
	}
	if ((size_t)got > len || words < 3 || (got && !vmo)) {
		if (mine)
			vr_handle_close(mine);
		return -EIO;
	}
	uint64_t start = r[2];
	long done = got ? vmo_copy_out(vmo, user, start, (size_t)got) : 0;
	if (mine)
		vr_handle_close(mine);
	if (done < 0 && done != -EFAULT)
		done = ipc_read(f, user, (size_t)got, (int64_t)start, S_IFREG);
	if (at < 0 && done != got) {
		uint64_t u[3] = {f->id, start + (uint64_t)got, start + (uint64_t)(done > 0 ? done : 0)};
		px_vfs_call(VFS_POS_UNDO, u, 3, 0, r);
	}
	return done;
}

/* read/pread: @at < 0 reads at the file's offset. */
static long read_file(int fd, char *buf, size_t len, int64_t at)
{
	struct px_file *f;
	long err = vfs_id(fd, &f);

	if (err)
		return err == -EINVAL ? 0 : err;	/* the console reads as end of file */
	if (f->type == PX_TYPE_SIGNALFD)
		return at < 0 ? px_signalfd_read(f, buf, len) : -ESPIPE;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	if (!len)
		return 0;
	uint32_t type = file_type(f);
	if (type == S_IFREG && len >= BUF_MIN && !f->unbuffered) {
		long got = vmo_read_file(f, buf, len, at);
		if (got != -EOPNOTSUPP)
			return got;
	}
	return ipc_read(f, buf, len, at, type);
}

/* write, pwrite, writev and pwritev: @len bytes of @p; @at < 0 writes at the file's offset. */
static long write_file(int fd, const struct pieces *p, size_t len, int64_t at)
{
	struct px_file *f;
	long err = vfs_id(fd, &f), done = 0;

	if (err == -EINVAL) {
		/* The console (fds 1 and 2 of a program without a session). */
		for (int i = 0; i < p->n && (size_t)done < len && done < 65536; i++) {
			size_t k = p->iov[i].iov_len < len - (size_t)done ? p->iov[i].iov_len : len - (size_t)done;
			if (k > 65536 - (size_t)done)
				k = 65536 - (size_t)done;
			int64_t e = vr_debug_write(p->iov[i].iov_base, k);
			if (e < 0)
				return done ? done : e;
			done += (long)k;
		}
		return done;
	}
	if (err)
		return err;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	/*
	 * Regular files through the data buffer. A write of several pieces
	 * takes its whole range with the first (reserved: where it starts) -
	 * of the shared offset, or of an O_APPEND file's end - writes the rest
	 * at explicit offsets and gives back what it did not write, so no
	 * other thread's read or write at that offset, and no other append,
	 * falls between its pieces.
	 */
	int64_t reserved = -1;
	bool append = false;
	while (reserved >= 0 || buffered(f, len - (size_t)done)) {
		int64_t pos = reserved >= 0 ? reserved + done : at < 0 ? -1 : at + done;
		long put = buffer_write(f, p, (size_t)done, len - (size_t)done, pos, &reserved, &append);
		if (put == -EOPNOTSUPP && !done)
			break;
		if (put > 0)
			done += put;
		if (put < 0 || (size_t)put < VFS_BUF_SIZE || (size_t)done == len) {
			if (reserved >= 0 && (size_t)done < len)
				give_back(f, reserved, len, done, append);
			return done ? done : put;
		}
	}
	if ((size_t)done == len && len)
		return done;
	do {
		size_t n = len - (size_t)done < VFS_IO_MAX ? len - (size_t)done : VFS_IO_MAX;
		uint64_t ttou = at < 0 && file_type(f) == S_IFCHR && px_sig_off(SIGTTOU) ? VFS_IO_TTOU_OFF : 0;
		uint64_t r[8], w[2 + VFS_INLINE_MAX / 8] = {f->id, at < 0 ? ttou : (uint64_t)(at + done)};
		long put = n ? gather(p, (size_t)done, n, 0) : 0;
		if (put < 0)
			return done ? done : put;
		/* A bad pointer part-way: the bytes before it, then a short count. */
		bool fault = (size_t)put < n;
		n = (size_t)put;
		if (at < 0 && n && n <= VFS_INLINE_MAX) {
			/* A short write: its bytes in the message words (the kernel's fast path). */
			w[1] = n | ttou << 32;
			memcpy(&w[2], px_ipc_buffer(), n);
			put = px_vfs_call(VFS_WRITE_INLINE, w, 2 + (unsigned)(n + 7) / 8, 0, r);
		} else {
			put = px_vfs_call(at < 0 ? VFS_WRITE : VFS_PWRITE, w, 2, n, r);
		}
		/* A background process group writing its terminal with TOSTOP: SIGTTOU, then again. */
		if (put == -VFS_EBACKGROUND && !done && !(err = px_tty_background(SIGTTOU)))
			continue;
		if (put == -VFS_EBACKGROUND)
			put = err;
		if (put < 0)
			return done ? done : put;
		done += put;
		if (fault)
			break;
		/* A stream socket takes all unless non-blocking (then the next piece is -EAGAIN). */
		if ((size_t)put < n && file_type(f) != S_IFSOCK)
			break;
	} while ((size_t)done < len);
	return done;
}

long px_read(const long *args)
{
	return read_file((int)args[0], (char *)args[1], (size_t)args[2], -1);
}

/* write and pwrite: one piece. */
static long write_one(int fd, const char *buf, size_t len, int64_t at)
{
	struct iovec iov = {(void *)buf, len};
	const struct pieces p = {&iov, 1};

	if (len > SSIZE_MAX)
		iov.iov_len = len = SSIZE_MAX;
	return write_file(fd, &p, len, at);
}

long px_write(const long *args)
{
	return write_one((int)args[0], (const char *)args[1], (size_t)args[2], -1);
}

long px_pread64(const long *args)
{
	return args[3] < 0 ? -EINVAL : read_file((int)args[0], (char *)args[1], (size_t)args[2], args[3]);
}

long px_pwrite64(const long *args)
{
	return args[3] < 0 ? -EINVAL
			   : write_one((int)args[0], (const char *)args[1], (size_t)args[2], args[3]);
}

#define IOV_CHUNK (VFS_IO_MAX / sizeof(struct iovec))	/* iovecs copied in at once */

/*
 * readv, writev, preadv and pwritev (@at < 0: at the file's offset). A
 * write is one write of all the pieces, as Linux's: one append for an
 * O_APPEND file, one range of the offset, one datagram. A read is one
 * piece after another, stopping at a short one.
 */
static long vector(const long *args, bool writing, int64_t at)
{
	long n = args[2], done = 0;
	size_t total = 0;

	if (n < 0 || n > IOV_MAX)
		return -EINVAL;
	if (!px_fd_file((int)args[0]))
		return -EBADF;
	struct iovec *iov = malloc((size_t)(n ? n : 1) * sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	for (long i = 0; i < n; i += (long)IOV_CHUNK) {
		size_t k = (size_t)(n - i) < IOV_CHUNK ? (size_t)(n - i) : IOV_CHUNK;
		if (px_copy_in(0, (const struct iovec *)args[1] + i, k * sizeof(*iov))) {
			free(iov);
			return -EFAULT;
		}
		memcpy(iov + i, px_ipc_buffer(), k * sizeof(*iov));
	}
	/* As Linux: a total beyond SSIZE_MAX is EINVAL. */
	for (long i = 0; i < n; i++) {
		if (iov[i].iov_len > (size_t)SSIZE_MAX - total) {
			free(iov);
			return -EINVAL;
		}
		total += iov[i].iov_len;
	}
	if (writing) {
		const struct pieces p = {iov, (int)n};
		done = total ? write_file((int)args[0], &p, total, at) : 0;
		free(iov);
		return done;
	}
	for (long i = 0; i < n; i++) {
		if (!iov[i].iov_len)
			continue;
		long r = read_file((int)args[0], iov[i].iov_base, iov[i].iov_len, at < 0 ? -1 : at + done);
		if (r < 0 && !done)
			done = r;
		if (r < 0)
			break;
		done += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	free(iov);
	return done;
}

long px_readv(const long *args)
{
	return vector(args, false, -1);
}

long px_writev(const long *args)
{
	return vector(args, true, -1);
}

long px_preadv(const long *args)
{
	return args[3] < 0 ? -EINVAL : vector(args, false, args[3]);
}

long px_pwritev(const long *args)
{
	return args[3] < 0 ? -EINVAL : vector(args, true, args[3]);
}

long px_lseek(const long *args)
{
	struct px_file *f;
	long err = vfs_id((int)args[0], &f);
	uint64_t r[8], w[3] = {0, (uint64_t)args[1], (uint64_t)args[2]};

	if (err)
		return err == -EINVAL ? -ESPIPE : err;
	w[0] = f->id;
	return px_vfs_call(VFS_SEEK, w, 3, 0, r);
}

/* Fills the caller's struct stat (Linux's layout, which musl's is on these architectures). */
static long put_stat(const struct vfs_stat *v, struct stat *user)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_dev = v->dev;
	st.st_ino = v->ino;
	st.st_mode = (mode_t)v->mode;
	st.st_nlink = (nlink_t)v->nlink;
	st.st_uid = (uid_t)v->uid;
	st.st_gid = (gid_t)v->gid;
	st.st_rdev = v->rdev;
	st.st_size = (off_t)v->size;
	st.st_blksize = (blksize_t)v->blksize;
	st.st_blocks = (blkcnt_t)v->blocks;
	st.st_atim = (struct timespec){v->atime_sec, v->atime_nsec};
	st.st_mtim = (struct timespec){v->mtime_sec, v->mtime_nsec};
	st.st_ctim = (struct timespec){v->ctime_sec, v->ctime_nsec};
	memcpy(px_ipc_buffer(), &st, sizeof(st));
	return px_copy_out(user, sizeof(st));
}

/* The answer of VFS_STAT/VFS_STATAT, now in the IPC buffer. */
static long stat_reply(long result, const uint64_t r[8], struct stat *user)
{
	struct vfs_stat v;

	if (result < 0)
		return result;
	if (px_reply_len(r[0]) < sizeof(v))
		return -EIO;
	memcpy(&v, px_ipc_buffer(), sizeof(v));
	return put_stat(&v, user);
}

long px_fstat(const long *args)
{
	struct px_file *f;
	long err = vfs_id((int)args[0], &f);
	uint64_t r[8];

	if (err == -EINVAL) {
		const struct vfs_stat console = {.mode = S_IFCHR | 0620, .nlink = 1, .rdev = CONSOLE_RDEV,
						 .blksize = 1024};
		return put_stat(&console, (struct stat *)args[1]);
	}
	if (err)
		return err;
	return stat_reply(px_vfs_call(VFS_STAT, &f->id, 1, 0, r), r, (struct stat *)args[1]);
}

long px_newfstatat(const long *args)
{
	long flags = args[3], err;
	uint64_t r[8], w[2];

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	long len = px_copy_path(0, (const char *)args[1]);
	if (len < 0)
		return len;
	if (len == 1 && (flags & AT_EMPTY_PATH)) {
		if ((int)args[0] == AT_FDCWD)
			return -ENOENT;	/* not yet: the working directory's own attributes */
		const long a[2] = {args[0], args[2]};
		return px_fstat(a);
	}
	if ((err = px_dir_id(args[0], px_ipc_buffer(), &w[0])))
		return err;
	w[1] = flags & AT_SYMLINK_NOFOLLOW;
	return stat_reply(px_vfs_call(VFS_STATAT, w, 2, (size_t)len, r), r, (struct stat *)args[2]);
}

long px_stat(const long *args)
{
	const long a[4] = {AT_FDCWD, args[0], args[1], 0};

	return px_newfstatat(a);
}

long px_lstat(const long *args)
{
	const long a[4] = {AT_FDCWD, args[0], args[1], AT_SYMLINK_NOFOLLOW};

	return px_newfstatat(a);
}

long px_getdents64(const long *args)
{
	struct px_file *f;
	long err = vfs_id((int)args[0], &f);
	size_t len = (size_t)args[2] < VFS_IO_MAX ? (size_t)args[2] : VFS_IO_MAX;
	uint64_t r[8], w[2];

	if (err)
		return err == -EINVAL ? -ENOTDIR : err;
	w[0] = f->id;
	w[1] = len;
	long got = px_vfs_call(VFS_GETDENTS, w, 2, 0, r);
	if (got <= 0)
		return got;
	if ((size_t)got > len || px_reply_len(r[0]) != (size_t)got)
		return -EIO;
	return (err = px_copy_out((void *)args[1], (size_t)got)) ? err : got;
}

long px_ftruncate(const long *args)
{
	struct px_file *f;
	long err = vfs_id((int)args[0], &f);
	uint64_t r[8], w[2];

	if (err)
		return err == -EINVAL ? -EINVAL : err;
	if (args[1] < 0)
		return -EINVAL;
	w[0] = f->id;
	w[1] = (uint64_t)args[1];
	return px_vfs_call(VFS_TRUNCATE, w, 2, 0, r);
}

long px_truncate(const long *args)
{
	const long o[4] = {AT_FDCWD, args[0], O_WRONLY | O_CLOEXEC, 0};
	long fd = px_openat(o);

	if (fd < 0)
		return fd;
	const long t[2] = {fd, args[1]};
	long err = px_ftruncate(t);
	px_fd_close((int)fd);
	return err;
}

long px_dup(const long *args)
{
	return px_fd_dup((int)args[0], 0, false, false);
}

long px_dup3(const long *args)
{
	if (args[2] & ~O_CLOEXEC)
		return -EINVAL;
	if (args[0] == args[1])
		return -EINVAL;
	if (args[1] < 0 || args[1] >= PX_FD_MAX)
		return -EBADF;
	return px_fd_dup((int)args[0], (int)args[1], true, args[2] & O_CLOEXEC);
}

long px_dup2(const long *args)
{
	if (args[0] == args[1])
		return px_fd_file((int)args[0]) ? args[1] : -EBADF;
	const long a[3] = {args[0], args[1], 0};
	return px_dup3(a);
}

/* fcntl's record and OFD locks: one VFS_LOCK (a waiting one is answered when the lock is taken). */
static long record_lock(struct px_file *f, int cmd, struct flock *user)
{
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	struct flock fl;
	uint64_t r[8], w[5];

	if (f->kind != PX_FILE_VFS)
		return -EINVAL;
	long err = px_copy_in(0, user, sizeof(fl));
	if (err)
		return err;
	memcpy(&fl, px_ipc_buffer(), sizeof(fl));
	if (ofd && fl.l_pid)
		return -EINVAL;
	if (get && fl.l_type == F_UNLCK)
		return -EINVAL;
	w[0] = f->id;
	w[1] = (uint64_t)(get ? VFS_LOCK_GET : cmd == F_SETLKW || cmd == F_OFD_SETLKW ? VFS_LOCK_WAIT : VFS_LOCK_SET) |
	       (uint64_t)(ofd ? VFS_LOCK_OFD : VFS_LOCK_POSIX) << 8;
	w[2] = (uint64_t)(uint16_t)fl.l_type | (uint64_t)(uint16_t)fl.l_whence << 16;
	w[3] = (uint64_t)fl.l_start;
	w[4] = (uint64_t)fl.l_len;
	if ((err = px_vfs_call(VFS_LOCK, w, 5, 0, r)) < 0 || !get)
		return err;
	/* F_GETLK: the lock in the way, or l_type F_UNLCK and the rest as it was. */
	fl.l_type = (short)r[2];
	if (fl.l_type != F_UNLCK) {
		fl.l_whence = SEEK_SET;
		fl.l_start = (off_t)r[3];
		fl.l_len = (off_t)r[4];
		fl.l_pid = (pid_t)(int64_t)r[5];
	}
	memcpy(px_ipc_buffer(), &fl, sizeof(fl));
	return px_copy_out(user, sizeof(fl));
}

long px_flock(const long *args)
{
	struct px_file *f = px_fd_file((int)args[0]);
	int op = (int)args[1] & ~LOCK_NB;
	uint64_t r[8], w[5];

	if (!f)
		return -EBADF;
	if (f->kind != PX_FILE_VFS || (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN))
		return -EINVAL;
	w[0] = f->id;
	w[1] = (uint64_t)((args[1] & LOCK_NB) || op == LOCK_UN ? VFS_LOCK_SET : VFS_LOCK_WAIT) |
	       (uint64_t)VFS_LOCK_FLOCK << 8;
	w[2] = op == LOCK_SH ? F_RDLCK : op == LOCK_EX ? F_WRLCK : F_UNLCK;
	w[3] = w[4] = 0;
	return px_vfs_call(VFS_LOCK, w, 5, 0, r);
}

long px_fcntl(const long *args)
{
	int fd = (int)args[0];
	long arg = args[2];
	struct px_file *f = px_fd_file(fd);
	uint64_t r[8], w[2];

	if (!f)
		return -EBADF;
	switch (args[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0 || arg >= PX_FD_MAX)
			return -EINVAL;
		return px_fd_dup(fd, (int)arg, false, args[1] == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return px_fd_get_cloexec(fd) > 0 ? FD_CLOEXEC : 0;
	case F_SETFD:
		return px_fd_set_cloexec(fd, arg & FD_CLOEXEC);
	case F_GETFL:
		if (f->kind != PX_FILE_VFS)
			return O_WRONLY;
		w[0] = f->id;
		return px_vfs_call(VFS_GETFL, w, 1, 0, r);
	case F_SETFL:
		if (f->kind != PX_FILE_VFS)
			return 0;
		w[0] = f->id;
		w[1] = (uint64_t)arg;
		return px_vfs_call(VFS_SETFL, w, 2, 0, r);
	case F_ADD_SEALS: {
		long seals = arg ? px_file_seals(fd, (unsigned)arg) : 0;
		return seals < 0 ? seals : 0;
	}
	case F_GET_SEALS:
		return px_file_seals(fd, 0);
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return record_lock(f, (int)args[1], (struct flock *)arg);
	default:
		return -EINVAL;
	}
}

long px_pipe2(const long *args)
{
	long flags = args[1];
	uint64_t r[8], w = (uint64_t)flags & O_NONBLOCK;
	int fds[2];

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	long err = px_vfs_call(VFS_PIPE, &w, 1, 0, r);
	if (err < 0)
		return err;
	uint64_t ids[2] = {r[2], r[3]};
	fds[0] = px_fd_new(PX_FILE_VFS, ids[0], S_IFIFO, 0, flags & O_CLOEXEC);
	fds[1] = fds[0] < 0 ? fds[0] : px_fd_new(PX_FILE_VFS, ids[1], S_IFIFO, 0, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		err = fds[1];
		goto err_close;
	}
	memcpy(px_ipc_buffer(), fds, sizeof(fds));
	if ((err = px_copy_out((int *)args[0], sizeof(fds)))) {
		px_fd_close(fds[1]);
		px_fd_close(fds[0]);
		return err;
	}
	return 0;

err_close:
	if (fds[0] >= 0)
		px_fd_close(fds[0]);
	else
		px_vfs_close(ids[0]);
	px_vfs_close(ids[1]);
	return err;
}

long px_pipe(const long *args)
{
	const long a[2] = {args[0], 0};

	return px_pipe2(a);
}
