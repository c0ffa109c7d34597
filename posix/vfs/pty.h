/*
 * Pseudo-terminals: each open of /dev/ptmx makes a pair, a master and the
 * slave /dev/pts/N (a terminal with the line discipline of tty.h). The master
 * reads what the slave writes (after output processing) and writes what the
 * slave reads (through the line discipline). As Linux: a new pair is locked
 * until TIOCSPTLCK unlocks it; once the master closes, /dev/pts/N goes away,
 * the slave reads end of file and writes fail (EIO); once every slave that was
 * opened closes, the master reads EIO.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs.h"
#include "tty.h"

#define PTY_MAX 64 /* live pairs (ENOSPC beyond) */

enum pty_end { PTY_MASTER, PTY_SLAVE };

struct pty {
	unsigned index; /* N of /dev/pts/N */
	struct lock *locks; /* advisory locks on its ends (lock.h), freed with it */
	struct tty tty;
	bool master;	   /* the master is open */
	unsigned slaves;   /* open slave files */
	bool slave_closed; /* the last slave opened has closed: the master reads EIO */
	bool locked;	   /* TIOCSPTLCK: the slave cannot be opened */
	struct node *node; /* /dev/pts/N while the master is open */
};

struct file;

/* Makes /dev/ptmx and the directory /dev/pts in devfs root @dev; 0 or -ENOMEM. */
int pty_populate(struct node *dev);

/*
 * Opens device node @n: /dev/ptmx makes a new pair (its slave owned by @c),
 * /dev/pts/N opens that slave. *out is a new open file. 0 or -errno.
 */
int pty_open(struct node *n, int flags, const struct cred *c, struct file **out);

/* An end's file closed; the pair is freed when both ends are. */
void pty_close(struct pty *p, enum pty_end end);

/* Reads and writes as tty.h; @want as tty_read (the slave's). -EAGAIN: would block. */
long pty_read(struct pty *p, enum pty_end end, char *buf, size_t len, size_t want);
long pty_write(struct pty *p, enum pty_end end, const char *buf, size_t len);
short pty_poll(const struct pty *p, enum pty_end end);

/* The terminal ioctls of tty_ioctl plus TIOCGPTN, TIOCSPTLCK and TIOCGPTLCK on the master. */
long pty_ioctl(struct pty *p, enum pty_end end, unsigned long request, uint64_t arg, const void *in,
	       size_t inlen, void *out, size_t *outlen, int32_t caller);

/* Pair number @i (< PTY_MAX), or NULL. */
struct pty *pty_at(unsigned i);

/* The slave's device number (st_rdev, Linux's 136:N). */
uint64_t pty_rdev(const struct pty *p);
