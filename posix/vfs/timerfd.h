/*
 * timerfd objects: a timer on the server's clock that counts its expirations
 * until a read takes the count. Expirations are counted when looked at (a
 * read, a poll), from the time alone; the server's timer thread wakes waiters
 * at tfd_next_deadline. CLOCK_REALTIME and CLOCK_MONOTONIC are the same clock
 * here (time since boot), as in the translation layer.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct timerfd {
	struct timerfd *next; /* every timer (tfd_next_deadline) */
	int clock;
	int64_t expiry;	  /* ns on the clock of the next expiration; 0: disarmed */
	int64_t interval; /* ns; 0: one-shot */
	uint64_t ticks;	  /* expirations not read yet */
};

/* The clock in ns (the server sets it; the unit tests use their own). */
extern int64_t (*tfd_now)(void);

/* A new disarmed timer on @clock; NULL without memory. */
struct timerfd *tfd_create(int clock);
void tfd_destroy(struct timerfd *t);

/*
 * timerfd_settime: @value ns from now (or at @value with @abs); 0 disarms.
 * Any count not read is dropped. *old_value and *old_interval get what was set.
 */
void tfd_settime(struct timerfd *t, int abs, int64_t value, int64_t interval, int64_t *old_value,
		 int64_t *old_interval);
/* timerfd_gettime: ns until the next expiration (0: disarmed) and the interval. */
void tfd_gettime(struct timerfd *t, int64_t *value, int64_t *interval);

/* 8 bytes: the expirations since the last read; -EAGAIN with none, -EINVAL for fewer than 8 bytes.
 */
long tfd_read(struct timerfd *t, void *buf, size_t len);
/* POLLIN when a read would not wait. */
short tfd_poll(const struct timerfd *t);

/* The earliest expiration still to come of any timer (0: none). */
int64_t tfd_next_deadline(void);
