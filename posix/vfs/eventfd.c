/* eventfd counters: see eventfd.h. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "eventfd.h"

#define EVENTFD_MAX (UINT64_MAX - 1)

struct eventfd *evfd_create(uint64_t count, bool semaphore)
{
	struct eventfd *e = malloc(sizeof(*e));

	if (e)
		*e = (struct eventfd){count, semaphore};
	return e;
}

void evfd_destroy(struct eventfd *e)
{
	free(e);
}

long evfd_read(struct eventfd *e, void *buf, size_t len)
{
	if (len < sizeof(uint64_t))
		return -EINVAL;
	if (!e->count)
		return -EAGAIN;
	uint64_t v = e->semaphore ? 1 : e->count;
	e->count -= v;
	memcpy(buf, &v, sizeof(v));
	return sizeof(v);
}

long evfd_write(struct eventfd *e, const void *buf, size_t len)
{
	uint64_t v;

	if (len < sizeof(v))
		return -EINVAL;
	memcpy(&v, buf, sizeof(v));
	if (v == UINT64_MAX)
		return -EINVAL;
	if (v > EVENTFD_MAX - e->count)
		return -EAGAIN;
	e->count += v;
	return sizeof(v);
}

short evfd_poll(const struct eventfd *e)
{
	return (short)((e->count ? POLLIN : 0) | (e->count < EVENTFD_MAX ? POLLOUT : 0));
}
