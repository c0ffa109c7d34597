/*
 * Native handles through posix_spawn (vr_spawn.h): kept in the attribute's
 * spare bytes, so that posix_spawnattr_t stays musl's; posix_spawn (spawn.c)
 * sends them as the request's capabilities, and the proc server copies them
 * into the child, which finds them in its auxiliary vector (startup.c).
 */
#include <errno.h>
#include <string.h>

#include "posix.h"
#include "vr_spawn.h"

_Static_assert(sizeof(struct px_spawn_handles) <= sizeof(((posix_spawnattr_t *)0)->__pad),
	       "the handles fit posix_spawnattr_t's spare bytes");

uint64_t px_spawn_handles_got[VR_SPAWN_HANDLES_MAX];

int vr_spawnattr_sethandles(posix_spawnattr_t *attr, const struct vr_spawn_handle *h, unsigned n)
{
	struct px_spawn_handles hs = {.n = n};

	if (n > VR_SPAWN_HANDLES_MAX)
		return EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (h[i].flags & ~VR_SPAWN_MOVE)
			return EINVAL;
		hs.h[i] = h[i];
	}
	memcpy(attr->__pad, &hs, sizeof(hs));
	return 0;
}

int px_spawn_handles(const posix_spawnattr_t *attr, struct px_spawn_handles *hs)
{
	/* An attribute from posix_spawnattr_init is all zeros: none. */
	hs->n = 0;
	if (attr)
		memcpy(hs, attr->__pad, sizeof(*hs));
	return hs->n > VR_SPAWN_HANDLES_MAX ? EINVAL : 0;
}

uint64_t vr_spawn_handle(unsigned i)
{
	return i < VR_SPAWN_HANDLES_MAX ? px_spawn_handles_got[i] : 0;
}
