/* signalfd objects and the pending sets the proc server tells: see signalfd.h. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "signalfd.h"

/* The processes with pending signals, as told; unordered, few (those that made a signalfd). */
struct told {
	uint64_t pid, set;
};
static struct told *pending;
static size_t pending_n, pending_cap;

struct signalfd *sfd_create(uint64_t pid, uint64_t mask)
{
	struct signalfd *s = malloc(sizeof(*s));

	if (s)
		*s = (struct signalfd){pid, mask};
	return s;
}

void sfd_destroy(struct signalfd *s)
{
	free(s);
}

int sfd_set_pending(uint64_t pid, uint64_t set)
{
	for (size_t i = 0; i < pending_n; i++) {
		if (pending[i].pid != pid)
			continue;
		if (set)
			pending[i].set = set;
		else
			pending[i] = pending[--pending_n];
		return 0;
	}
	if (!set)
		return 0;
	if (pending_n == pending_cap) {
		size_t cap = pending_cap ? 2 * pending_cap : 16;
		void *more = realloc(pending, cap * sizeof(*pending));
		if (!more)
			return -ENOMEM;
		pending = more;
		pending_cap = cap;
	}
	pending[pending_n].pid = pid;
	pending[pending_n++].set = set;
	return 0;
}

uint64_t sfd_pending(uint64_t pid)
{
	for (size_t i = 0; i < pending_n; i++)
		if (pending[i].pid == pid)
			return pending[i].set;
	return 0;
}

uint64_t sfd_reader;

short sfd_poll(const struct signalfd *s)
{
	return sfd_pending(sfd_reader ? sfd_reader : s->pid) & s->mask ? POLLIN : 0;
}
