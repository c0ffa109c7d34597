/* Init's device capabilities for services (devices.c): what caps = lists besides control. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "service.h"
#include "vr_spawn.h"

/* Finds init's own device resource ("devices" in its INIT_HANDLES); 0 if it has none. */
uint64_t devices_init(void);

/*
 * Makes the handles of @s's device capabilities into @h (in the order
 * listed) and their INIT_HANDLES value into @names (@len bytes). Returns
 * how many, or -1 with what failed in @what (@whatlen bytes), nothing made.
 */
int devices_make(const struct service *s, struct vr_spawn_handle h[SVC_HANDLES_MAX], char *names,
		 size_t len, char *what, size_t whatlen);

/* Closes init's @n handles of @h (after the spawn, which copied them, or failed). */
void devices_close(struct vr_spawn_handle *h, unsigned n);
