/* Pseudo-terminal pairs: see pty.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "file.h"
#include "lock.h"
#include "pty.h"

#ifndef TIOCGPTLCK
#define TIOCGPTLCK 0x80045439 /* Linux's _IOR('T', 0x39, int), which some headers lack */
#endif

static struct pty *ptys[PTY_MAX];
static struct node *pts_dir;

struct pty *pty_at(unsigned i)
{
	return i < PTY_MAX ? ptys[i] : NULL;
}

int pty_populate(struct node *dev)
{
	const struct cred root = {0, 0};
	struct node *ptmx = node_create(dev, "ptmx", 4, S_IFCHR | 0666, &root);

	if (!ptmx || !(pts_dir = node_create(dev, "pts", 3, S_IFDIR | 0755, &root)))
		return -ENOMEM;
	ptmx->dev = DEV_PTMX;
	return 0;
}

static struct file *file_of_pty(struct pty *p, enum file_kind kind, int flags)
{
	struct file *f = file_new();

	if (f)
		*f = (struct file){.refs = 1, .kind = kind, .pty = p, .flags = flags};
	return f;
}

static int open_master(int flags, const struct cred *c, struct file **out)
{
	unsigned i = 0;
	char name[16];

	while (i < PTY_MAX && ptys[i])
		i++;
	if (i == PTY_MAX || !pts_dir)
		return -ENOSPC;
	struct pty *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	tty_init(&p->tty, NULL);
	p->index = i;
	p->master = true;
	p->locked = true;
	int len = snprintf(name, sizeof(name), "%u", i);
	if (!(p->node = node_create(pts_dir, name, (size_t)len, S_IFCHR | 0620, c)))
		goto err_node;
	p->node->dev = DEV_PTS;
	p->node->pty = p;
	if (!(*out = file_of_pty(p, FILE_PTY_MASTER, flags)))
		goto err_file;
	ptys[i] = p;
	return 0;

err_file:
	node_unlink(p->node);
err_node:
	free(p);
	return -ENOMEM;
}

int pty_open(struct node *n, int flags, const struct cred *c, struct file **out)
{
	if (n->dev == DEV_PTMX)
		return open_master(flags, c, out);
	struct pty *p = n->pty;
	if (!p || !p->master || p->locked)
		return -EIO;
	if (!(*out = file_of_pty(p, FILE_PTY_SLAVE, flags)))
		return -ENOMEM;
	p->slaves++;
	p->slave_closed = false;
	return 0;
}

void pty_close(struct pty *p, enum pty_end end)
{
	if (end == PTY_MASTER) {
		p->master = false;
		if (p->node) {
			p->node->pty = NULL;
			node_unlink(p->node);
			p->node = NULL;
		}
	} else if (--p->slaves == 0) {
		p->slave_closed = true;
	}
	if (p->master || p->slaves)
		return;
	ptys[p->index] = NULL;
	lock_free_all(&p->locks);
	free(p);
}

long pty_read(struct pty *p, enum pty_end end, char *buf, size_t len, size_t want)
{
	if (end == PTY_MASTER) {
		size_t n = tty_take_output(&p->tty, buf, len);
		return n ? (long)n : p->slave_closed ? -EIO : len ? -EAGAIN : 0;
	}
	if (!p->master && !tty_read_ready(&p->tty))
		return 0; /* hung up: end of file, as Linux */
	return tty_read(&p->tty, buf, len, want);
}

long pty_write(struct pty *p, enum pty_end end, const char *buf, size_t len)
{
	if (end == PTY_MASTER)
		return tty_input(&p->tty, buf, len);
	if (!p->master)
		return -EIO;
	return tty_write(&p->tty, buf, len);
}

short pty_poll(const struct pty *p, enum pty_end end)
{
	const struct tty *t = &p->tty;

	if (end == PTY_MASTER)
		return (short)((t->outlen ? POLLIN : 0) | (t->inlen < TTY_IN_MAX ? POLLOUT : 0) |
			       (p->slave_closed ? POLLHUP : 0));
	if (!p->master)
		return POLLIN | POLLOUT | POLLERR | POLLHUP;
	return (short)((tty_read_ready(t) ? POLLIN : 0) |
		       (!t->stopped && t->outlen < TTY_OUT_MAX ? POLLOUT : 0));
}

long pty_ioctl(struct pty *p, enum pty_end end, unsigned long request, uint64_t arg, const void *in,
	       size_t inlen, void *out, size_t *outlen, int32_t caller)
{
	int32_t v;

	*outlen = 0;
	if (end == PTY_MASTER) {
		switch (request) {
		case TIOCGPTN: v = (int32_t)p->index; break;
		case TIOCGPTLCK: v = p->locked; break;
		case TIOCSPTLCK:
			if (inlen != sizeof(v))
				return -EINVAL;
			memcpy(&v, in, sizeof(v));
			p->locked = v != 0;
			return 0;
		case FIONREAD: v = (int32_t)p->tty.outlen; break;
		default: return tty_ioctl(&p->tty, request, arg, in, inlen, out, outlen, caller);
		}
		memcpy(out, &v, sizeof(v));
		*outlen = sizeof(v);
		return 0;
	}
	if (!p->master)
		return -EIO;
	if (request == TIOCGPTN || request == TIOCSPTLCK || request == TIOCGPTLCK)
		return -ENOTTY;
	return tty_ioctl(&p->tty, request, arg, in, inlen, out, outlen, caller);
}

uint64_t pty_rdev(const struct pty *p)
{
	return 136 << 8 | p->index;
}
