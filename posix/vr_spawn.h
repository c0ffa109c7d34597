/*
 * VeridianOS's extension of posix_spawn: native handles (capabilities) for
 * the child. Programs built against the translation layer include it as
 * "vr_spawn.h"; posix/README.md, "Native handles".
 */
#pragma once

#include <spawn.h>
#include <stdint.h>

#define VR_SPAWN_HANDLES_MAX 16 /* proto/proc.h, PROC_SPAWN_HANDLES */
#define VR_SPAWN_MOVE 1 /* flags: the caller's handle is closed once the child has its copy */

struct vr_spawn_handle {
	uint64_t handle;
	uint32_t rights; /* VR_RIGHT_*: the child's are the handle's & these */
	uint32_t flags;	 /* VR_SPAWN_MOVE or 0 */
};

/*
 * Makes posix_spawn and posix_spawnp with @attr give the child a copy of
 * each of the @n handles of @h (copied into @attr: @h may go at once), as
 * its vr_spawn_handle(i), i < @n; n = 0 gives none again. Each handle
 * needs VR_RIGHT_TRANSFER and VR_RIGHT_DUPLICATE, or posix_spawn fails
 * (EACCES; EBADF for one that is no handle) and changes nothing: the child
 * gets all of them or is not started, and no copy is left behind. Only
 * posix_spawn: fork copies no handles, and execve starts a new process
 * without the old one's. Returns 0, EINVAL for more than
 * VR_SPAWN_HANDLES_MAX or an unknown flag, or ENOMEM. @attr holds memory
 * for more than three handles until posix_spawnattr_destroy or the next
 * call.
 */
int vr_spawnattr_sethandles(posix_spawnattr_t *attr, const struct vr_spawn_handle *h, unsigned n);

/* In a spawned program: its spawner's handle @i (auxv VR_AT_HANDLE + i), or 0 if none. */
uint64_t vr_spawn_handle(unsigned i);
