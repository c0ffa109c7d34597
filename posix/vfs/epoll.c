/* epoll interest lists: see epoll.h. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include "epoll.h"
#include "file.h"

#define NEST_MAX                                                                                   \
	5 /* epoll instances inside each other (ELOOP deeper), as Linux's EP_MAX_NESTS - 1 */
#define ALWAYS (EPOLLERR | EPOLLHUP)
#define CTL_EVENTS                                                                                 \
	(EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP | EPOLLERR | EPOLLHUP | EPOLLRDNORM |          \
	 EPOLLWRNORM | EPOLLET | EPOLLONESHOT | EPOLLWAKEUP | EPOLLEXCLUSIVE)

static struct epoll *all;

struct epoll *epl_create(struct file *self)
{
	struct epoll *ep = calloc(1, sizeof(*ep));

	if (!ep)
		return NULL;
	ep->self = self;
	ep->next = all;
	all = ep;
	return ep;
}

void epl_destroy(struct epoll *ep)
{
	if (!ep)
		return;
	for (struct epoll **pp = &all; *pp; pp = &(*pp)->next)
		if (*pp == ep) {
			*pp = ep->next;
			break;
		}
	while (ep->items) {
		struct epitem *it = ep->items;
		ep->items = it->next;
		free(it);
	}
	free(ep);
}

static struct epitem **find(struct epoll *ep, const struct file *f, uint64_t fd)
{
	struct epitem **p = &ep->items;

	while (*p && ((*p)->file != f || (*p)->fd != fd))
		p = &(*p)->next;
	return p;
}

/* How deep epoll instances nest below @ep (1: none), or NEST_MAX + 1 if @ep reaches @target. */
static int depth(const struct epoll *ep, const struct epoll *target, int level)
{
	int most = 1;

	if (ep == target || level > NEST_MAX)
		return NEST_MAX + 1;
	for (const struct epitem *it = ep->items; it; it = it->next) {
		if (it->file->kind != FILE_EPOLL)
			continue;
		int d = 1 + depth(it->file->epoll, target, level + 1);
		if (d > most)
			most = d;
	}
	return most;
}

int epl_ctl(struct epoll *ep, int op, struct file *f, uint64_t fd, const struct epoll_want *w)
{
	struct epitem **p = find(ep, f, fd), *it = *p;

	if (f == ep->self)
		return -EINVAL;
	if (f->kind == FILE_NODE && (S_ISREG(f->node->mode) || S_ISDIR(f->node->mode)))
		return -EPERM;
	if (op != EPOLL_CTL_DEL && (w->events & ~(uint32_t)CTL_EVENTS))
		return -EINVAL;
	switch (op) {
	case EPOLL_CTL_ADD:
		if (it)
			return -EEXIST;
		if (f->kind == FILE_EPOLL && depth(f->epoll, ep, 1) > NEST_MAX - 1)
			return -ELOOP;
		if (!(it = calloc(1, sizeof(*it))))
			return -ENOMEM;
		*it = (struct epitem){.file = f, .fd = fd, .want = *w};
		*p = it;
		return 0;
	case EPOLL_CTL_MOD:
		if (!it)
			return -ENOENT;
		if (w->events & EPOLLEXCLUSIVE)
			return -EINVAL;
		it->want = *w;
		it->seen = 0;
		it->disarmed = false;
		return 0;
	case EPOLL_CTL_DEL:
		if (!it)
			return -ENOENT;
		*p = it->next;
		free(it);
		return 0;
	default: return -EINVAL;
	}
}

/* The events of @it that would be reported now. */
static uint32_t ready(const struct epitem *it)
{
	if (it->disarmed)
		return 0;
	uint32_t want = (it->want.events & ~(uint32_t)(EPOLLET | EPOLLONESHOT)) | ALWAYS;
	uint32_t ev = (uint16_t)file_poll(it->file, (short)want) & want;
	return it->want.events & EPOLLET ? ev & ~it->seen : ev;
}

size_t epl_take(struct epoll *ep, struct epoll_hit *out, size_t max)
{
	size_t n = 0;

	for (struct epitem *it = ep->items; it && n < max; it = it->next) {
		uint32_t ev = ready(it);
		if (!ev)
			continue;
		out[n++] = (struct epoll_hit){ev, 0, it->want.data};
		if (it->want.events & EPOLLET)
			it->seen |= ev;
		if (it->want.events & EPOLLONESHOT)
			it->disarmed = true;
	}
	return n;
}

short epl_poll(const struct epoll *ep)
{
	for (const struct epitem *it = ep->items; it; it = it->next)
		if (ready(it))
			return POLLIN;
	return 0;
}

void epl_forget(const struct file *f)
{
	for (struct epoll *ep = all; ep; ep = ep->next)
		for (struct epitem **p = &ep->items; *p;) {
			struct epitem *it = *p;
			if (it->file != f) {
				p = &it->next;
				continue;
			}
			*p = it->next;
			free(it);
		}
}

void epl_observe(void)
{
	for (struct epoll *ep = all; ep; ep = ep->next)
		for (struct epitem *it = ep->items; it; it = it->next)
			if (it->seen) {
				uint32_t want = it->want.events | ALWAYS;
				it->seen &= (uint16_t)file_poll(it->file, (short)want);
			}
}
