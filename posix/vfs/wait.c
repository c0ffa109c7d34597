/*
 * Blocked requests: a read of an empty pipe or socket, a write to a full one,
 * an accept with nothing pending, a poll with nothing ready, ... saves the
 * caller's reply with ipc_reply_save and a copy of the request, and waits
 * here in order. After every request the server handles (and when a poll's
 * deadline passes) each one is performed again; those that finish are
 * answered with ipc_reply_to. Performing the request again, rather than
 * keeping per-object queues, makes every kind of wait one mechanism, and a
 * waiter whose object or session went away simply gets its error. A caller
 * killed meanwhile, or whose wait a signal interrupted, is seen (handle_info's
 * VR_HANDLE_INFO_GONE) before its request is performed again, and dropped.
 * Requests that wait for one kind of event, maybe for ever (the proc
 * server's terminal signals, a remote mount's owner), are parked: performed
 * again only once waiters_wake() names their event, so that they do not
 * cost every other request a retry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <veridian/vr.h>

#include "server.h"

struct waiter {
	struct waiter *next;
	handle_t reply;
	int64_t deadline;
	unsigned event;	/* 0: performed again after every request; else parked until woken */
	uint64_t number;	/* the request_number of the request that saved it */
	struct request req; /* only the first offsetof(data) + req.len bytes are kept */
};

static struct waiter *waiting, **waiting_tail = &waiting;

/*
 * Waiters whose request has a short long part (a read's none, a 1-byte
 * write's one) are all WAITER_SMALL bytes; a few freed ones are kept for
 * the next, so that a ping-pong does not malloc and free one per message.
 */
#define WAITER_SMALL_DATA 64
#define WAITER_SMALL (offsetof(struct waiter, req.data) + WAITER_SMALL_DATA)
#define WAITERS_KEPT 8
static struct waiter *kept[WAITERS_KEPT];
static unsigned nkept;

static struct waiter *waiter_alloc(size_t len)
{
	if (len >= WAITER_SMALL_DATA)
		return malloc(offsetof(struct waiter, req.data) + len + 1);
	return nkept ? kept[--nkept] : malloc(WAITER_SMALL);
}

static void waiter_free(struct waiter *w)
{
	if (w->req.len < WAITER_SMALL_DATA && nkept < WAITERS_KEPT)
		kept[nkept++] = w;
	else
		free(w);
}
static unsigned active;		/* waiters not parked */
static unsigned timed;		/* waiters with a deadline */
static unsigned woken;		/* events of parked waiters since they were last tried */

int waiter_add(const struct request *r, int64_t deadline, unsigned event)
{
	struct waiter *w = waiter_alloc(r->len);
	int64_t err;

	if (!w)
		return -ENOMEM;
	if ((err = vr_ipc_reply_save(&w->reply))) {
		w->req.len = r->len;
		waiter_free(w);
		return (int)err;
	}
	w->next = NULL;
	w->deadline = deadline;
	w->event = event;
	w->number = request_number;
	active += !event;
	timed += deadline != 0;
	memcpy(&w->req, r, offsetof(struct request, data) + r->len + 1);
	*waiting_tail = w;
	waiting_tail = &w->next;
	return 0;
}

bool waiters_any(void)
{
	return active || woken;
}

void waiters_wake(unsigned event)
{
	woken |= event;
}

/* Performs @w again; true when it finished (and was answered), or its caller left. */
static bool retry(struct waiter *w, long (*redo)(void))
{
	uint64_t msg[8], info = 0;

	memcpy(&req, &w->req, offsetof(struct request, data) + w->req.len + 1);
	/*
	 * A caller whose wait was interrupted (a signal) has left: performing
	 * its request now would consume data or buffer space for nobody. A
	 * request that can be taken back is performed, and taken back if its
	 * answer finds nobody, which spares the question on every retry.
	 */
	bool undoable = request_undoable();
	if (!undoable && (vr_handle_info(w->reply, &info) || (info & VR_HANDLE_INFO_GONE))) {
		vr_handle_close(w->reply);
		return true;
	}
	memset(&out, 0, offsetof(struct reply, data));
	retrying = true;
	retry_deadline = w->deadline;
	long r = redo();
	retrying = false;
	if (r == REPLY_SAVED) {
		/* Not performed: an undoable one whose caller left is dropped now, not kept waiting. */
		if (undoable && (vr_handle_info(w->reply, &info) || (info & VR_HANDLE_INFO_GONE))) {
			vr_handle_close(w->reply);
			return true;
		}
		return false;
	}
	reply_encode(&out, r, msg);
	/* The caller may be gone: nothing to do then, or what it took given back. */
	if (vr_ipc_reply_to(w->reply, msg) == -EPIPE && undoable)
		request_undo(r);
	return true;
}

int64_t waiters_retry(long (*redo)(void))
{
	bool progress = true, first = true;
	int64_t next = 0;

	while (progress) {
		/* Events that come during this pass make another one. */
		unsigned events = woken;
		woken = 0;
		progress = false;
		struct waiter **wp = &waiting;
		while (*wp) {
			struct waiter *w = *wp;
			/*
			 * The request just saved is not performed again at once:
			 * nothing it did can let it finish (only what others do after).
			 */
			bool fresh = first && !w->event && w->number == request_number;
			if (fresh || (w->event && !(w->event & events)) || !retry(w, redo)) {
				wp = &w->next;
				continue;
			}
			*wp = w->next;
			active -= !w->event;
			timed -= w->deadline != 0;
			waiter_free(w);
			progress = true;
		}
		progress = progress || woken;
		first = false;
		waiting_tail = wp;	/* the last one's next (or the head) */
	}
	for (struct waiter *w = timed ? waiting : NULL; w; w = w->next)
		if (w->deadline && (!next || w->deadline < next))
			next = w->deadline;
	return next;
}

bool waiters_find(bool (*fn)(const struct request *r, void *arg), void *arg)
{
	uint64_t info;

	for (struct waiter *w = waiting; w; w = w->next) {
		if (w->event || vr_handle_info(w->reply, &info) || (info & VR_HANDLE_INFO_GONE))
			continue;
		if (fn(&w->req, arg))
			return true;
	}
	return false;
}
