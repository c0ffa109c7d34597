/* The vfs server's request loop (server.c) and its blocked operations (wait.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "../proto/vfs.h"

struct file;
struct pipe;

/* An answer being built: words 2.. (w[2..words]), the long part, capabilities (moved). */
struct reply {
	uint64_t w[8];
	unsigned words, caps;
	size_t len;
	char data[VFS_IO_MAX];
};

/* A handler's result meaning "the caller waits; its reply is saved". */
#define REPLY_SAVED (-0x10000L)

/* Turns @r with @result into the message registers (and the IPC buffer for the long part). */
void reply_encode(const struct reply *r, long result, uint64_t msg[8]);

enum waiter_op { WAIT_READ, WAIT_WRITE };

/*
 * Saves the current caller's reply (ipc_reply_save) and queues a read of
 * @len bytes or a write of @data on @f's pipe, retried by pipe_wake. Returns
 * 0 or -errno (then the caller is answered now).
 */
int waiter_add(struct file *f, enum waiter_op op, const void *data, size_t len);

/* Retries the operations blocked on @p after it changed, answering those that can finish. */
void pipe_wake(struct pipe *p);
