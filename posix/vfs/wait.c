/*
 * Blocked pipe operations: a read of an empty pipe (or a write to a full one)
 * saves the caller's reply with ipc_reply_save and waits here, in order,
 * holding a reference to its open file, until the pipe changes enough for it
 * to finish; then it is answered with ipc_reply_to. The server meanwhile
 * serves everyone else.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <veridian/vr.h>

#include "file.h"
#include "server.h"

struct waiter {
	struct waiter *next;
	handle_t reply;
	struct file *file;
	enum waiter_op op;
	size_t len;
	char data[];	/* WAIT_WRITE: the bytes to write */
};

int waiter_add(struct file *f, enum waiter_op op, const void *data, size_t len)
{
	struct waiter *w = malloc(sizeof(*w) + (op == WAIT_WRITE ? len : 0));
	int64_t err;

	if (!w)
		return -ENOMEM;
	if ((err = vr_ipc_reply_save(&w->reply))) {
		free(w);
		return (int)err;
	}
	w->next = NULL;
	w->file = f;
	w->op = op;
	w->len = len;
	if (op == WAIT_WRITE)
		memcpy(w->data, data, len);
	file_get(f);
	struct waiter **p = &f->pipe->waiting;
	while (*p)
		p = &(*p)->next;
	*p = w;
	return 0;
}

/* Tries @w once; true when it finished (and was answered). */
static bool retry(struct waiter *w)
{
	static struct reply rep;
	uint64_t msg[8];
	long r;

	rep.words = rep.caps = 0;
	rep.len = 0;
	if (w->op == WAIT_READ)
		r = file_read(w->file, rep.data, w->len, NULL);
	else
		r = file_write(w->file, w->data, w->len, NULL);
	if (r == -EAGAIN)
		return false;
	if (w->op == WAIT_READ && r > 0)
		rep.len = (size_t)r;
	reply_encode(&rep, r, msg);
	vr_ipc_reply_to(w->reply, msg);	/* the caller may be gone: nothing to do then */
	return true;
}

void pipe_wake(struct pipe *p)
{
	struct waiter *done = NULL;
	bool progress = true;

	while (progress) {
		progress = false;
		for (struct waiter **wp = &p->waiting; *wp;) {
			struct waiter *w = *wp;
			if (!retry(w)) {
				wp = &w->next;
				continue;
			}
			*wp = w->next;
			w->next = done;
			done = w;
			progress = true;
		}
	}
	/* Only now: the last reference to a pipe end may free the pipe. */
	while (done) {
		struct waiter *w = done;
		done = w->next;
		file_put(w->file);
		free(w);
	}
}
