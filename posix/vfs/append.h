/*
 * O_APPEND writes larger than one data buffer (VFS_WRITE_BUF with the whole
 * length, proto/vfs.h), atomic as POSIX asks: the first piece reserves the
 * whole range at the file's end at once (the file grows by all of it, zeros
 * until written), the writer fills it in piece by piece at explicit offsets,
 * and what it could not write is given back (VFS_APPEND_END, or the
 * session's end). One reservation per data buffer, so per client thread.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "file.h"
#include "session.h"

/* append_piece and append_begin: not a piece of a reservation (an ordinary write). */
#define APPEND_NOT_MINE (-1000)

/* Whether the write moves the file offset (a write) or not (a pwrite, which appends too). */
enum append_offset { APPEND_MOVES_OFFSET, APPEND_KEEPS_OFFSET };

/*
 * The first piece (@len bytes at @data) of a write of @whole bytes to @f
 * through buffer @buf: reserves [end, end + whole) and writes the piece at
 * its start, *start. The bytes written or -errno; APPEND_NOT_MINE when the
 * whole cannot be reserved (no room: ENOSPC, EFBIG, a seal), and the caller
 * writes the piece alone, so a write that does not fit ends short where it
 * stops fitting, as Linux's. APPEND_MOVES_OFFSET: the file offset moves past
 * the whole.
 */
long append_begin(struct session *s, struct file *f, uint64_t buf, const void *data, size_t len,
		  uint64_t whole, enum append_offset offset, uint64_t *start);

/*
 * A later piece at @off through @buf: written into its reservation (as far
 * as a truncate left it: the rest is taken and dropped), the bytes taken or
 * -errno; APPEND_NOT_MINE when @buf has no reservation of @f's file that
 * continues at @off. The last piece ends the reservation.
 */
long append_piece(struct session *s, struct file *f, uint64_t buf, const void *data, size_t len,
		  uint64_t off);

/*
 * Ends @buf's reservation before it was filled (a bad pointer, an error):
 * the unwritten rest is cut off the file if nothing came after it, else it
 * stays, zeros; the offset of @f (may be NULL), if the write moved it, goes
 * back to the end of what was written. 1 if there was one, else 0.
 */
long append_end(struct session *s, struct file *f, uint64_t buf);

/* Ends every reservation of @s (its session ends: the writer died or exec'd). */
void append_release(struct session *s);
