/*
 * The cpio "newc" format: a 110-byte header ("070701" and thirteen 8-digit
 * hex fields), the name with its NUL, padding to 4 bytes, the data, padding
 * to 4 bytes; the last entry is named "TRAILER!!!". Every length is checked
 * against the archive's end before it is used.
 */
#include "cpio.h"

#define HEADER 110

enum field { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_NAMESIZE = 11 };

static int hex_field(const char *h, enum field f, uint32_t *v)
{
	uint32_t x = 0;

	h += 6 + 8 * f;
	for (int i = 0; i < 8; i++) {
		char c = h[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
						    : 16;
		if (d == 16)
			return -1;
		x = x << 4 | d;
	}
	*v = x;
	return 0;
}

static size_t align4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

enum cpio_status cpio_next(const void *a, size_t size, size_t *off, struct cpio_entry *e)
{
	const char *base = a, *h = base + *off;
	uint32_t mode, uid, gid, mtime, filesize, namesize;
	static const char magic[6] = "070701";

	if (*off > size || size - *off < HEADER)
		return CPIO_BAD;
	for (int i = 0; i < 6; i++)
		if (h[i] != magic[i])
			return CPIO_BAD;
	if (hex_field(h, F_MODE, &mode) || hex_field(h, F_UID, &uid) || hex_field(h, F_GID, &gid) ||
	    hex_field(h, F_MTIME, &mtime) || hex_field(h, F_FILESIZE, &filesize) ||
	    hex_field(h, F_NAMESIZE, &namesize))
		return CPIO_BAD;
	size_t left = size - *off - HEADER;
	if (namesize == 0 || namesize > left || h[HEADER + namesize - 1] != 0)
		return CPIO_BAD;
	size_t data = align4(HEADER + namesize);
	if (data > size - *off || filesize > size - *off - data)
		return CPIO_BAD;
	const char *name = h + HEADER;
	for (uint32_t i = 0; i + 1 < namesize; i++)
		if (name[i] == 0)
			return CPIO_BAD;
	if (same(name, "TRAILER!!!"))
		return CPIO_END;
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (name[0] == '/')
		name++;
	e->name = name;
	e->mode = mode;
	e->uid = uid;
	e->gid = gid;
	e->mtime = mtime;
	e->data = h + data;
	e->size = filesize;
	/* The last entry's padding may be missing: step to the end at most. */
	size_t next = align4(data + filesize);
	*off += next <= size - *off ? next : size - *off;
	return CPIO_ENTRY;
}

enum cpio_status cpio_find(const void *a, size_t size, const char *path, struct cpio_entry *e)
{
	size_t off = 0;
	enum cpio_status st;

	while ((st = cpio_next(a, size, &off, e)) == CPIO_ENTRY)
		if (same(e->name, path))
			return CPIO_ENTRY;
	return st;
}
