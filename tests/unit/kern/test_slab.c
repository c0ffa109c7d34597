/* Slab caches and kmalloc on top of the frame allocator. */
// UNIT_SRCS: microkernel/kern/slab.c microkernel/kern/frame.c microkernel/kern/boot.c tests/unit/host/stubs.c
#define UNIT_MAIN
#include "unit.h"

#include <stdint.h>
#include <kernel/boot.h>
#include <kernel/frame.h>
#include <kernel/slab.h>
#include "host/stubs.h"

static void setup(void)
{
	static bool done;

	if (done)
		return;
	unsigned char *arena = aligned_alloc(1 << 20, 16 << 20);
	boot_add_region((uintptr_t)arena, 16 << 20, MEM_USABLE);
	frame_init();
	done = true;
}

TEST(objects_distinct_zeroed_and_reclaimed)
{
	static struct slab_cache c;
	enum { N = 5000 };
	static unsigned char *objs[N];

	setup();
	uint64_t before = frame_free_count();
	slab_cache_init(&c, "test-72", 72);
	CHECK(c.size == 80);
	for (int i = 0; i < N; i++) {
		objs[i] = slab_alloc(&c);
		CHECK(objs[i] != NULL);
		for (int k = 0; k < 72; k++)
			CHECK(objs[i][k] == 0);
		CHECK((uintptr_t)objs[i] % 16 == 0);
		memset(objs[i], 0xee, 80);	/* ASan would catch an overlap or overrun later */
	}
	CHECK(c.objects == N);
	for (int i = 0; i < N; i += 2)
		slab_free(&c, objs[i]);
	for (int i = 0; i < N; i += 2) {
		objs[i] = slab_alloc(&c);	/* reuses freed slots, zeroed again */
		CHECK(objs[i][0] == 0 && objs[i][71] == 0);
	}
	for (int i = 0; i < N; i++)
		slab_free(&c, objs[i]);
	CHECK(c.objects == 0);
	/* All slabs but the one kept empty went back to the frame allocator. */
	CHECK(frame_free_count() >= before - 1);
	slab_free(&c, NULL);
}

TEST(bad_frees_panic)
{
	static struct slab_cache a, b;

	setup();
	slab_cache_init(&a, "a", 32);
	slab_cache_init(&b, "b", 32);
	char *x = slab_alloc(&a);
	CHECK(EXPECT_PANIC(slab_free(&b, x)));		/* wrong cache */
	CHECK(EXPECT_PANIC(slab_free(&a, x + 8)));	/* inside an object */
	slab_free(&a, x);
	char *big = kmalloc(10000);
	CHECK(EXPECT_PANIC(kfree(big + 16)));
	kfree(big);
}

TEST(kmalloc_sizes)
{
	setup();
	uint64_t before = frame_free_count();
	static const size_t sizes[] = {1, 15, 16, 17, 100, 2048, 2049, 4096, 100000, 3 << 20};
	void *p[10];
	for (int i = 0; i < 10; i++) {
		p[i] = kmalloc(sizes[i]);
		CHECK(p[i] != NULL);
		memset(p[i], 0x5a, sizes[i]);
	}
	for (int i = 0; i < 10; i++)
		kfree(p[i]);
	kfree(NULL);
	CHECK(kmalloc((size_t)64 << 20) == NULL);	/* larger than the largest run: refused */
	/* Only the slabs kept empty (one per size class) remain. */
	CHECK(frame_free_count() >= before - 8);
}
