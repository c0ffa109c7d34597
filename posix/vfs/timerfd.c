/* timerfd timers: see timerfd.h. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "timerfd.h"

int64_t (*tfd_now)(void);
static struct timerfd *all;

struct timerfd *tfd_create(int clock)
{
	struct timerfd *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->clock = clock;
	t->next = all;
	all = t;
	return t;
}

void tfd_destroy(struct timerfd *t)
{
	if (!t)
		return;
	for (struct timerfd **pp = &all; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	free(t);
}

/* Counts the expirations up to @now. */
static void update(struct timerfd *t, int64_t now)
{
	if (!t->expiry || now < t->expiry)
		return;
	if (!t->interval) {
		t->ticks++;
		t->expiry = 0;
		return;
	}
	uint64_t n = (uint64_t)(now - t->expiry) / (uint64_t)t->interval + 1;
	t->ticks += n;
	t->expiry += (int64_t)n * t->interval;
}

void tfd_gettime(struct timerfd *t, int64_t *value, int64_t *interval)
{
	int64_t now = tfd_now();

	update(t, now);
	*value = t->expiry ? t->expiry - now : 0;
	*interval = t->interval;
}

void tfd_settime(struct timerfd *t, int abs, int64_t value, int64_t interval, int64_t *old_value,
		 int64_t *old_interval)
{
	int64_t now = tfd_now();

	tfd_gettime(t, old_value, old_interval);
	t->ticks = 0;
	t->interval = value ? interval : 0;
	if (!value)
		t->expiry = 0;
	else if (abs)
		t->expiry = value;
	else
		t->expiry = value > INT64_MAX - now ? INT64_MAX : now + value;
	if (t->expiry <= 0 && value)
		t->expiry =
		    1; /* an absolute time at or before the clock's start: expired already */
}

long tfd_read(struct timerfd *t, void *buf, size_t len)
{
	if (len < sizeof(uint64_t))
		return -EINVAL;
	update(t, tfd_now());
	if (!t->ticks)
		return -EAGAIN;
	memcpy(buf, &t->ticks, sizeof(t->ticks));
	t->ticks = 0;
	return sizeof(uint64_t);
}

short tfd_poll(const struct timerfd *t)
{
	return t->ticks || (t->expiry && tfd_now() >= t->expiry) ? POLLIN : 0;
}

int64_t tfd_next_deadline(void)
{
	int64_t next = 0, now = all ? tfd_now() : 0;

	for (struct timerfd *t = all; t; t = t->next) {
		update(t, now);
		if (t->expiry && (!next || t->expiry < next))
			next = t->expiry;
	}
	return next;
}
