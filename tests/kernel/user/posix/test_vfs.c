/*
 * The vfs server keeps serving after malformed requests: random labels,
 * words, long parts and stray capabilities sent straight to its endpoint,
 * through a session and through the admin capability; each gets an answer,
 * and afterwards a real open and read of /etc/hostname still work. Another
 * session's ids mean nothing in this one. The same for random socket,
 * eventfd and poll requests on non-blocking sockets and eventfds.
 */
#include "../../../../posix/proto/vfs.h"
#include "../../../../roottask/posix.h"
#include "../../../../roottask/utest.h"

static void *ipc_buffer(void)
{
	static void *buf;
	handle_t vmo;
	uint64_t at;

	if (buf)
		return buf;
	if (vr_vmo_create(VR_PAGE, 0, &vmo) ||
	    vr_vm_map(0, vmo, 0, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &at) ||
	    vr_ipc_buffer_set(at))
		return NULL;
	return buf = (void *)(uintptr_t)at;
}

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

UTEST(vfs_survives_malformed_requests)
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
		/* Admin requests only rarely, and never ending a session. */
		handle_t ep = i % 50 == 0 ? posix_vfs_admin : i % 2 ? s1 : s2;
		if (ep == posix_vfs_admin && label == VFS_SESSION_END)
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

UTEST(vfs_survives_malformed_socket_requests)
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

/* The same for epoll, timerfd, memfd, mmap and seal requests aimed at such objects. */
UTEST(vfs_survives_malformed_epoll_shm_requests)
{
	static const uint32_t labels[] = {
		VFS_CLOSE, VFS_READ, VFS_WRITE, VFS_STAT, VFS_DUP, VFS_POLL, VFS_POLL_WAIT,
		VFS_TRUNCATE, VFS_EPOLL_CREATE, VFS_EPOLL_CTL, VFS_EPOLL_WAIT, VFS_TIMERFD_CREATE,
		VFS_TIMERFD_SET, VFS_TIMERFD_GET, VFS_MEMFD, VFS_MMAP, VFS_SEALS, VFS_EVENTFD,
	};
	handle_t s;
	uint64_t n, r, seed = 0xe9011;

	UCHECK(posix_vfs_admin && ipc_buffer(), "no vfs server or IPC buffer");
	UCHECK(new_session(&s, &n) == 0, "session");
	UCHECK(call(s, VFS_EPOLL_CREATE, 0, 0, NULL, &r) == 0 && (int64_t)r >= 0, "epoll: %ld", (int64_t)r);
	UCHECK(call(s, VFS_TIMERFD_CREATE, 1, NONBLOCK, NULL, &r) == 0 && (int64_t)r >= 0, "timerfd");
	UCHECK(call(s, VFS_MEMFD, 2, 0, NULL, &r) == 0 && (int64_t)r >= 0, "memfd");
	UCHECK(call(s, VFS_EVENTFD, 0, NONBLOCK, NULL, &r) == 0 && (int64_t)r >= 0, "eventfd");
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
	uint64_t end[8] = {VR_TAG(VFS_SESSION_END, 1), n};
	vr_ipc_call(posix_vfs_admin, end);
	vr_handle_close(s);
	return NULL;
}
