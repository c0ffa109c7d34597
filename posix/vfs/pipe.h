/* Pipes: a 64 KiB ring buffer with counts of read and write ends. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define PIPE_SIZE 65536
#define PIPE_ATOMIC 4096	/* PIPE_BUF: writes up to this size are all or nothing */

struct lock;

struct pipe {
	char *buf;
	size_t head, len;	/* the oldest byte's index, the bytes held */
	unsigned readers, writers;	/* open ends */
	unsigned reader_opens, writer_opens;	/* FIFOs: ends ever opened (a waiting open's partner came) */
	struct lock *locks;	/* an anonymous pipe's advisory locks (lock.h; freed with it, file.c) */
};

/* A new pipe with one reader and one writer; NULL without memory. */
struct pipe *pipe_create(void);
void pipe_destroy(struct pipe *p);

/* Up to @len bytes; 0 at end of file (empty, no writers); -EAGAIN when empty with writers. */
long pipe_read(struct pipe *p, void *buf, size_t len);

/* Puts back the @len bytes the last pipe_read took (nothing came between): a reader that left. */
void pipe_unread(struct pipe *p, const void *buf, size_t len);

/*
 * Writes as POSIX wants: -EPIPE without readers; up to PIPE_ATOMIC bytes all
 * at once or -EAGAIN; more than that as much as fits (-EAGAIN if nothing does).
 */
long pipe_write(struct pipe *p, const void *buf, size_t len);

/* POLLIN/POLLOUT/POLLHUP/POLLERR of the read or the write end. */
short pipe_poll(const struct pipe *p, bool write_end);
