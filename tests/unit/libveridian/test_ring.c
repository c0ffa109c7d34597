/* The SPSC ring queue under real concurrency: two host threads, a million entries, in order. */
// UNIT_SRCS: libveridian/src/ring.c
#define UNIT_MAIN
#include "unit.h"

#include <pthread.h>
#include <stdint.h>
#include <veridian/ring.h>

#define N 1000000

static struct vr_ring *ring;

static void *producer(void *arg)
{
	for (uint64_t i = 0; i < N; i++) {
		uint64_t e[3] = {i, ~i, i * 7};
		while (!vr_ring_push(ring, e))
			;
	}
	return arg;
}

TEST(threads_in_order)
{
	static unsigned char mem[4096 + 64 * 3] __attribute__((aligned(64)));
	pthread_t t;
	uint64_t bad = 0;

	ring = vr_ring_init(mem, sizeof(mem), 24);
	CHECK(ring && ring->capacity == 128);
	pthread_create(&t, NULL, producer, NULL);
	for (uint64_t i = 0; i < N; i++) {
		uint64_t e[3];
		while (!vr_ring_pop(ring, e))
			;
		bad += e[0] != i || e[1] != ~i || e[2] != i * 7;
	}
	pthread_join(t, NULL);
	CHECK(bad == 0);
	CHECK(vr_ring_count(ring) == 0);
}

TEST(full_and_empty)
{
	static unsigned char mem[1024] __attribute__((aligned(64)));
	struct vr_ring *r = vr_ring_init(mem, sizeof(mem), 8);
	uint64_t v = 0, n = 0;

	CHECK(r != NULL);
	CHECK(!vr_ring_pop(r, &v));
	while (vr_ring_push(r, &n))
		n++;
	CHECK(n == r->capacity);
	CHECK(vr_ring_count(r) == n);
	for (uint64_t i = 0; i < n; i++)
		CHECK(vr_ring_pop(r, &v) && v == i);
	CHECK(!vr_ring_pop(r, &v));
	CHECK(vr_ring_init(mem, 64, 8) == NULL);	/* no room for even the header */
}
