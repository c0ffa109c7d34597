/*
 * Slab caches for kernel objects, and kmalloc/kfree for variable sizes.
 * A slab is one 4 KiB frame: a header, then equal-sized objects threaded on
 * a free list. Objects come back zeroed.
 */
#pragma once

#include <kernel/spinlock.h>
#include <kernel/types.h>

struct slab;

struct slab_cache {
	const char *name;
	size_t size;		/* object size, a multiple of 16 */
	unsigned per_slab;
	/* lock protects the lists and counts below. */
	struct spinlock lock;
	struct slab *partial;	/* slabs with at least one free object */
	struct slab *full;
	struct slab *empty;	/* at most one, kept to damp alloc/free churn */
	uint64_t objects;	/* allocated objects */
	uint64_t slabs;
};

/* Sets up @c (caller-owned) for objects of @size bytes (1..SLAB_MAX_OBJECT). */
void slab_cache_init(struct slab_cache *c, const char *name, size_t size);

/* Returns a zeroed object, or NULL when memory is exhausted. */
void *slab_alloc(struct slab_cache *c);

/* Returns @obj to its cache; slab_free(c, NULL) does nothing. */
void slab_free(struct slab_cache *c, void *obj);

#define SLAB_MAX_OBJECT 2048

/* Zeroed memory of @size bytes (any size), or NULL. kfree(NULL) does nothing. */
void *kmalloc(size_t size);
void kfree(void *p);
