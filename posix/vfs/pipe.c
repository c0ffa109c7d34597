/* The pipe ring buffer: see pipe.h. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "pipe.h"

struct pipe *pipe_create(void)
{
	struct pipe *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (!(p->buf = malloc(PIPE_SIZE))) {
		free(p);
		return NULL;
	}
	p->readers = p->writers = 1;
	return p;
}

void pipe_destroy(struct pipe *p)
{
	if (p)
		free(p->buf);
	free(p);
}

long pipe_read(struct pipe *p, void *buf, size_t len)
{
	if (!p->len)
		return p->writers ? -EAGAIN : 0;
	if (len > p->len)
		len = p->len;
	size_t first = PIPE_SIZE - p->head < len ? PIPE_SIZE - p->head : len;
	memcpy(buf, p->buf + p->head, first);
	memcpy((char *)buf + first, p->buf, len - first);
	p->head = (p->head + len) % PIPE_SIZE;
	p->len -= len;
	if (!p->len)
		p->head = 0;
	return (long)len;
}

void pipe_unread(struct pipe *p, const void *buf, size_t len)
{
	if (len > PIPE_SIZE - p->len)
		return;	/* not the bytes just read: cannot happen */
	p->head = (p->head + PIPE_SIZE - len) % PIPE_SIZE;
	size_t first = PIPE_SIZE - p->head < len ? PIPE_SIZE - p->head : len;
	memcpy(p->buf + p->head, buf, first);
	memcpy(p->buf, (const char *)buf + first, len - first);
	p->len += len;
}

long pipe_write(struct pipe *p, const void *buf, size_t len)
{
	size_t room = PIPE_SIZE - p->len;

	if (!p->readers)
		return -EPIPE;
	if (!len)
		return 0;
	if ((len <= PIPE_ATOMIC && room < len) || room == 0)
		return -EAGAIN;
	if (len > room)
		len = room;
	size_t tail = (p->head + p->len) % PIPE_SIZE;
	size_t first = PIPE_SIZE - tail < len ? PIPE_SIZE - tail : len;
	memcpy(p->buf + tail, buf, first);
	memcpy(p->buf, (const char *)buf + first, len - first);
	p->len += len;
	return (long)len;
}

short pipe_poll(const struct pipe *p, bool write_end)
{
	if (write_end)
		return !p->readers ? POLLERR : PIPE_SIZE - p->len >= PIPE_ATOMIC ? POLLOUT : 0;
	return (short)((p->len ? POLLIN : 0) | (!p->writers ? POLLHUP : 0));
}
