/*
 * The kernel's debug console: where fds 1 and 2 of a program without a vfs
 * session write (the servers), and where unimplemented calls are named.
 */
#include "posix.h"

#define CONSOLE_MAX 65536 /* the most one debug_write takes */

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
