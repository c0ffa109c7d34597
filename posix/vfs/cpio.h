/*
 * Reading a cpio "newc" archive (the initial ramdisk) in place. Freestanding
 * (no C library), so the root task uses it too, to find /sbin/vfs.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum cpio_status {
	CPIO_BAD = -1,		/* malformed: bad magic, truncated, sizes past the end, no NUL in a name */
	CPIO_END = 0,		/* the TRAILER!!! entry */
	CPIO_ENTRY = 1,
};

struct cpio_entry {
	const char *name;	/* without a leading "./" or "/"; NUL-terminated, in the archive */
	uint32_t mode, uid, gid;
	uint64_t mtime;
	const void *data;	/* in the archive */
	size_t size;
};

/* The entry at *@off of the @size bytes at @a; moves *@off past it. */
enum cpio_status cpio_next(const void *a, size_t size, size_t *off, struct cpio_entry *e);

/* The entry named @path (no leading slash). Returns CPIO_ENTRY, CPIO_END (not there) or CPIO_BAD. */
enum cpio_status cpio_find(const void *a, size_t size, const char *path, struct cpio_entry *e);
