/*
 * A device file served by another process through the vfs server's remote
 * mounts (proto/vfs.h, "Remote file systems"): a forked child mounts a
 * directory in /tmp and serves "echo0" in it (what is written is read back;
 * reads wait for data; two ioctls; mmap gives a VMO of its own; readiness
 * reported with VFS_REMOTE_READY), and the parent uses it through ordinary
 * POSIX calls: open, fstat, read, write, poll and epoll together with a
 * pipe, ioctl, mmap. Then the child is killed while a read waits on it: the
 * read fails with EIO, the open file polls POLLERR | POLLHUP, and the vfs
 * server serves on. Exits with the number of failed checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <veridian/vr.h>

#include "ipc.h"
#include "proto/vfs.h"

extern handle_t px_vfs;

#define ECHO_SUM _IOWR('V', 1, struct echo_sum) /* c = a + b */
#define ECHO_COUNT _IOR('V', 2, int)		/* the requests served so far */
#define MAGIC "vmo-of-the-echo-device"

struct echo_sum {
	uint32_t a, b, c;
};

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			printf("devices: FAIL line %d: ", __LINE__);                               \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

/* ---- the server (the child) ---- */

static uint64_t mount_no;
static handle_t grant_cap; /* the mount's capability, for the answer with a VMO */
static char data[4096];
static size_t held;			  /* bytes written, not yet read */
static uint64_t waiting_tag, waiting_len; /* a read held until data comes (tag 0: none) */
static int served;

static void answer3(uint64_t tag, long result, uint64_t x1, uint64_t x2, uint64_t x3,
		    const void *buf, size_t len)
{
	uint64_t r[8];
	const uint64_t w[6] = {mount_no, tag, (uint64_t)result, x1, x2, x3};

	px_call(px_vfs, VFS_REMOTE_ANSWER, w, 6, buf, len, r);
}

static void answer(uint64_t tag, long result, const void *buf, size_t len)
{
	answer3(tag, result, 0, 0, 0, buf, len);
}

/* Readiness is reported before the answer that changed it, so the client never sees it stale. */
static void ready(uint64_t handle)
{
	uint64_t r[8];
	const uint64_t w[3] = {mount_no, handle, POLLOUT | (held ? POLLIN : 0)};

	px_call(px_vfs, VFS_REMOTE_READY, w, 3, NULL, 0, r);
}

/* Takes up to @len held bytes into @out. */
static size_t take(char *out, size_t len)
{
	size_t n = len < held ? len : held;

	memcpy(out, data, n);
	memmove(data, data + n, held - n);
	held -= n;
	return n;
}

/* The mmap answer: a fresh VMO with MAGIC at its start, moved to the client. */
static void answer_mmap(uint64_t tag)
{
	handle_t vmo, cap = 0;
	uint64_t m[8] = {0};

	/* The capability that travels needs TRANSFER and DUPLICATE (the vfs server passes it on).
	 */
	if (vr_vmo_create(VR_PAGE, 0, &vmo)) {
		answer(tag, -ENOMEM, NULL, 0);
		return;
	}
	if (vr_vmo_write(vmo, MAGIC, 0, sizeof(MAGIC)) ||
	    vr_handle_derive(
		vmo, VR_RIGHT_READ | VR_RIGHT_MAP | VR_RIGHT_TRANSFER | VR_RIGHT_DUPLICATE, &cap)) {
		vr_handle_close(vmo);
		answer(tag, -ENOMEM, NULL, 0);
		return;
	}
	vr_handle_close(vmo);
	vmo = cap;
	m[0] = VR_TAG(VFS_REMOTE_ANSWER, 7) | VR_TAG_CAPS(1) | VR_TAG_MOVE_CAPS;
	m[1] = mount_no;
	m[2] = tag;
	m[3] = VR_PAGE;
	m[7] = vmo;
	int64_t err = vr_ipc_call(grant_cap, m);
	if (err < 0) {
		printf("devices: the answer with the VMO failed: %ld\n", (long)err);
		vr_handle_close(vmo);
		answer(tag, -EIO, NULL, 0);
	}
}

static void serve_one(const uint64_t r[8], int notify)
{
	uint32_t op = (uint32_t)r[1];
	int flags = (int)(r[1] >> 32);
	uint64_t tag = r[2], handle = r[3], a = r[4];
	size_t len = px_reply_len(r[0]);
	const char *in = px_ipc_buffer();
	static char got[4096];
	struct vfs_stat st = {
	    .dev = 77, .ino = 1, .mode = S_IFCHR | 0666, .nlink = 1, .rdev = 0x4d00};

	served++;
	switch (op) {
	case VFS_OPEN:
		if (!strcmp(in, "echo0"))
			answer3(tag, 0, 1, S_IFCHR, POLLOUT | (held ? POLLIN : 0), NULL, 0);
		else
			answer(tag, -ENOENT, NULL, 0);
		break;
	case VFS_STATAT:
	case VFS_STAT:
		if (op == VFS_STATAT && strcmp(in, "echo0")) {
			answer(tag, -ENOENT, NULL, 0);
			break;
		}
		answer(tag, 0, &st, sizeof(st));
		break;
	case VFS_WRITE: {
		size_t n = len < sizeof(data) - held ? len : sizeof(data) - held;
		memcpy(data + held, in, n);
		held += n;
		size_t k = 0;
		if (waiting_tag)
			k = take(got, waiting_len);
		ready(handle);
		if (waiting_tag) {
			answer(waiting_tag, (long)k, got, k);
			waiting_tag = 0;
		}
		answer(tag, (long)n, NULL, 0);
		break;
	}
	case VFS_READ:
		if (held) {
			size_t k = take(got, a);
			ready(handle);
			answer(tag, (long)k, got, k);
		} else if (flags & O_NONBLOCK) {
			answer(tag, -EAGAIN, NULL, 0);
		} else {
			/* Held: answered by the next write. The parent learns it waits. */
			waiting_tag = tag;
			waiting_len = a;
			write(notify, "w", 1);
		}
		break;
	case VFS_IOCTL:
		if ((uint32_t)a == ECHO_SUM && len == sizeof(struct echo_sum)) {
			struct echo_sum s;
			memcpy(&s, in, sizeof(s));
			s.c = s.a + s.b;
			answer(tag, 0, &s, sizeof(s));
		} else if ((uint32_t)a == ECHO_COUNT) {
			answer(tag, 0, &served, sizeof(served));
		} else {
			answer(tag, -ENOTTY, NULL, 0);
		}
		break;
	case VFS_MMAP: answer_mmap(tag); break;
	case VFS_CLOSE: break;
	default: answer(tag, -EINVAL, NULL, 0); break;
	}
}

static void serve(const char *dir, int notify)
{
	uint64_t r[8];
	const uint64_t w[1] = {VFS_AT_CWD};
	long n = px_call(px_vfs, VFS_REMOTE_MOUNT, w, 1, dir, strlen(dir) + 1, r);

	write(notify, n > 0 ? "m" : "e", 1);
	if (n <= 0)
		_exit(1);
	mount_no = (uint64_t)n;
	if (((r[0] >> 4) & 3) == 1)
		grant_cap = r[r[0] & 15];
	for (;;) {
		const uint64_t next[2] = {mount_no, 0};
		if (px_call(px_vfs, VFS_REMOTE_NEXT, next, 2, NULL, 0, r) < 0)
			_exit(2);
		serve_one(r, notify);
	}
}

/* ---- the client (the parent) ---- */

struct pending_read {
	int fd;
	ssize_t r;
	int err;
};

static void *blocked_read(void *arg)
{
	struct pending_read *p = arg;
	char c;

	p->r = read(p->fd, &c, 1);
	p->err = errno;
	return NULL;
}

static void use(const char *path, int fd)
{
	struct stat st;
	char buf[64];
	int fds[2];

	CHECK(!fstat(fd, &st) && S_ISCHR(st.st_mode) && st.st_rdev == 0x4d00, "fstat: mode %o",
	      st.st_mode);
	CHECK(!stat(path, &st) && S_ISCHR(st.st_mode), "stat: errno %d", errno);
	CHECK(pipe(fds) == 0, "pipe");

	/* Nothing written yet: neither is readable. */
	struct pollfd p[2] = {{.fd = fd, .events = POLLIN | POLLOUT},
			      {.fd = fds[0], .events = POLLIN}};
	CHECK(poll(p, 2, 0) == 1 && p[0].revents == POLLOUT && !p[1].revents, "poll before: %x %x",
	      p[0].revents, p[1].revents);
	CHECK(write(fd, "hello", 5) == 5, "write: errno %d", errno);
	p[0].events = POLLIN;
	CHECK(poll(p, 2, -1) == 1 && (p[0].revents & POLLIN), "poll after the write: %x",
	      p[0].revents);

	/* epoll over the device and the pipe. */
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 1}, got[4];
	CHECK(ep >= 0 && !epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), "epoll_ctl device: errno %d",
	      errno);
	ev.data.u32 = 2;
	CHECK(!epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev), "epoll_ctl pipe: errno %d", errno);
	CHECK(epoll_wait(ep, got, 4, -1) == 1 && got[0].data.u32 == 1,
	      "epoll: device not alone ready");

	CHECK(read(fd, buf, 3) == 3 && !memcmp(buf, "hel", 3), "read 3");
	CHECK(read(fd, buf, sizeof(buf)) == 2 && !memcmp(buf, "lo", 2), "read the rest");
	CHECK(write(fds[1], "p", 1) == 1, "pipe write");
	CHECK(epoll_wait(ep, got, 4, -1) == 1 && got[0].data.u32 == 2,
	      "epoll: pipe not alone ready");
	CHECK(read(fds[0], buf, 1) == 1, "pipe read");
	close(ep);

	/* A non-blocking read of nothing. */
	int fl = fcntl(fd, F_GETFL);
	CHECK(fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0, "F_SETFL");
	CHECK(read(fd, buf, 1) == -1 && errno == EAGAIN, "non-blocking read: errno %d", errno);
	fcntl(fd, F_SETFL, fl);

	/* ioctl, marshalled by its _IOC bits. */
	struct echo_sum s = {.a = 40, .b = 2};
	CHECK(ioctl(fd, ECHO_SUM, &s) == 0 && s.c == 42, "ECHO_SUM: c %u", s.c);
	int count = 0;
	CHECK(ioctl(fd, ECHO_COUNT, &count) == 0 && count > 5, "ECHO_COUNT %d", count);
	CHECK(ioctl(fd, _IO('V', 9)) == -1 && errno == ENOTTY, "unknown ioctl: errno %d", errno);
	CHECK(ioctl(fd, ECHO_SUM, (void *)8) == -1 && errno == EFAULT, "bad pointer: errno %d",
	      errno);

	/* mmap: the owner's VMO. */
	char *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED && !memcmp(m, MAGIC, sizeof(MAGIC)), "mmap: errno %d", errno);
	if (m != MAP_FAILED)
		munmap(m, 4096);
	CHECK(open(path, O_RDONLY) >= 0, "a second open");
	char other[128];
	snprintf(other, sizeof(other), "%.100s-none", path);
	CHECK(open(other, O_RDONLY) == -1 && errno == ENOENT, "an unknown name: errno %d", errno);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	char dir[64], path[80];
	int notify[2];
	char c = 0;

	snprintf(dir, sizeof(dir), "/tmp/devices.%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/echo0", dir);
	if (mkdir(dir, 0755) || pipe(notify)) {
		printf("devices: FAIL: mkdir %s or pipe: errno %d\n", dir, errno);
		return 1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(notify[0]);
		serve(dir, notify[1]);
	}
	close(notify[1]);
	CHECK(pid > 0 && read(notify[0], &c, 1) == 1 && c == 'm', "the server did not mount");
	int fd = open(path, O_RDWR);
	CHECK(fd >= 0, "open %s: errno %d", path, errno);
	CHECK(mkdir(path, 0755) == -1, "mkdir in a remote tree succeeded");
	if (fd >= 0 && pid > 0) {
		use(path, fd);

		/* A read waits on the server; the server is killed meanwhile. */
		struct pending_read pr = {.fd = fd};
		pthread_t t;
		CHECK(!pthread_create(&t, NULL, blocked_read, &pr), "pthread_create");
		CHECK(read(notify[0], &c, 1) == 1 && c == 'w', "the server saw no read");
		CHECK(kill(pid, SIGKILL) == 0, "kill: errno %d", errno);
		pthread_join(t, NULL);
		CHECK(pr.r == -1 && pr.err == EIO, "the waiting read: %zd, errno %d", pr.r, pr.err);
		int status;
		CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status),
		      "the server's status %#x", status);

		/* Its files are dead; its mount is gone; the vfs serves on. */
		char buf[8];
		CHECK(read(fd, buf, 1) == -1 && errno == EIO, "read after: errno %d", errno);
		CHECK(write(fd, "x", 1) == -1 && errno == EIO, "write after: errno %d", errno);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		CHECK(poll(&p, 1, -1) == 1 && (p.revents & (POLLERR | POLLHUP)), "poll after: %x",
		      p.revents);
		struct echo_sum s = {1, 2, 0};
		CHECK(ioctl(fd, ECHO_SUM, &s) == -1 && errno == EIO, "ioctl after: errno %d",
		      errno);
		CHECK(close(fd) == 0, "close after");
		CHECK(open(path, O_RDONLY) == -1 && errno == ENOENT, "open after: errno %d", errno);
	}
	CHECK(rmdir(dir) == 0, "rmdir %s: errno %d", dir, errno);
	int t = open("/tmp/devices.after", O_RDWR | O_CREAT, 0600);
	CHECK(t >= 0 && write(t, "ok", 2) == 2, "the vfs server after: errno %d", errno);
	close(t);
	unlink("/tmp/devices.after");
	printf("devices: %d failure%s\n", failures, failures == 1 ? "" : "s");
	return failures > 100 ? 100 : failures;
}
