/*
 * signalfd objects: a set of signals of one process (the one whose session
 * made it). The signals themselves stay with the proc server: a read is
 * done by the reader's translation layer, which takes them from the proc
 * server (PROC_SIGTAKE); here are only the mask, for the layer to ask, and
 * readiness for poll, select and epoll, from the pending sets the proc
 * server tells (VFS_SIG_PENDING) for the processes that made a signalfd.
 */
#pragma once

#include <stdint.h>

struct signalfd {
	uint64_t pid;  /* the process that made it (readiness when no reader is known) */
	uint64_t mask; /* bit n - 1: signal n */
};

/* A new signalfd of @pid's signals in @mask; NULL without memory. */
struct signalfd *sfd_create(uint64_t pid, uint64_t mask);
void sfd_destroy(struct signalfd *s);

/* What the proc server told: @pid's pending signals are now @set (0 forgets @pid). 0 or -ENOMEM. */
int sfd_set_pending(uint64_t pid, uint64_t set);
/* @pid's pending signals as last told (0 if never). */
uint64_t sfd_pending(uint64_t pid);

/*
 * The process whose request is being performed (its session's pid; 0:
 * none, or not told): a signalfd's readiness is that process's signals,
 * as Linux's signalfd_poll looks at the polling task's, so a forked child
 * polling an inherited signalfd sees its own. server.c sets it.
 */
extern uint64_t sfd_reader;

/* POLLIN while one of the mask's signals is pending for sfd_reader (without one: the maker). */
short sfd_poll(const struct signalfd *s);
