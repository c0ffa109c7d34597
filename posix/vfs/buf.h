/*
 * Data buffers (VFS_BUF_NEW, VFS_READ_BUF, VFS_WRITE_BUF in proto/vfs.h):
 * VMOs the server maps, one per client thread, through which regular files'
 * data moves without a long message.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "session.h"

/* Makes a buffer for @s: its number (>= 1) and its VMO in *vmo (for the reply), or -errno. */
long buf_new(struct session *s, uint64_t *vmo);

/* The server's mapping of @s's buffer @number if it holds @len bytes, else NULL. */
char *buf_at(const struct session *s, uint64_t number, size_t len);

/* Unmaps every buffer of @s (its session ends). */
void buf_release(struct session *s);
