/*
 * Single-producer, single-consumer ring queues in shared memory: lock-free,
 * fixed-size entries, and a notification as the doorbell for a consumer that
 * sleeps. The producer writes tail, the consumer head; each reads the other's
 * with acquire ordering, so an entry is complete before it is seen.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vr_ring {
	_Alignas(64) uint64_t head;	/* next entry to consume; written by the consumer only */
	_Alignas(64) uint64_t tail;	/* next entry to produce; written by the producer only */
	_Alignas(64) uint32_t entry_size;
	uint32_t capacity;		/* a power of two */
	uint32_t consumer_sleeping;	/* the consumer may be waiting for the doorbell */
	_Alignas(64) unsigned char data[];
};

/* Lays out a ring in @size bytes at @mem; returns NULL if not even one entry fits. */
struct vr_ring *vr_ring_init(void *mem, size_t size, uint32_t entry_size);

/* Returns false when the ring is full (push) or empty (pop). */
bool vr_ring_push(struct vr_ring *r, const void *entry);
bool vr_ring_pop(struct vr_ring *r, void *entry);

/* Entries waiting to be consumed. */
uint64_t vr_ring_count(const struct vr_ring *r);

/* With a notification as doorbell: push and ring it if the consumer sleeps; pop, sleeping while empty. */
int64_t vr_ring_send(struct vr_ring *r, const void *entry, uint64_t doorbell, uint64_t bit);
int64_t vr_ring_receive(struct vr_ring *r, void *entry, uint64_t doorbell);
