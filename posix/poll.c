/*
 * poll, ppoll, select and pselect6: one VFS_POLL_WAIT request with every
 * descriptor's (id, events) and the timeout; the server answers at once if
 * one is ready and otherwise when one becomes ready or the time is up.
 * Descriptors that are not the vfs's (the console) are always writable.
 * More than VFS_POLL_MAX vfs descriptors are looked at in pieces, every
 * millisecond, as before the server could wait.
 */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <veridian/vr.h>

#include "fd.h"
#include "file.h"
#include "ipc.h"
#include "posix.h"
#include "proto/vfs.h"

/* Asks the server about @n entries of @p (all vfs files, ids in @e); fills revents. */
static long ask(struct pollfd *p, const struct vfs_pollfd *e, const unsigned *at, size_t n,
		int64_t ns)
{
	uint64_t r[8], w[2] = {(uint64_t)ns, n};
	char *buf = px_ipc_buffer();

	if (!buf)
		return -ENOMEM;
	memcpy(buf, e, n * sizeof(*e));
	long ready = px_vfs_call(VFS_POLL_WAIT, w, 2, n * sizeof(*e), r);
	if (ready < 0)
		return ready;
	if (px_reply_len(r[0]) != n * sizeof(*e))
		return -EIO;
	for (size_t i = 0; i < n; i++) {
		struct vfs_pollfd v;
		memcpy(&v, buf + i * sizeof(v), sizeof(v));
		p[at[i]].revents = v.revents;
	}
	return ready;
}

static int64_t clock_now(void)
{
	uint64_t now = 0;

	vr_clock_get(&now);
	return (int64_t)now;
}

/* poll on the caller's own copy of the entries; @ns < 0: no timeout. */
static long poll_local(struct pollfd *p, unsigned long n, int64_t ns)
{
	struct vfs_pollfd *e = malloc(n * sizeof(*e) + 1);
	unsigned *at = malloc(n * sizeof(*at) + 1);
	long ready = 0, err = 0;
	size_t k = 0;

	if (!e || !at) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned long i = 0; i < n; i++) {
		struct px_file *f = p[i].fd < 0 ? NULL : px_fd_file(p[i].fd);
		p[i].revents = 0;
		if (p[i].fd < 0)
			continue;
		if (!f)
			p[i].revents = POLLNVAL;
		else if (f->kind != PX_FILE_VFS)
			p[i].revents = p[i].events & (POLLOUT | POLLWRNORM);
		else {
			e[k] = (struct vfs_pollfd){(uint32_t)f->id, p[i].events, 0};
			at[k++] = (unsigned)i;
		}
		ready += p[i].revents != 0;
	}
	if (k <= VFS_POLL_MAX) {
		long r = k || !ready ? ask(p, e, at, k, ready ? 0 : ns) : 0;
		err = r < 0 ? r : 0;
		ready += r < 0 ? 0 : r;
		goto out;
	}
	int64_t deadline = ns > 0 ? clock_now() + ns : 0;
	for (;;) {
		long found = ready;
		for (size_t i = 0; i < k && !err; i += VFS_POLL_MAX) {
			size_t m = k - i < VFS_POLL_MAX ? k - i : VFS_POLL_MAX;
			long r = ask(p, e + i, at + i, m, 0);
			err = r < 0 ? r : 0;
			found += r < 0 ? 0 : r;
		}
		if (err || found || ns == 0 || (ns > 0 && clock_now() >= deadline)) {
			ready = found;
			break;
		}
		vr_thread_sleep(1000000);
	}
out:
	free(e);
	free(at);
	return err ? err : ready;
}

static long poll_user(struct pollfd *user, unsigned long n, int64_t ns)
{
	if (n > PX_FD_MAX)
		return -EINVAL;
	struct pollfd *p = malloc(n * sizeof(*p) + 1);
	long r = p ? 0 : -ENOMEM;
	/* In pages, through the kernel: a bad pointer is EFAULT. */
	for (unsigned long i = 0; i < n && !r; i += VR_PAGE / sizeof(*p)) {
		size_t m = n - i < VR_PAGE / sizeof(*p) ? n - i : VR_PAGE / sizeof(*p);
		if (!(r = px_copy_in(0, user + i, m * sizeof(*p))))
			memcpy(p + i, px_ipc_buffer(), m * sizeof(*p));
	}
	if (!r)
		r = poll_local(p, n, ns);
	for (unsigned long i = 0; i < n && r >= 0; i += VR_PAGE / sizeof(*p)) {
		size_t m = n - i < VR_PAGE / sizeof(*p) ? n - i : VR_PAGE / sizeof(*p);
		memcpy(px_ipc_buffer(), p + i, m * sizeof(*p));
		long err = px_copy_out(user + i, m * sizeof(*p));
		if (err)
			r = err;
	}
	free(p);
	return r;
}

/* A user struct timespec as nanoseconds in *ns (NULL: -1, no timeout); 0 or -errno. */
static long timeout_arg(const struct timespec *ts, int64_t *ns)
{
	struct timespec t;

	*ns = -1;
	if (!ts)
		return 0;
	if (px_copy_in(0, ts, sizeof(t)))
		return -EFAULT;
	memcpy(&t, px_ipc_buffer(), sizeof(t));
	*ns = px_timespec_ns(&t);
	return *ns < 0 ? -EINVAL : 0;
}

long px_poll(const long *args)
{
	long ms = args[2];

	return poll_user((struct pollfd *)args[0], (unsigned long)args[1],
			 ms < 0 ? -1 : ms * 1000000);
}

/* ppoll and pselect's mask is the calling thread's while they wait (signal.c). */
long px_ppoll(const long *args)
{
	const uint64_t *mask = (const uint64_t *)args[3];
	uint64_t old;
	int64_t ns;
	long err = timeout_arg((const struct timespec *)args[2], &ns);

	if (err)
		return err;
	if (mask && args[4] != _NSIG / 8)
		return -EINVAL;
	if (!(err = px_sig_mask_swap(mask, &old)))
		err = poll_user((struct pollfd *)args[0], (unsigned long)args[1], ns);
	px_sig_mask_restore(mask, old, err);
	return err;
}

/* select over poll: readable = POLLIN|POLLHUP|POLLERR, writable = POLLOUT|POLLERR, except =
 * POLLPRI. */
static long select_fds(long nfds, fd_set *user[3], int64_t ns)
{
	static const short want[3] = {POLLIN, POLLOUT, POLLPRI};
	static const short give[3] = {POLLIN | POLLHUP | POLLERR, POLLOUT | POLLERR, POLLPRI};
	fd_set sets[3];
	struct pollfd *p;
	long n = 0, r = 0;

	if (nfds < 0)
		return -EINVAL;
	if (nfds > PX_FD_MAX)
		nfds = PX_FD_MAX;
	size_t bytes = ((size_t)nfds + 63) / 64 * 8;
	for (int k = 0; k < 3; k++) {
		memset(&sets[k], 0, sizeof(sets[k]));
		if (user[k] && bytes) {
			if (px_copy_in(0, user[k], bytes))
				return -EFAULT;
			memcpy(&sets[k], px_ipc_buffer(), bytes);
		}
	}
	if (!(p = malloc((size_t)nfds * sizeof(*p) + 1)))
		return -ENOMEM;
	for (int fd = 0; fd < nfds; fd++) {
		short ev = 0;
		for (int k = 0; k < 3; k++)
			if (FD_ISSET(fd, &sets[k]))
				ev |= want[k];
		if (!ev)
			continue;
		if (!px_fd_file(fd)) {
			free(p);
			return -EBADF;
		}
		p[n++] = (struct pollfd){fd, ev, 0};
	}
	r = poll_local(p, (unsigned long)n, ns);
	if (r >= 0) {
		r = 0;
		for (int k = 0; k < 3; k++)
			memset(&sets[k], 0, bytes);
		for (long i = 0; i < n; i++)
			for (int k = 0; k < 3; k++)
				if ((p[i].events & want[k]) && (p[i].revents & give[k])) {
					FD_SET(p[i].fd, &sets[k]);
					r++;
				}
		for (int k = 0; k < 3 && r >= 0; k++) {
			if (!user[k] || !bytes)
				continue;
			memcpy(px_ipc_buffer(), &sets[k], bytes);
			if (px_copy_out(user[k], bytes))
				r = -EFAULT;
		}
	}
	free(p);
	return r;
}

long px_select(const long *args)
{
	fd_set *sets[3] = {(fd_set *)args[1], (fd_set *)args[2], (fd_set *)args[3]};
	const struct timeval *tv = (const struct timeval *)args[4];
	int64_t ns = -1;

	if (tv) {
		struct timeval t;
		if (px_copy_in(0, tv, sizeof(t)))
			return -EFAULT;
		memcpy(&t, px_ipc_buffer(), sizeof(t));
		if (t.tv_sec < 0 || t.tv_usec < 0 || t.tv_usec >= 1000000)
			return -EINVAL;
		ns = t.tv_sec * 1000000000 + t.tv_usec * 1000;
	}
	return select_fds(args[0], sets, ns);
}

/* args[5]: Linux's { const sigset_t *mask; size_t size } (may be NULL), the mask while it waits. */
long px_pselect6(const long *args)
{
	fd_set *sets[3] = {(fd_set *)args[1], (fd_set *)args[2], (fd_set *)args[3]};
	const long *m = (const long *)args[5];
	const uint64_t *mask = m ? (const uint64_t *)m[0] : NULL;
	uint64_t old;
	int64_t ns;
	long err = timeout_arg((const struct timespec *)args[4], &ns);

	if (err)
		return err;
	if (mask && m[1] != _NSIG / 8)
		return -EINVAL;
	if (!(err = px_sig_mask_swap(mask, &old)))
		err = select_fds(args[0], sets, ns);
	px_sig_mask_restore(mask, old, err);
	return err;
}
