/*
 * The devices of devfs. random and urandom are a xorshift generator seeded
 * from the clock: NOT cryptographic (a real entropy source comes later).
 * The console writes to the kernel's debug console; what is typed arrives from
 * the root task's UART driver (VFS_CONSOLE_INPUT) and goes through tty.c's line
 * discipline (echo, canonical editing), which also processes what is written
 * (ONLCR) and answers its ioctls. Reads wait for a line (server.c, ttyops.c). devfs also holds /dev/ptmx
 * and /dev/pts/ (pty.c).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "dev.h"
#include "pty.h"

static void no_console(const char *s, size_t len)
{
}

void (*dev_console_write)(const char *s, size_t len) = no_console;

static void console_sink(const char *s, size_t len)
{
	dev_console_write(s, len);
}

struct tty *dev_console_tty(void)
{
	static struct tty console;
	static bool ready;

	if (!ready) {
		tty_init(&console, console_sink);
		console.ws = (struct vfs_winsize){.row = 24, .col = 80};
		ready = true;
	}
	return &console;
}

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	if (!rng_state)
		rng_state = ((uint64_t)fs_now() * 0x9e3779b97f4a7c15ull ^ (uintptr_t)&rng_state) | 1;
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

int devfs_populate(struct node *root)
{
	static const struct {
		const char *name;
		enum fs_dev dev;
		uint32_t mode;
	} devs[] = {
		{"null", DEV_NULL, 0666},	{"zero", DEV_ZERO, 0666},
		{"full", DEV_FULL, 0666},	{"random", DEV_RANDOM, 0666},
		{"urandom", DEV_URANDOM, 0666}, {"console", DEV_CONSOLE, 0620},
		{"tty", DEV_TTY, 0666},
	};
	const struct cred c = {0, 0};

	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		struct node *n =
		    node_create(root, devs[i].name, strlen(devs[i].name), S_IFCHR | devs[i].mode, &c);
		if (!n)
			return -ENOMEM;
		n->dev = devs[i].dev;
	}
	return pty_populate(root);
}

long dev_read(enum fs_dev d, void *buf, size_t len)
{
	switch (d) {
	case DEV_ZERO:
	case DEV_FULL:
		memset(buf, 0, len);
		return (long)len;
	case DEV_RANDOM:
	case DEV_URANDOM:
		for (size_t i = 0; i < len; i += 8) {
			uint64_t r = rng_next();
			memcpy((char *)buf + i, &r, len - i < 8 ? len - i : 8);
		}
		return (long)len;
	case DEV_NULL:
		return 0;
	case DEV_CONSOLE:
		return tty_read(dev_console_tty(), buf, len, 1);
	default:
		return -ENXIO;
	}
}

long dev_write(enum fs_dev d, const void *buf, size_t len)
{
	switch (d) {
	case DEV_FULL:
		return -ENOSPC;
	case DEV_CONSOLE:
		return tty_write(dev_console_tty(), buf, len);
	case DEV_NULL:
	case DEV_ZERO:
	case DEV_RANDOM:
	case DEV_URANDOM:
		return (long)len;
	default:
		return -ENXIO;
	}
}

uint64_t dev_rdev(enum fs_dev d)
{
	/* Linux's numbers (major << 8 | minor): mem devices 1:3..1:9, the console 5:1. */
	static const uint16_t rdev[] = {
		[DEV_NULL] = 1 << 8 | 3, [DEV_ZERO] = 1 << 8 | 5,    [DEV_FULL] = 1 << 8 | 7,
		[DEV_RANDOM] = 1 << 8 | 8, [DEV_URANDOM] = 1 << 8 | 9, [DEV_CONSOLE] = 5 << 8 | 1,
		[DEV_PTMX] = 5 << 8 | 2,	[DEV_PTS] = 136 << 8,	     [DEV_TTY] = 5 << 8 | 0,
	};
	return (unsigned)d < sizeof(rdev) / sizeof(rdev[0]) ? rdev[d] : 0;
}

int dev_is_tty(enum fs_dev d)
{
	return d == DEV_CONSOLE;
}
