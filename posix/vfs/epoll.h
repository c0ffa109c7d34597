/*
 * epoll instances of the vfs server: an interest list of (open file, fd)
 * entries whose readiness is computed again (file_poll) whenever asked, as
 * poll does. Edge-triggered entries remember the events already reported and
 * report only events that rose since; the server calls epl_observe after
 * every request, so an event that fell (a read emptied the pipe) is
 * forgotten and reported again when it rises.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file;

/* What an entry was added with (Linux's EPOLL* bits). */
struct epoll_want {
	uint32_t events;
	uint64_t data;
};

/* One reported event, as VFS_EPOLL_WAIT sends it (proto/vfs.h's struct vfs_epoll_event). */
struct epoll_hit {
	uint32_t events, pad;
	uint64_t data;
};

struct epitem {
	struct epitem *next;
	struct file *file; /* not referenced: file_put calls epl_forget */
	uint64_t fd;	   /* the caller's key, with the file */
	struct epoll_want want;
	uint32_t seen; /* EPOLLET: events reported and still there */
	bool disarmed; /* EPOLLONESHOT: reported, until EPOLL_CTL_MOD */
};

struct epoll {
	struct epoll *next; /* every instance (epl_forget, epl_observe) */
	struct file *self;  /* its own open file (not referenced) */
	struct epitem *items;
};

/* A new instance for open file @self; NULL without memory. */
struct epoll *epl_create(struct file *self);
void epl_destroy(struct epoll *ep);

/* EPOLL_CTL_ADD/MOD/DEL of (@f, @fd): 0 or -errno as Linux (EEXIST, ENOENT, EPERM, ELOOP, EINVAL).
 */
int epl_ctl(struct epoll *ep, int op, struct file *f, uint64_t fd, const struct epoll_want *w);

/* Takes up to @max ready events into @out (ET and ONESHOT entries change); returns how many. */
size_t epl_take(struct epoll *ep, struct epoll_hit *out, size_t max);

/* POLLIN when epl_take would find something. */
short epl_poll(const struct epoll *ep);

/* Removes @f's entries from every instance: @f is being freed. */
void epl_forget(const struct file *f);

/* Forgets the edge-triggered events that are no longer there (after every request). */
void epl_observe(void);
