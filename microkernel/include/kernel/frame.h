/*
 * The physical frame allocator: a buddy allocator per memory zone (one zone
 * per NUMA node and usable range) for runs of 2^order frames, with a per-CPU
 * cache of single frames in front of it.
 */
#pragma once

#include <kernel/types.h>

#define FRAME_SIZE 4096ull
#define FRAME_MAX_ORDER 10	/* largest run: 2^10 frames = 4 MiB */

enum frame_flags {
	FRAME_ZERO = 1,		/* fill the frames with zeros */
};

/* Gives the allocator every usable region of boot_info's (normalized) memory map. */
void frame_init(void);

/*
 * Gives the allocator the whole frames of [base, end), memory the kernel held
 * until now (a boot module it has copied out). Returns how many it can hand
 * out (a new zone's state bytes take a few). Nothing may refer to them after.
 */
uint64_t frame_give(paddr_t base, paddr_t end);

/*
 * Allocates 2^order physically contiguous frames aligned to their size.
 * Returns the physical address, or 0 when memory is exhausted (physical
 * frame 0 is never handed out).
 */
paddr_t frame_alloc(unsigned order, enum frame_flags flags);

/* Frees a run from frame_alloc with the same order. Freeing anything else panics. */
void frame_free(paddr_t pa, unsigned order);

/*
 * Shared single frames (copy-on-write): frame_share adds a holder to an
 * allocated frame; frame_release drops one and frees the frame when it was
 * the last; frame_is_shared tells whether more than one holder has it.
 */
void frame_share(paddr_t pa);
void frame_release(paddr_t pa);
bool frame_is_shared(paddr_t pa);

/* Allocates on NUMA node @node when it has memory, else anywhere. */
paddr_t frame_alloc_node(unsigned node, unsigned order, enum frame_flags flags);

/* Free frames now, counting those in per-CPU caches (for leak tests). */
uint64_t frame_free_count(void);
uint64_t frame_total_count(void);

/* The NUMA node a physical address belongs to (0 without NUMA information). */
unsigned frame_node_of(paddr_t pa);
