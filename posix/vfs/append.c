/*
 * O_APPEND writes of several pieces (append.h): a reservation per data
 * buffer, kept on its session's list (found by buffer) and on its node's (a
 * truncate clips it: fs_truncate).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "append.h"

struct append {
	struct fs_append a;
	uint64_t buf;	     /* the data buffer it goes through */
	bool moved;	     /* the write moved the file offset past it (not a pwrite) */
	struct append *next; /* the session's others */
};

static struct append *find(struct session *s, uint64_t buf, struct append ***link)
{
	struct append **p = &s->appends;

	while (*p && (*p)->buf != buf)
		p = &(*p)->next;
	if (link)
		*link = p;
	return *p;
}

/*
 * Ends @r (unlinked from its session by the caller): gives back what was not
 * written when nothing lies after it, and forgets it.
 */
static void finish(struct append *r, struct file *f)
{
	struct fs_append *a = &r->a, **p = &a->node->appends;
	struct node *n = a->node;
	uint64_t written = a->start + a->done, end = a->start + a->len;

	while (*p && *p != a)
		p = &(*p)->next;
	if (*p)
		*p = a->next;
	if (a->done < a->len && !a->cut) {
		if (n->size == end)
			fs_truncate(n, written);
		if (f && r->moved && f->pos == end)
			f->pos = written;
	}
	node_put(n);
	free(r);
}

static bool writes_to(const struct file *f)
{
	return f->kind == FILE_NODE && S_ISREG(f->node->mode) && (f->flags & O_ACCMODE) != O_RDONLY;
}

long append_begin(struct session *s, struct file *f, uint64_t buf, const void *data, size_t len,
		  uint64_t whole, enum append_offset offset, uint64_t *start)
{
	struct append **link, *r = find(s, buf, &link);
	struct node *n = f->node;

	if (!writes_to(f))
		return -EBADF;
	if (r) {
		/* The thread gave up on its last one without saying so. */
		*link = r->next;
		finish(r, NULL);
	}
	if (whole <= len || whole > INT64_MAX - n->size || !(r = calloc(1, sizeof(*r))))
		return APPEND_NOT_MINE;
	uint64_t at = n->size;
	/* The whole range at once (zeros until written): every other append goes after it. */
	if (fs_truncate(n, at + whole)) {
		free(r);
		return APPEND_NOT_MINE;
	}
	long put = fs_write(n, at, data, len);
	if (put < 0) {
		fs_truncate(n, at);
		free(r);
		return put;
	}
	node_get(n);
	r->a = (struct fs_append){.node = n,
				  .start = at,
				  .end = at + whole,
				  .len = whole,
				  .done = (uint64_t)put,
				  .next = n->appends};
	n->appends = &r->a;
	r->buf = buf;
	r->moved = offset == APPEND_MOVES_OFFSET;
	r->next = s->appends;
	s->appends = r;
	if (r->moved)
		f->pos = at + whole;
	*start = at;
	return put;
}

long append_piece(struct session *s, struct file *f, uint64_t buf, const void *data, size_t len,
		  uint64_t off)
{
	struct append **link, *r = s->appends ? find(s, buf, &link) : NULL;

	if (!r || f->kind != FILE_NODE || f->node != r->a.node || off != r->a.start + r->a.done)
		return APPEND_NOT_MINE;
	struct fs_append *a = &r->a;
	if (!writes_to(f))
		return -EBADF;
	if (len > a->len - a->done)
		return -EINVAL;
	/* Only what a truncate left of the range: the rest is taken and dropped. */
	size_t in = off >= a->end ? 0 : len < a->end - off ? len : (size_t)(a->end - off);
	long put = in ? fs_write(a->node, off, data, in) : 0;
	if (put < 0)
		return put;
	a->done += len;
	if (a->done == a->len) {
		*link = r->next;
		finish(r, f);
	}
	return (long)len;
}

long append_end(struct session *s, struct file *f, uint64_t buf)
{
	struct append **link, *r = find(s, buf, &link);

	if (!r)
		return 0;
	*link = r->next;
	finish(r, f && f->kind == FILE_NODE && f->node == r->a.node ? f : NULL);
	return 1;
}

void append_release(struct session *s)
{
	while (s->appends) {
		struct append *r = s->appends;
		s->appends = r->next;
		finish(r, NULL);
	}
}
