/*
 * The vfs server keeps serving after malformed requests: random labels,
 * words, long parts and stray capabilities sent straight to its endpoint,
 * through a session and through the admin capability; each gets an answer,
 * and afterwards a real open and read of /etc/hostname still work. Another
 * session's ids mean nothing in this one. The same for random socket,
 * eventfd and poll requests on non-blocking sockets and eventfds, and for
 * random terminal requests (VFS_IOCTL), reads and writes on pseudo-terminals,
 * and for FIFOs, hard links, renames and attributes on a few names in /tmp.
 */
#include "../../../../posix/proto/vfs.h"
#include "../../../../roottask/posix.h"
#include "../../../../roottask/utest.h"
#include "ipcbuf.h"

static int64_t call(handle_t ep, uint32_t op, uint64_t w1, uint64_t w2, const char *path,
		    uint64_t *r1)
{
	uint64_t msg[8] = {VR_TAG(op, 3), w1, w2, 0};
	size_t len = path ? strlen(path) + 1 : 0;

	if (len) {
		memcpy(ipc_buffer(), path, len);
		msg[0] |= VR_TAG_LONG(len);
	}
	int64_t err = vr_ipc_call(ep, msg);
	*r1 = msg[1];
	return err;
}

static int64_t new_session(handle_t *cap, uint64_t *number)
{
	uint64_t msg[8] = {VR_TAG(VFS_SESSION_NEW, 3), 0, 0, 0};
	int64_t err = vr_ipc_call(posix_vfs_admin, msg);

	if (!err && (int64_t)msg[1] < 0)
		err = (int64_t)msg[1];
	*number = msg[1];
	*cap = msg[3];
	return err;
}

UTEST_POSIX(vfs_survives_malformed_requests)
{
	handle_t s1, s2, vmo;
	uint64_t n1, n2, r, seed = 0x5eed;

	UCHECK(posix_vfs_admin && ipc_buffer(), "no vfs server or IPC buffer");
	UCHECK(new_session(&s1, &n1) == 0 && new_session(&s2, &n2) == 0, "sessions");
	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo");
	for (int i = 0; i < 3000; i++) {
		uint64_t msg[8];
		unsigned words = (unsigned)(rnd(&seed) % 8);
		uint32_t label = (uint32_t)(rnd(&seed) % 80);
		/* No pipes, sockets or eventfds: a random read of one would wait for ever, correctly. */
		if (label == VFS_PIPE || label == VFS_SOCKET || label == VFS_SOCKETPAIR ||
		    label == VFS_EVENTFD || label == VFS_TIMERFD_CREATE)
			label = VFS_GETCWD;
		msg[0] = VR_TAG(label, words);
		for (unsigned w = 1; w < 8; w++)
			msg[w] = rnd(&seed) % 4 ? rnd(&seed) % 64 : rnd(&seed);
		if (label == VFS_POLL_WAIT)
			msg[1] = 0;	/* no waiting */
		if (label == VFS_EPOLL_WAIT)
			msg[3] = 0;
		if (rnd(&seed) % 3 == 0) {
			size_t len = rnd(&seed) % (VR_PAGE + 1);
			char *b = ipc_buffer();
			for (size_t k = 0; k < len; k++)
				b[k] = (char)(rnd(&seed) % 4 ? "/a.b\0"[rnd(&seed) % 5] : rnd(&seed));
			msg[0] |= VR_TAG_LONG(len);
		}
		if (words && rnd(&seed) % 10 == 0) {
			handle_t copy;
			if (vr_handle_derive(vmo, VR_RIGHT_READ | VR_RIGHT_TRANSFER, &copy) == 0) {
				msg[words] = copy;
				msg[0] |= VR_TAG_CAPS(1) | VR_TAG_MOVE_CAPS;
			}
		}
		/*
		 * Admin requests only rarely, never ending a session, and never
		 * VFS_TTY_SIGNAL, which waits for a terminal's ^C by design.
		 */
		handle_t ep = i % 50 == 0 ? posix_vfs_admin : i % 2 ? s1 : s2;
		if (ep == posix_vfs_admin && (label == VFS_SESSION_END || label == VFS_TTY_SIGNAL))
			continue;
		bool caps = msg[0] & VR_TAG_CAPS(3);
		int64_t err = vr_ipc_call(ep, msg);
		/* Session capabilities lack GRANT: the kernel refuses handles sent through them. */
		if (caps && err == -VR_EACCES)
			continue;
		UCHECK(err == 0, "request %d (label %u) got no answer: %ld", i, label, err);
		if (VR_TAG_LABEL(msg[0]) == 0 && (msg[0] >> 4 & 3))
			vr_handle_close(msg[(msg[0] & 15) - ((msg[0] >> 4) & 3) + 1]);
	}
	/* Still serving: open and read a file of the initrd. */
	char *buf = ipc_buffer();
	UCHECK(call(s1, VFS_OPEN, VFS_AT_CWD, 0, "/etc/hostname", &r) == 0 && (int64_t)r >= 0,
	       "open after the noise: %ld", (int64_t)r);
	uint64_t id = r;
	UCHECK(call(s1, VFS_READ, id, 64, NULL, &r) == 0 && r == 9 && !memcmp(buf, "veridian\n", 9),
	       "read after the noise: %ld", (int64_t)r);
	/* A write in the message words: more than VFS_INLINE_MAX bytes, or more than the words hold, is -EINVAL. */
	uint64_t m[8] = {VR_TAG(VFS_WRITE_INLINE, 6), id, VFS_INLINE_MAX + 1};
	UCHECK(vr_ipc_call(s1, m) == 0 && (int64_t)m[1] == -VR_EINVAL, "inline write of %d bytes: %ld",
	       VFS_INLINE_MAX + 1, (int64_t)m[1]);
	uint64_t m2[8] = {VR_TAG(VFS_WRITE_INLINE, 3), id, 9, 0x41};
	UCHECK(vr_ipc_call(s1, m2) == 0 && (int64_t)m2[1] == -VR_EINVAL, "9 bytes in one word: %ld",
	       (int64_t)m2[1]);
	/* A well-formed one is a VFS_WRITE: to a file opened read-only, -EBADF. */
	uint64_t m3[8] = {VR_TAG(VFS_WRITE_INLINE, 3), id, 8, 0x41};
	UCHECK(vr_ipc_call(s1, m3) == 0 && (int64_t)m3[1] == -VR_EBADF, "inline write to O_RDONLY: %ld",
	       (int64_t)m3[1]);
	/* The id is s1's: in s2 it names nothing (or something else of s2's). */
	UCHECK(call(s2, VFS_CLOSE, 1000, 0, NULL, &r) == 0 && (int64_t)r == -VR_EBADF, "foreign id");
	UCHECK(call(s1, VFS_CLOSE, id, 0, NULL, &r) == 0 && r == 0, "close");
	UCHECK(call(s1, VFS_CLOSE, id, 0, NULL, &r) == 0 && (int64_t)r == -VR_EBADF, "closed twice");
	uint64_t end[8] = {VR_TAG(VFS_SESSION_END, 1), n1};
	vr_ipc_call(posix_vfs_admin, end);
	UCHECK(call(s1, VFS_GETCWD, 0, 0, NULL, &r) == 0 && (int64_t)r == -VR_EINVAL,
	       "an ended session: %ld", (int64_t)r);
	end[0] = VR_TAG(VFS_SESSION_END, 1);
	end[1] = n2;
	vr_ipc_call(posix_vfs_admin, end);
	vr_handle_close(s1);
	vr_handle_close(s2);
	vr_handle_close(vmo);
	return NULL;
}

#define NONBLOCK 04000	/* O_NONBLOCK = SOCK_NONBLOCK = EFD_NONBLOCK on these architectures */

/* A random long part: mostly an AF_UNIX address with a short path or abstract name, or ids. */
static size_t random_long(uint64_t *seed)
{
	char *b = ipc_buffer();
	size_t len = rnd(seed) % 4 ? rnd(seed) % 24 : rnd(seed) % (VR_PAGE + 1);

	for (size_t k = 0; k < len; k++)
		b[k] = (char)(rnd(seed) % 2 ? "/tmp/ab\0"[rnd(seed) % 8] : rnd(seed) % 8);
	if (len >= 2 && rnd(seed) % 2) {
		b[0] = 1;	/* AF_UNIX */
		b[1] = 0;
	}
	return len;
}

UTEST_POSIX(vfs_survives_malformed_socket_requests)
{
	static const uint32_t labels[] = {
		VFS_CLOSE, VFS_READ, VFS_WRITE, VFS_STAT, VFS_DUP, VFS_POLL, VFS_POLL_WAIT,
		VFS_EVENTFD, VFS_SOCKET, VFS_SOCKETPAIR, VFS_BIND, VFS_LISTEN, VFS_ACCEPT,
		VFS_CONNECT, VFS_SENDMSG, VFS_RECVMSG, VFS_SHUTDOWN, VFS_SOCKNAME,
		VFS_GETSOCKOPT, VFS_SETSOCKOPT, VFS_GETFL,
	};
	handle_t s;
	uint64_t n, r, seed = 0x50c4;

	UCHECK(posix_vfs_admin && ipc_buffer(), "no vfs server or IPC buffer");
	UCHECK(new_session(&s, &n) == 0, "session");
	/* Something to aim at: non-blocking sockets and eventfds (ids 0 ...). */
	UCHECK(call(s, VFS_SOCKETPAIR, 1 | NONBLOCK, 0, NULL, &r) == 0 && r == 0, "socketpair");
	UCHECK(call(s, VFS_SOCKETPAIR, 2 | NONBLOCK, 0, NULL, &r) == 0 && r == 0, "dgram pair");
	UCHECK(call(s, VFS_EVENTFD, 0, NONBLOCK, NULL, &r) == 0 && (int64_t)r >= 0, "eventfd");
	for (int i = 0; i < 3000; i++) {
		uint64_t msg[8];
		unsigned words = 1 + (unsigned)(rnd(&seed) % 7);
		uint32_t label = labels[rnd(&seed) % (sizeof(labels) / sizeof(labels[0]))];
		msg[0] = VR_TAG(label, words);
		for (unsigned w = 1; w < 8; w++)
			msg[w] = rnd(&seed) % 4 ? rnd(&seed) % 16 : rnd(&seed);
		/* Whatever is made does not block; a poll does not wait. */
		if (label == VFS_SOCKET || label == VFS_SOCKETPAIR || label == VFS_ACCEPT)
			msg[label == VFS_ACCEPT ? 2 : 1] |= NONBLOCK;
		if (label == VFS_EVENTFD)
			msg[2] |= NONBLOCK;
		if (label == VFS_POLL_WAIT)
			msg[1] = 0;
		if (rnd(&seed) % 2) {
			size_t len = random_long(&seed);
			if (len)
				msg[0] |= VR_TAG_LONG(len);
		}
		int64_t err = vr_ipc_call(s, msg);
		UCHECK(err == 0, "request %d (label %u) got no answer: %ld", i, label, err);
	}
	/* Still serving: a fresh socketpair carries a byte. */
	uint64_t msg[8] = {VR_TAG(VFS_SOCKETPAIR, 1), 1 | NONBLOCK};
	UCHECK(vr_ipc_call(s, msg) == 0 && msg[1] == 0, "socketpair after the noise: %ld",
	       (int64_t)msg[1]);
	uint64_t a = msg[2], b = msg[3];
	*(char *)ipc_buffer() = 'z';
	msg[0] = VR_TAG(VFS_WRITE, 1) | VR_TAG_LONG(1);
	msg[1] = a;
	UCHECK(vr_ipc_call(s, msg) == 0 && msg[1] == 1, "write: %ld", (int64_t)msg[1]);
	UCHECK(call(s, VFS_READ, b, 8, NULL, &r) == 0 && r == 1 && *(char *)ipc_buffer() == 'z',
	       "read: %ld", (int64_t)r);
	uint64_t end[8] = {VR_TAG(VFS_SESSION_END, 1), n};
	vr_ipc_call(posix_vfs_admin, end);
	vr_handle_close(s);
	return NULL;
}

/* An ioctl with @len bytes of @in; the answer's word 1 in *r. */
static int64_t ioctl_call(handle_t ep, uint64_t id, uint64_t request, uint64_t arg, const void *in,
			  size_t len, uint64_t *r)
{
	uint64_t msg[8] = {VR_TAG(VFS_IOCTL, 3), id, request, arg};

	if (len) {
		memcpy(ipc_buffer(), in, len);
		msg[0] |= VR_TAG_LONG(len);
	}
	int64_t err = vr_ipc_call(ep, msg);
	*r = msg[1];
	return err;
}

UTEST_POSIX(vfs_survives_malformed_pty_requests)
{
	/* Linux's terminal requests (TCGETS ... TIOCGSID, TIOCGPTN, TIOCSPTLCK, TIOCGPTLCK) and two unknown ones. */
	static const uint64_t requests[] = {
		0x5401, 0x5402, 0x5403, 0x5404, 0x5409, 0x540a, 0x540b, 0x540e, 0x540f, 0x5410,
		0x5411, 0x5413, 0x5414, 0x541b, 0x5422, 0x5425, 0x5429, 0x80045430, 0x40045431,
		0x80045439, 0x5499, 0xffffffffc0ffee00,
	};
	static const uint32_t labels[] = {VFS_IOCTL, VFS_IOCTL, VFS_IOCTL, VFS_READ, VFS_WRITE, VFS_POLL,
					  VFS_POLL_WAIT, VFS_STAT, VFS_DUP, VFS_CLOSE, VFS_OPEN};
	const uint64_t flags = 2 | NONBLOCK;	/* O_RDWR | O_NONBLOCK */
	handle_t s;
	uint64_t n, r, seed = 0x7e7e;
	int32_t zero = 0;

	UCHECK(posix_vfs_admin && ipc_buffer(), "no vfs server or IPC buffer");
	UCHECK(new_session(&s, &n) == 0, "session");
	UCHECK(call(s, VFS_OPEN, VFS_AT_CWD, flags, "/dev/ptmx", &r) == 0 && (int64_t)r >= 0, "ptmx: %ld",
	       (int64_t)r);
	for (int i = 0; i < 3000; i++) {
		uint64_t msg[8];
		unsigned words = 1 + (unsigned)(rnd(&seed) % 7);
		uint32_t label = labels[rnd(&seed) % (sizeof(labels) / sizeof(labels[0]))];
		if (label == VFS_OPEN) {
			/* Every pair is non-blocking at both ends: nothing here waits. */
			char path[32] = "/dev/ptmx";
			if (rnd(&seed) % 2) {
				uint64_t id = rnd(&seed) % 4;
				ioctl_call(s, id, 0x40045431, 0, &zero, sizeof(zero), &r);
				memcpy(path, "/dev/pts/", 9);
				path[9] = (char)('0' + rnd(&seed) % 4);
				path[10] = 0;
			}
			UCHECK(call(s, VFS_OPEN, VFS_AT_CWD, flags, path, &r) == 0, "open %d", i);
			continue;
		}
		msg[0] = VR_TAG(label, words);
		for (unsigned w = 1; w < 8; w++)
			msg[w] = rnd(&seed) % 4 ? rnd(&seed) % 8 : rnd(&seed);
		if (label == VFS_IOCTL)
			msg[2] = rnd(&seed) % 8 ? requests[rnd(&seed) % (sizeof(requests) / sizeof(requests[0]))]
						: rnd(&seed);
		if (label == VFS_READ)
			msg[3] = VFS_READ_NOWAIT;
		if (label == VFS_POLL_WAIT)
			msg[1] = 0;
		if (rnd(&seed) % 2) {
			size_t len = rnd(&seed) % 3 ? rnd(&seed) % 64 : rnd(&seed) % (VFS_IO_MAX + 1);
			char *b = ipc_buffer();
			for (size_t k = 0; k < len; k++)
				b[k] = (char)rnd(&seed);
			if (len)
				msg[0] |= VR_TAG_LONG(len);
		}
		int64_t err = vr_ipc_call(s, msg);
		UCHECK(err == 0, "request %d (label %u) got no answer: %ld", i, label, err);
	}
	/* Still serving (in a fresh session, the noise's pairs closed with the old one): a new pair
	 * carries a line from the master to the slave. */
	uint64_t end[8] = {VR_TAG(VFS_SESSION_END, 1), n};
	vr_ipc_call(posix_vfs_admin, end);
	vr_handle_close(s);
	UCHECK(new_session(&s, &n) == 0, "second session");
	uint64_t m, sl, pty;
	UCHECK(call(s, VFS_OPEN, VFS_AT_CWD, flags, "/dev/ptmx", &m) == 0 && (int64_t)m >= 0,
	       "ptmx after the noise: %ld", (int64_t)m);
	UCHECK(ioctl_call(s, m, 0x40045431, 0, &zero, sizeof(zero), &r) == 0 && r == 0, "unlock");
	UCHECK(ioctl_call(s, m, 0x80045430, 0, NULL, 0, &r) == 0 && r == 0, "TIOCGPTN");
	memcpy(&pty, ipc_buffer(), 4);
	pty &= 0xffffffff;
	char path[16] = "/dev/pts/";
	size_t at = 9;
	if (pty >= 10)
		path[at++] = (char)('0' + pty / 10 % 10);
	path[at++] = (char)('0' + pty % 10);
	path[at] = 0;
	UCHECK(call(s, VFS_OPEN, VFS_AT_CWD, flags, path, &sl) == 0 && (int64_t)sl >= 0, "slave %s: %ld",
	       path, (int64_t)sl);
	memcpy(ipc_buffer(), "ok\n", 3);
	uint64_t msg[8] = {VR_TAG(VFS_WRITE, 1) | VR_TAG_LONG(3), m};
	UCHECK(vr_ipc_call(s, msg) == 0 && msg[1] == 3, "master write: %ld", (int64_t)msg[1]);
	msg[0] = VR_TAG(VFS_READ, 3);
	msg[1] = sl;
	msg[2] = 64;
	msg[3] = VFS_READ_NOWAIT;
	UCHECK(vr_ipc_call(s, msg) == 0 && msg[1] == 3 && !memcmp(ipc_buffer(), "ok\n", 3),
	       "slave read: %ld", (int64_t)msg[1]);
	end[1] = n;
	vr_ipc_call(posix_vfs_admin, end);
	vr_handle_close(s);
	return NULL;
}

/* The same for epoll, timerfd, signalfd, memfd, mmap and seal requests aimed at such objects. */
UTEST_POSIX(vfs_survives_malformed_epoll_shm_requests)
{
	static const uint32_t labels[] = {
		VFS_CLOSE, VFS_READ, VFS_WRITE, VFS_STAT, VFS_DUP, VFS_POLL, VFS_POLL_WAIT,
		VFS_TRUNCATE, VFS_EPOLL_CREATE, VFS_EPOLL_CTL, VFS_EPOLL_WAIT, VFS_TIMERFD_CREATE,
		VFS_TIMERFD_SET, VFS_TIMERFD_GET, VFS_MEMFD, VFS_MMAP, VFS_SEALS, VFS_EVENTFD,
		VFS_SIGNALFD, VFS_SIG_PENDING,
	};
	handle_t s;
	uint64_t n, r, seed = 0xe9011;

	UCHECK(posix_vfs_admin && ipc_buffer(), "no vfs server or IPC buffer");
	UCHECK(new_session(&s, &n) == 0, "session");
	UCHECK(call(s, VFS_EPOLL_CREATE, 0, 0, NULL, &r) == 0 && (int64_t)r >= 0, "epoll: %ld", (int64_t)r);
	UCHECK(call(s, VFS_TIMERFD_CREATE, 1, NONBLOCK, NULL, &r) == 0 && (int64_t)r >= 0, "timerfd");
	UCHECK(call(s, VFS_MEMFD, 2, 0, NULL, &r) == 0 && (int64_t)r >= 0, "memfd");
	UCHECK(call(s, VFS_EVENTFD, 0, NONBLOCK, NULL, &r) == 0 && (int64_t)r >= 0, "eventfd");
	UCHECK(call(s, VFS_SIGNALFD, VFS_SIGNALFD_NEW, 6, NULL, &r) == 0 && (int64_t)r >= 0, "signalfd");
	for (int i = 0; i < 3000; i++) {
		uint64_t msg[8];
		unsigned words = 1 + (unsigned)(rnd(&seed) % 7);
		uint32_t label = labels[rnd(&seed) % (sizeof(labels) / sizeof(labels[0]))];
		/* Few new objects: each mapped memfd holds a VMO. */
		if ((label == VFS_MEMFD || label == VFS_TIMERFD_CREATE || label == VFS_EPOLL_CREATE ||
		     label == VFS_EVENTFD || label == VFS_DUP) && rnd(&seed) % 8)
			label = VFS_TIMERFD_GET;
		msg[0] = VR_TAG(label, words);
		for (unsigned w = 1; w < 8; w++)
			msg[w] = rnd(&seed) % 4 ? rnd(&seed) % 8 : rnd(&seed);
		/* Whatever is made does not block; a wait does not wait. */
		if (label == VFS_TIMERFD_CREATE || label == VFS_EVENTFD)
			msg[2] |= NONBLOCK;
		if (label == VFS_POLL_WAIT)
			msg[1] = 0;
		if (label == VFS_EPOLL_WAIT)
			msg[3] = 0;
		if (label == VFS_TRUNCATE)
			msg[2] %= 1 << 20;
		if (rnd(&seed) % 3 == 0) {
			size_t len = random_long(&seed);
			if (len)
				msg[0] |= VR_TAG_LONG(len);
		}
		int64_t err = vr_ipc_call(s, msg);
		UCHECK(err == 0, "request %d (label %u) got no answer: %ld", i, label, err);
		if (VR_TAG_LABEL(msg[0]) == 0 && (msg[0] >> 4 & 3))
			vr_handle_close(msg[(msg[0] & 15) - ((msg[0] >> 4) & 3) + 1]);
	}
	/* Still serving: a fresh eventfd counts. */
	UCHECK(call(s, VFS_EVENTFD, 5, NONBLOCK, NULL, &r) == 0 && (int64_t)r >= 0, "eventfd after the noise");
	uint64_t id = r;
	UCHECK(call(s, VFS_READ, id, 8, NULL, &r) == 0 && r == 8 && *(uint64_t *)ipc_buffer() == 5,
	       "read: %ld", (int64_t)r);
	/* A session cannot tell pending signals (the proc server's), and a signalfd reads nothing here. */
	UCHECK(call(s, VFS_SIG_PENDING, 1, 1, NULL, &r) == 0 && (int64_t)r == -VR_EINVAL, "VFS_SIG_PENDING: %ld",
	       (int64_t)r);
	UCHECK(call(s, VFS_SIGNALFD, VFS_SIGNALFD_NEW, 6, NULL, &r) == 0 && (int64_t)r >= 0,
	       "signalfd after the noise: %ld", (int64_t)r);
	id = r;
	UCHECK(call(s, VFS_READ, id, 128, NULL, &r) == 0 && (int64_t)r == -VR_EINVAL, "signalfd VFS_READ: %ld",
	       (int64_t)r);
	uint64_t end[8] = {VR_TAG(VFS_SESSION_END, 1), n};
	vr_ipc_call(posix_vfs_admin, end);
	vr_handle_close(s);
	return NULL;
}

/* A random name of a few, in a scratch directory: collisions are the point. */
static size_t random_names(uint64_t *seed, bool two)
{
	static const char *const names[] = {"a", "b", "d", "d/a", "d/e", "d/e/f", "a/", "d/..",
					    "e/../a", "..", ".", "", "d/e/../b", "/tmp/noise/c"};
	char *b = ipc_buffer();
	size_t len = 0;

	for (int k = 0; k < (two ? 2 : 1); k++) {
		const char *n = names[rnd(seed) % (sizeof(names) / sizeof(names[0]))];
		memcpy(b + len, n, strlen(n) + 1);
		len += strlen(n) + 1;
	}
	return len;
}

/*
 * The same for FIFOs, hard links, renames, chown, utimensat, statfs and
 * O_TMPFILE: random requests on a few names in a tmpfs directory, every
 * open non-blocking (a FIFO's blocking open would wait, correctly).
 */
UTEST_POSIX(vfs_survives_malformed_link_fifo_requests)
{
	static const uint32_t labels[] = {
		VFS_MKNOD, VFS_LINK, VFS_RENAME, VFS_UNLINK, VFS_MKDIR, VFS_OPEN, VFS_CLOSE,
		VFS_READ, VFS_WRITE, VFS_STAT, VFS_STATAT, VFS_GETDENTS, VFS_CHOWN, VFS_UTIMES,
		VFS_STATFS, VFS_CHMOD, VFS_SYMLINK, VFS_TRUNCATE, VFS_POLL, VFS_DUP,
	};
	handle_t s;
	uint64_t n, r, seed = 0xf1f0;

	UCHECK(posix_vfs_admin && ipc_buffer(), "no vfs server or IPC buffer");
	UCHECK(new_session(&s, &n) == 0, "session");
	UCHECK(call(s, VFS_MKDIR, VFS_AT_CWD, 0777, "/tmp/noise", &r) == 0 && r == 0, "mkdir: %ld",
	       (int64_t)r);
	UCHECK(call(s, VFS_CHDIR, VFS_AT_CWD, 0, "/tmp/noise", &r) == 0 && r == 0, "chdir");
	for (int i = 0; i < 3000; i++) {
		uint64_t msg[8];
		unsigned words = 1 + (unsigned)(rnd(&seed) % 7);
		uint32_t label = labels[rnd(&seed) % (sizeof(labels) / sizeof(labels[0]))];
		msg[0] = VR_TAG(label, words);
		for (unsigned w = 1; w < 8; w++)
			msg[w] = rnd(&seed) % 4 ? rnd(&seed) % 8 : rnd(&seed);
		bool path = label != VFS_CLOSE && label != VFS_READ && label != VFS_WRITE &&
			    label != VFS_STAT && label != VFS_GETDENTS && label != VFS_TRUNCATE &&
			    label != VFS_POLL && label != VFS_DUP;
		if (path && rnd(&seed) % 4) {
			msg[1] = VFS_AT_CWD;
			if (label == VFS_LINK || label == VFS_RENAME)
				msg[2] = VFS_AT_CWD;
		}
		if (label == VFS_MKNOD && rnd(&seed) % 2)
			msg[2] = (rnd(&seed) % 2 ? 0010000 : 0100000) | 0666;	/* S_IFIFO, S_IFREG */
		if (label == VFS_OPEN)
			msg[2] = (msg[2] & 0x41ffff) | NONBLOCK;	/* with O_TMPFILE's bits sometimes */
		if (label == VFS_TRUNCATE)
			msg[2] %= 1 << 16;
		if (label == VFS_WRITE || label == VFS_READ)
			msg[2] %= 512;
		if (path && rnd(&seed) % 8) {
			msg[0] |= VR_TAG_LONG(random_names(&seed, label == VFS_LINK || label == VFS_RENAME ||
								     label == VFS_SYMLINK));
		} else if (rnd(&seed) % 3 == 0) {
			size_t len = random_long(&seed);
			if (len)
				msg[0] |= VR_TAG_LONG(len);
		}
		int64_t err = vr_ipc_call(s, msg);
		UCHECK(err == 0, "request %d (label %u) got no answer: %ld", i, label, err);
		if (VR_TAG_LABEL(msg[0]) == 0 && (msg[0] >> 4 & 3))
			vr_handle_close(msg[(msg[0] & 15) - ((msg[0] >> 4) & 3) + 1]);
	}
	/* Still serving, and links still count: a file and a second name for it. */
	UCHECK(call(s, VFS_MKDIR, VFS_AT_CWD, 0777, "/tmp/noise2", &r) == 0 && r == 0, "mkdir");
	UCHECK(call(s, VFS_MKNOD, VFS_AT_CWD, 0100644, "/tmp/noise2/x", &r) == 0 && r == 0, "mknod: %ld",
	       (int64_t)r);
	uint64_t msg[8] = {VR_TAG(VFS_LINK, 3) | VR_TAG_LONG(28), VFS_AT_CWD, VFS_AT_CWD, 0};
	memcpy(ipc_buffer(), "/tmp/noise2/x\0/tmp/noise2/y", 28);
	UCHECK(vr_ipc_call(s, msg) == 0 && msg[1] == 0, "link after the noise: %ld", (int64_t)msg[1]);
	UCHECK(call(s, VFS_STATAT, VFS_AT_CWD, 0, "/tmp/noise2/y", &r) == 0 && r == 0 &&
		   ((uint64_t *)ipc_buffer())[3] == 2,
	       "two names: nlink %lu", ((uint64_t *)ipc_buffer())[3]);
	uint64_t end[8] = {VR_TAG(VFS_SESSION_END, 1), n};
	vr_ipc_call(posix_vfs_admin, end);
	vr_handle_close(s);
	return NULL;
}

#define EOPNOTSUPP_LINUX 95

/* A request on a data buffer (VFS_READ_BUF, VFS_WRITE_BUF): its result. */
static int64_t buf_call(handle_t s, uint32_t op, uint64_t id, uint64_t len, uint64_t at, uint64_t buf,
			unsigned words)
{
	uint64_t msg[8] = {VR_TAG(op, words), id, len, at, buf};

	return vr_ipc_call(s, msg) ? -1000 : (int64_t)msg[1];
}

/*
 * Data buffers: bad numbers, lengths and files are errors; what the client
 * scribbles in its buffer changes only its own data; a session has at most
 * VFS_BUFS_MAX; random requests on them get answers.
 */
UTEST_POSIX(vfs_data_buffers_check_their_requests)
{
	handle_t s, vmo = 0;
	uint64_t n, r, id, dir, null, seed = 0xb0ff;
	static char data[VFS_BUF_SIZE];

	UCHECK(posix_vfs_admin && ipc_buffer(), "no vfs server or IPC buffer");
	UCHECK(new_session(&s, &n) == 0, "session");
	uint64_t m[8] = {VR_TAG(VFS_BUF_NEW, 0)};
	UCHECK(vr_ipc_call(s, m) == 0 && m[1] == 1 && (m[0] >> 4 & 3) == 1, "VFS_BUF_NEW: %ld",
	       (int64_t)m[1]);
	vmo = m[(m[0] & 15)];
	uint64_t size = 0;
	UCHECK(vr_vmo_size(vmo, &size) == 0 && size == VFS_BUF_SIZE, "the buffer's size %lu", size);
	UCHECK(call(s, VFS_OPEN, VFS_AT_CWD, 0100 | 2, "/tmp/bufreq", &r) == 0 && (int64_t)r >= 0,
	       "open: %ld", (int64_t)r);
	id = r;
	UCHECK(call(s, VFS_OPEN, VFS_AT_CWD, 0, "/tmp", &r) == 0 && (int64_t)r >= 0, "open /tmp");
	dir = r;
	UCHECK(call(s, VFS_OPEN, VFS_AT_CWD, 2, "/dev/null", &r) == 0 && (int64_t)r >= 0, "open /dev/null");
	null = r;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7);
	UCHECK(vr_vmo_write(vmo, data, 0, sizeof(data)) == 0, "vmo_write");
	static const struct {
		uint64_t id, len, buf;
		unsigned words;
		int64_t want;
	} bad[] = {
		{0, 100, 0, 4, -VR_EINVAL},	/* no buffer 0 */
		{0, 100, 2, 4, -VR_EINVAL},	/* not made */
		{0, 100, VFS_BUFS_MAX + 1, 4, -VR_EINVAL},
		{0, 100, UINT64_MAX, 4, -VR_EINVAL},
		{0, VFS_BUF_SIZE + 1, 1, 4, -VR_EINVAL},
		{0, UINT64_MAX, 1, 4, -VR_EINVAL},
		{0, 100, 1, 3, -VR_EINVAL},	/* no buffer word */
		{999, 100, 1, 4, -VR_EBADF},
		{1, 100, 1, 4, -EOPNOTSUPP_LINUX},	/* a directory */
		{2, 100, 1, 4, -EOPNOTSUPP_LINUX},	/* a device */
	};
	const uint64_t ids[3] = {id, dir, null};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (uint32_t op = VFS_READ_BUF; op <= VFS_WRITE_BUF; op++) {
			uint64_t fid = bad[i].id < 3 ? ids[bad[i].id] : bad[i].id;
			int64_t got = buf_call(s, op, fid, bad[i].len, 0, bad[i].buf, bad[i].words);
			UCHECK(got == bad[i].want, "case %u op %u: %ld, want %ld", i, op, got, bad[i].want);
		}
	/* A good write takes exactly its length from the buffer; the file's offset moves. */
	UCHECK(buf_call(s, VFS_WRITE_BUF, id, VFS_BUF_SIZE, VFS_BUF_POS, 1, 4) == VFS_BUF_SIZE, "write");
	UCHECK(buf_call(s, VFS_WRITE_BUF, id, 10, 5, 1, 4) == 10, "pwrite");
	/* Scribbled over: only the client's own bytes change. */
	memset(data, 0x5a, 64);
	UCHECK(vr_vmo_write(vmo, data, 0, 64) == 0, "scribble");
	char back[64];
	UCHECK(buf_call(s, VFS_READ_BUF, id, 64, 0, 1, 4) == 64 && vr_vmo_read(vmo, back, 0, 64) == 0, "read");
	UCHECK(back[4] == (char)(4 * 7) && back[5] == 0 && back[14] == (char)(9 * 7) && back[15] == (char)(15 * 7),
	       "the file's bytes: %d %d %d %d", back[4], back[5], back[14], back[15]);
	UCHECK(buf_call(s, VFS_READ_BUF, id, 100, VFS_BUF_POS, 1, 4) == 0, "read at the end");
	UCHECK(buf_call(s, VFS_READ_BUF, id, 100, UINT64_MAX - 1, 1, 4) == 0, "read far past the end");
	/* At most VFS_BUFS_MAX a session. */
	int made = 1;
	for (int i = 0; i < VFS_BUFS_MAX + 2; i++) {
		uint64_t mm[8] = {VR_TAG(VFS_BUF_NEW, 0)};
		UCHECK(vr_ipc_call(s, mm) == 0, "VFS_BUF_NEW got no answer");
		if ((int64_t)mm[1] > 0) {
			made++;
			vr_handle_close(mm[(mm[0] & 15)]);
		} else {
			UCHECK((int64_t)mm[1] == -VR_ENOSPC, "VFS_BUF_NEW: %ld", (int64_t)mm[1]);
		}
	}
	UCHECK(made == VFS_BUFS_MAX, "%d buffers made", made);
	/* Random requests on buffers. */
	for (int i = 0; i < 2000; i++) {
		uint64_t msg[8];
		msg[0] = VR_TAG(VFS_BUF_NEW + rnd(&seed) % 3, rnd(&seed) % 8);
		for (unsigned w = 1; w < 8; w++)
			msg[w] = rnd(&seed) % 4 ? rnd(&seed) % 70 : rnd(&seed);
		if (rnd(&seed) % 2)
			msg[2] = rnd(&seed) % (VFS_BUF_SIZE + 2);
		int64_t err = vr_ipc_call(s, msg);
		UCHECK(err == 0, "request %d got no answer: %ld", i, err);
		if (VR_TAG_LABEL(msg[0]) == 0 && (msg[0] >> 4 & 3))
			vr_handle_close(msg[(msg[0] & 15) - ((msg[0] >> 4) & 3) + 1]);
	}
	/* The session ends: its buffers go; another session gets its own. */
	uint64_t end[8] = {VR_TAG(VFS_SESSION_END, 1), n};
	UCHECK(vr_ipc_call(posix_vfs_admin, end) == 0 && end[1] == 0, "session end");
	vr_handle_close(s);
	vr_handle_close(vmo);
	UCHECK(new_session(&s, &n) == 0, "second session");
	uint64_t m2[8] = {VR_TAG(VFS_BUF_NEW, 0)};
	UCHECK(vr_ipc_call(s, m2) == 0 && m2[1] == 1, "a new session's first buffer: %ld", (int64_t)m2[1]);
	if ((m2[0] >> 4 & 3) == 1)
		vr_handle_close(m2[(m2[0] & 15)]);
	UCHECK(call(s, VFS_UNLINK, VFS_AT_CWD, 0, "/tmp/bufreq", &r) == 0, "unlink");
	end[0] = VR_TAG(VFS_SESSION_END, 1);
	end[1] = n;
	vr_ipc_call(posix_vfs_admin, end);
	vr_handle_close(s);
	return NULL;
}

/* VFS_READ_VMO's request: w1 id, w2 length, w3 offset, w4 the caller's generation; the reply in @m. */
static int64_t read_vmo(handle_t s, uint64_t id, uint64_t len, uint64_t at, uint64_t gen, unsigned words,
			uint64_t m[8])
{
	m[0] = VR_TAG(VFS_READ_VMO, words);
	m[1] = id, m[2] = len, m[3] = at, m[4] = gen;
	return vr_ipc_call(s, m) ? -1000 : (int64_t)m[1];
}

/*
 * VFS_READ_VMO and VFS_POS_UNDO: the handle reads the file and nothing
 * else (no WRITE, no MAP), comes again only for a new generation, moves
 * the offset; write-only opens, other files, bad offsets and short
 * requests are errors; random requests get answers.
 */
UTEST_POSIX(vfs_read_vmo_checks_its_requests)
{
	handle_t s, vmo = 0;
	uint64_t n, r, id, wo, dir, null, m[8], seed = 0x5eadf11e;
	static char data[20000], back[20000];

	UCHECK(posix_vfs_admin && ipc_buffer(), "no vfs server or IPC buffer");
	UCHECK(new_session(&s, &n) == 0, "session");
	UCHECK(call(s, VFS_OPEN, VFS_AT_CWD, 0100 | 2, "/tmp/readvmo", &r) == 0 && (int64_t)r >= 0, "open");
	id = r;
	UCHECK(call(s, VFS_OPEN, VFS_AT_CWD, 1, "/tmp/readvmo", &r) == 0 && (int64_t)r >= 0, "open O_WRONLY");
	wo = r;
	UCHECK(call(s, VFS_OPEN, VFS_AT_CWD, 0, "/tmp", &r) == 0 && (int64_t)r >= 0, "open /tmp");
	dir = r;
	UCHECK(call(s, VFS_OPEN, VFS_AT_CWD, 2, "/dev/null", &r) == 0 && (int64_t)r >= 0, "open /dev/null");
	null = r;
	/* 20,000 bytes through a data buffer. */
	uint64_t b[8] = {VR_TAG(VFS_BUF_NEW, 0)};
	UCHECK(vr_ipc_call(s, b) == 0 && b[1] == 1 && (b[0] >> 4 & 3) == 1, "VFS_BUF_NEW");
	handle_t buf = b[(b[0] & 15)];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 13 + 1);
	UCHECK(vr_vmo_write(buf, data, 0, VFS_BUF_SIZE) == 0 && buf_call(s, VFS_WRITE_BUF, id, VFS_BUF_SIZE, 0, 1, 4) ==
	       VFS_BUF_SIZE, "write");
	UCHECK(vr_vmo_write(buf, data + VFS_BUF_SIZE, 0, sizeof(data) - VFS_BUF_SIZE) == 0 &&
	       buf_call(s, VFS_WRITE_BUF, id, sizeof(data) - VFS_BUF_SIZE, VFS_BUF_SIZE, 1, 4) ==
	       (int64_t)(sizeof(data) - VFS_BUF_SIZE), "write the rest");

	/* The first read brings the handle; it reads the file, and cannot write or map it. */
	UCHECK(read_vmo(s, id, 5000, VFS_BUF_POS, 0, 4, m) == 5000 && m[2] == 0 && m[3] && (m[0] >> 4 & 3) == 1,
	       "the first read: %ld, caps %lu", (int64_t)m[1], m[0] >> 4 & 3);
	uint64_t gen = m[3];
	vmo = m[(m[0] & 15)];
	UCHECK(vr_vmo_read(vmo, back, 0, sizeof(back)) == 0 && !memcmp(back, data, sizeof(data)), "vmo_read");
	UCHECK(vr_vmo_write(vmo, data, 0, 10) == -VR_EACCES, "vmo_write through the read handle");
	uint64_t at = 0;
	UCHECK(vr_vm_map(0, vmo, 0, 0, 4096, VR_PROT_READ, &at) < 0, "vm_map of the read handle");
	/* The same generation: no new handle; the offset moved past the first read. */
	UCHECK(read_vmo(s, id, 100000, VFS_BUF_POS, gen, 4, m) == (int64_t)sizeof(data) - 5000 && m[2] == 5000 &&
	       m[3] == gen && (m[0] >> 4 & 3) == 0, "the second read: %ld at %lu", (int64_t)m[1], m[2]);
	UCHECK(read_vmo(s, id, 100, VFS_BUF_POS, gen, 4, m) == 0, "at the end");
	UCHECK(read_vmo(s, id, 100, 19950, gen, 4, m) == 50 && m[2] == 19950, "pread across the end");
	UCHECK(read_vmo(s, id, 100, (uint64_t)1 << 40, gen, 4, m) == 0, "pread far past the end");
	/* VFS_POS_UNDO: only from where the offset is, only backwards. */
	UCHECK(read_vmo(s, id, 1000, 3000, gen, 4, m) == 1000, "pread");
	uint64_t u[8] = {VR_TAG(VFS_POS_UNDO, 3), id, 20000, 19000};
	UCHECK(vr_ipc_call(s, u) == 0 && u[1] == 1, "undo: %ld", (int64_t)u[1]);
	uint64_t u2[8] = {VR_TAG(VFS_POS_UNDO, 3), id, 20000, 0};
	UCHECK(vr_ipc_call(s, u2) == 0 && u2[1] == 0, "undo from elsewhere: %ld", (int64_t)u2[1]);
	uint64_t u3[8] = {VR_TAG(VFS_POS_UNDO, 3), id, 19000, 19001};
	UCHECK(vr_ipc_call(s, u3) == 0 && (int64_t)u3[1] == -VR_EINVAL, "undo forwards: %ld", (int64_t)u3[1]);
	UCHECK(read_vmo(s, id, 5000, VFS_BUF_POS, gen, 4, m) == 1000 && m[2] == 19000, "read after the undo");
	/* Bad requests. */
	UCHECK(read_vmo(s, wo, 100, 0, 0, 4, m) == -VR_EBADF, "O_WRONLY: %ld", (int64_t)m[1]);
	UCHECK(read_vmo(s, dir, 100, 0, 0, 4, m) == -EOPNOTSUPP_LINUX, "a directory: %ld", (int64_t)m[1]);
	UCHECK(read_vmo(s, null, 100, 0, 0, 4, m) == -EOPNOTSUPP_LINUX, "a device: %ld", (int64_t)m[1]);
	UCHECK(read_vmo(s, 999, 100, 0, 0, 4, m) == -VR_EBADF, "no such id");
	UCHECK(read_vmo(s, id, 100, (uint64_t)INT64_MAX + 1, gen, 4, m) == -VR_EINVAL, "a negative offset");
	UCHECK(read_vmo(s, id, 100, 0, 0, 3, m) == -VR_EINVAL, "three words");
	/* The file grows past its VMO: a new generation, a new handle with the new bytes. */
	UCHECK(vr_vmo_write(buf, data, 0, VFS_BUF_SIZE) == 0, "vmo_write");
	uint64_t last = 0;
	for (uint64_t off = sizeof(data); off < 300000; off += VFS_BUF_SIZE) {
		UCHECK(buf_call(s, VFS_WRITE_BUF, id, VFS_BUF_SIZE, off, 1, 4) == VFS_BUF_SIZE, "grow at %lu", off);
		last = off;
	}
	UCHECK(read_vmo(s, id, 10, last + 100, gen, 4, m) == 10 && m[3] != gen && (m[0] >> 4 & 3) == 1,
	       "a read after growing: %ld, generation %lu", (int64_t)m[1], m[3]);
	handle_t grown = m[(m[0] & 15)];
	UCHECK(vr_vmo_read(grown, back, last + 100, 10) == 0 && !memcmp(back, data + 100, 10),
	       "the grown file's bytes");
	vr_handle_close(grown);
	/* Random requests. */
	for (int i = 0; i < 2000; i++) {
		uint64_t msg[8];
		msg[0] = VR_TAG(VFS_READ_VMO + rnd(&seed) % 2, rnd(&seed) % 8);
		for (unsigned w = 1; w < 8; w++)
			msg[w] = rnd(&seed) % 4 ? rnd(&seed) % 70 : rnd(&seed);
		if (rnd(&seed) % 2)
			msg[1] = id;
		int64_t err = vr_ipc_call(s, msg);
		UCHECK(err == 0, "request %d got no answer: %ld", i, err);
		if (VR_TAG_LABEL(msg[0]) == 0 && (msg[0] >> 4 & 3))
			vr_handle_close(msg[(msg[0] & 15) - ((msg[0] >> 4) & 3) + 1]);
	}
	UCHECK(call(s, VFS_UNLINK, VFS_AT_CWD, 0, "/tmp/readvmo", &r) == 0, "unlink");
	uint64_t end[8] = {VR_TAG(VFS_SESSION_END, 1), n};
	UCHECK(vr_ipc_call(posix_vfs_admin, end) == 0 && end[1] == 0, "session end");
	vr_handle_close(s);
	vr_handle_close(vmo);
	vr_handle_close(buf);
	return NULL;
}

/* A VFS_SYSFS_DEVICE request of @words words from @s with @len bytes of @blob: its result. */
static int64_t sysfs_call(handle_t s, const uint64_t w[4], const void *blob, size_t len)
{
	uint64_t m[8] = {VR_TAG(VFS_SYSFS_DEVICE, 4) | (len ? VR_TAG_LONG(len) : 0), w[0], w[1], w[2],
			 w[3]};

	if (len)
		memcpy(ipc_buffer(), blob, len);
	return vr_ipc_call(s, m) ? -1000 : (int64_t)m[1];
}

/*
 * VFS_SYSFS_DEVICE: a session of another uid than 0 is refused (-EPERM);
 * random words and blobs from a root session get answers in range and the
 * server serves on; a session's device goes with its end (the same one can
 * be registered again).
 */
UTEST_POSIX(vfs_sysfs_device_checks_its_requests)
{
	static const char dev[] = "drm\0card13\0\0platform/ktest/card13";
	static const uint64_t w[4] = {0, 226, 13, 0};
	uint64_t m[8] = {VR_TAG(VFS_SESSION_NEW, 3), 0, 1000, 1000}, n, seed = 0x5f5f5;
	handle_t user, s;
	char blob[96];

	UCHECK(posix_vfs_admin && ipc_buffer(), "no vfs server or IPC buffer");
	UCHECK(vr_ipc_call(posix_vfs_admin, m) == 0 && (int64_t)m[1] > 0, "a session of uid 1000");
	user = m[3];
	uint64_t nu = m[1];
	UCHECK(sysfs_call(user, w, dev, sizeof(dev)) == -VR_EPERM, "uid 1000 registered");
	UCHECK(new_session(&s, &n) == 0, "session");
	UCHECK(sysfs_call(s, w, dev, sizeof(dev)) == 0, "uid 0 was refused");
	UCHECK(sysfs_call(s, w, dev, sizeof(dev)) == -VR_EEXIST, "registered twice");
	for (int i = 0; i < 400; i++) {
		static const char alphabet[] = "a/.=\0\0";
		size_t len = rnd(&seed) % sizeof(blob);
		for (size_t k = 0; k < len; k++)
			blob[k] = alphabet[rnd(&seed) % (sizeof(alphabet) - 1)];
		const uint64_t rw[4] = {rnd(&seed) % 4, rnd(&seed) % 300, rnd(&seed) % 300,
					rnd(&seed) & 0x030303};
		int64_t r = sysfs_call(s, rw, blob, len);
		UCHECK(r >= -4095 && r <= 0, "an answer out of range: %ld", r);
	}
	uint64_t end[8] = {VR_TAG(VFS_SESSION_END, 1), n};
	vr_ipc_call(posix_vfs_admin, end);
	vr_handle_close(s);
	UCHECK(new_session(&s, &n) == 0, "session");
	UCHECK(sysfs_call(s, w, dev, sizeof(dev)) == 0, "the ended session's device is still there");
	end[0] = VR_TAG(VFS_SESSION_END, 1), end[1] = n;
	vr_ipc_call(posix_vfs_admin, end);
	end[0] = VR_TAG(VFS_SESSION_END, 1), end[1] = nu;
	vr_ipc_call(posix_vfs_admin, end);
	vr_handle_close(s);
	vr_handle_close(user);
	return NULL;
}
