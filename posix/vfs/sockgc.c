/*
 * The collector of AF_UNIX sockets in flight, as Linux's unix_gc: a socket
 * whose file only messages queued on such sockets reference (one sent
 * through itself, two sent through each other, and then closed) can never
 * be received again. Those sockets lose their queued messages, which drops
 * the last references to their files: they close, and the files in flight
 * there are released.
 */
#include "file.h"
#include "sock.h"

bool sock_gc_wanted;
static struct sock *inflight; /* the sockets whose file is in flight (inflight > 0) */
static struct sock *work;     /* found reachable, their queues not yet looked at */

void sock_inflight_add(struct file *f)
{
	if (f->kind != FILE_SOCKET)
		return;
	struct sock *s = f->sock;
	if (s->inflight++)
		return;
	s->inflight_next = inflight;
	s->inflight_prev = &inflight;
	if (inflight)
		inflight->inflight_prev = &s->inflight_next;
	inflight = s;
}

void sock_inflight_del(struct file *f)
{
	if (f->kind != FILE_SOCKET)
		return;
	struct sock *s = f->sock;
	if (--s->inflight)
		return;
	*s->inflight_prev = s->inflight_next;
	if (s->inflight_next)
		s->inflight_next->inflight_prev = s->inflight_prev;
}

/*
 * Calls @fn with each candidate whose file is in flight in @s's queue or, for
 * a listener, in the queues of the connections it has not accepted yet.
 */
static void each_child(struct sock *s, void (*fn)(struct sock *c))
{
	for (struct sock *q = s; q; q = q == s ? s->pending : q->next_pending)
		for (struct sock_msg *m = q->rx; m; m = m->next)
			for (unsigned i = 0; i < m->nfiles; i++) {
				struct file *f = m->files[i];
				if (f->kind == FILE_SOCKET && f->sock->gc_mark != SOCK_GC_NONE)
					fn(f->sock);
			}
}

static void uncount(struct sock *c)
{
	c->gc_refs--;
}

static void reach(struct sock *c)
{
	if (c->gc_mark == SOCK_GC_REACHABLE)
		return;
	c->gc_mark = SOCK_GC_REACHABLE;
	c->gc_work = work;
	work = c;
}

/* One pass: the messages queued on sockets no id reaches are freed. */
static void collect(void)
{
	struct sock *cands = NULL, *next;

	/* Candidates: every reference to their file is a queued message's. */
	for (struct sock *s = inflight; s; s = s->inflight_next)
		if (s->file && s->file->refs == s->inflight) {
			s->gc_mark = SOCK_GC_CANDIDATE;
			s->gc_refs = s->inflight;
			s->gc_next = cands;
			cands = s;
		}
	/* What the candidates' own queues hold aside, a reference comes from a socket an id
	 * reaches. */
	for (struct sock *c = cands; c; c = c->gc_next)
		each_child(c, uncount);
	for (struct sock *c = cands; c; c = c->gc_next)
		if (c->gc_refs)
			reach(c);
	while (work) {
		struct sock *r = work;
		work = r->gc_work;
		each_child(r, reach);
	}
	/* The rest are garbage: their messages go, once no candidate is marked any more. */
	struct sock_msg *hit = NULL, **tail = &hit;
	for (struct sock *c = cands; c; c = next) {
		next = c->gc_next;
		if (c->gc_mark == SOCK_GC_CANDIDATE) {
			*tail = sock_queue_take(c);
			while (*tail)
				tail = &(*tail)->next;
		}
		c->gc_mark = SOCK_GC_NONE;
	}
	while (hit) {
		struct sock_msg *m = hit;
		hit = m->next;
		sock_msg_free(m);
	}
}

void sock_gc(void)
{
	/* Freeing may leave other sockets referenced only by messages: look again. */
	while (sock_gc_wanted) {
		sock_gc_wanted = false;
		collect();
	}
}
