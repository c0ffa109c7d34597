/*
 * How a service finds the native handles init gave it (caps = devices,
 * irq:N, mmio:BASE+LEN): INIT_HANDLES in its environment names them, word i
 * naming its handle i (vr_spawn_handle). Init finds its own device resource
 * the same way ("devices", from the root task).
 */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "vr_spawn.h"

/* The handle INIT_HANDLES calls @name, or 0. */
static inline uint64_t init_handle(const char *name)
{
	const char *at = getenv("INIT_HANDLES");
	size_t n = strlen(name);

	for (unsigned i = 0; at && *at; i++) {
		at += strspn(at, " ");
		size_t len = strcspn(at, " ");
		if (len == n && !strncmp(at, name, n))
			return vr_spawn_handle(i);
		at += len;
	}
	return 0;
}
