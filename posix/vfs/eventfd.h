/* eventfd objects: a 64-bit counter that reads take and writes add to (eventfd(2)). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct eventfd {
	uint64_t count;
	bool semaphore;		/* EFD_SEMAPHORE: a read takes 1 */
};

/* A new counter at @count; NULL without memory. */
struct eventfd *evfd_create(uint64_t count, bool semaphore);
void evfd_destroy(struct eventfd *e);

/* 8 bytes: the count (or 1) is taken; -EAGAIN at 0, -EINVAL for fewer than 8 bytes. */
long evfd_read(struct eventfd *e, void *buf, size_t len);
/* 8 bytes added; -EAGAIN while the sum would pass UINT64_MAX - 1, -EINVAL for UINT64_MAX. */
long evfd_write(struct eventfd *e, const void *buf, size_t len);
/* POLLIN when above 0, POLLOUT while 1 more fits. */
short evfd_poll(const struct eventfd *e);
