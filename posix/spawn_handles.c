/*
 * Native handles through posix_spawn (vr_spawn.h): kept in the attribute's
 * spare bytes (up to three), or in memory the attribute points at there
 * (more), so that posix_spawnattr_t stays musl's; posix_spawnattr_init and
 * posix_spawnattr_destroy are ours for that memory (musl's are removed:
 * ports/musl/remove). posix_spawn (spawn.c) sends them with the request,
 * and the proc server copies them into the child, which finds them in its
 * auxiliary vector (startup.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "posix.h"
#include "vr_spawn.h"

#define INLINE_HANDLES 3

/* What an attribute holds in its spare bytes: n handles, in h[] or (more than three) at *heap. */
struct attr_handles {
	uint32_t n, reserved;
	union {
		struct vr_spawn_handle h[INLINE_HANDLES];
		struct vr_spawn_handle *heap;
	};
};

_Static_assert(sizeof(struct attr_handles) <= sizeof(((posix_spawnattr_t *)0)->__pad),
	       "the handles fit posix_spawnattr_t's spare bytes");

uint64_t px_spawn_handles_got[VR_SPAWN_HANDLES_MAX];

static struct attr_handles *of(const posix_spawnattr_t *attr)
{
	return (struct attr_handles *)(uintptr_t)attr->__pad;
}

static const struct vr_spawn_handle *handles(const struct attr_handles *a)
{
	return a->n > INLINE_HANDLES ? a->heap : a->h;
}

int posix_spawnattr_init(posix_spawnattr_t *attr)
{
	*attr = (posix_spawnattr_t){0};
	return 0;
}

int posix_spawnattr_destroy(posix_spawnattr_t *attr)
{
	struct attr_handles *a = of(attr);

	if (a->n > INLINE_HANDLES && a->n <= VR_SPAWN_HANDLES_MAX)
		free(a->heap);
	a->n = 0;
	return 0;
}

int vr_spawnattr_sethandles(posix_spawnattr_t *attr, const struct vr_spawn_handle *h, unsigned n)
{
	struct attr_handles *a = of(attr), next = {.n = n};

	if (n > VR_SPAWN_HANDLES_MAX)
		return EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (h[i].flags & ~VR_SPAWN_MOVE)
			return EINVAL;
	if (n > INLINE_HANDLES && !(next.heap = malloc(n * sizeof(*h))))
		return ENOMEM;
	memcpy((void *)handles(&next), h, n * sizeof(*h));
	posix_spawnattr_destroy(attr);
	memcpy(a, &next, sizeof(next));
	return 0;
}

int px_spawn_handles(const posix_spawnattr_t *attr, struct px_spawn_handles *hs)
{
	/* An attribute from posix_spawnattr_init is all zeros: none. */
	hs->n = hs->stage = 0;
	if (!attr)
		return 0;
	const struct attr_handles *a = of(attr);
	if (a->n > VR_SPAWN_HANDLES_MAX)
		return EINVAL;
	hs->n = a->n;
	memcpy(hs->h, handles(a), a->n * sizeof(hs->h[0]));
	return 0;
}

uint64_t vr_spawn_handle(unsigned i)
{
	return i < VR_SPAWN_HANDLES_MAX ? px_spawn_handles_got[i] : 0;
}
