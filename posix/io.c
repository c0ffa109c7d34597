/*
 * File descriptors, for now only the three standard ones: 1 and 2 write to
 * the kernel's debug console, 0 reads as an empty file. The fd table (fd ->
 * capability + server) comes with the vfs server.
 */
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "posix.h"

#define CONSOLE_MAX 65536 /* the most one debug_write takes */

static int is_std(long fd)
{
	return fd >= 0 && fd <= 2;
}

void px_console(const char *s, size_t len)
{
	while (len) {
		size_t n = len < CONSOLE_MAX ? len : CONSOLE_MAX;
		if (vr_debug_write(s, n) < 0)
			return;
		s += n;
		len -= n;
	}
}

static long write_to(long fd, const void *buf, size_t len)
{
	if (fd != 1 && fd != 2)
		return -EBADF;
	if (len > CONSOLE_MAX)
		len = CONSOLE_MAX;
	int64_t err = vr_debug_write(buf, len);
	return err < 0 ? err : (long)len;
}

long px_read(const long *args)
{
	return args[0] == 0 ? 0 : -EBADF;
}

long px_write(const long *args)
{
	return write_to(args[0], (const void *)args[1], (size_t)args[2]);
}

long px_writev(const long *args)
{
	const struct iovec *iov = (const struct iovec *)args[1];
	long n = args[2], done = 0;

	if (n < 0 || n > IOV_MAX)
		return -EINVAL;
	for (long i = 0; i < n; i++) {
		if (!iov[i].iov_len)
			continue;
		long r = write_to(args[0], iov[i].iov_base, iov[i].iov_len);
		if (r < 0)
			return done ? done : r;
		done += r;
	}
	return done;
}

/* No fd is a terminal yet: stdio then buffers stdout fully instead of by line. */
long px_ioctl(const long *args)
{
	return is_std(args[0]) ? -ENOTTY : -EBADF;
}

long px_close(const long *args)
{
	return is_std(args[0]) ? 0 : -EBADF;
}
