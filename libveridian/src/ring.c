/* SPSC ring queues (see ring.h); pure memory operations, also built for host tests. */

#include <veridian/ring.h>

struct vr_ring *vr_ring_init(void *mem, size_t size, uint32_t entry_size)
{
	struct vr_ring *r = mem;
	size_t room;
	uint32_t cap = 1;

	if (size <= sizeof(*r) || entry_size == 0)
		return NULL;
	room = (size - sizeof(*r)) / entry_size;
	if (room == 0)
		return NULL;
	while ((size_t)cap * 2 <= room && cap < (1u << 30))
		cap *= 2;
	r->head = r->tail = 0;
	r->entry_size = entry_size;
	r->capacity = cap;
	r->consumer_sleeping = 0;
	return r;
}

bool vr_ring_push(struct vr_ring *r, const void *entry)
{
	uint64_t tail = r->tail;	/* only we write it */
	uint64_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

	if (tail - head >= r->capacity)
		return false;
	__builtin_memcpy(r->data + (size_t)(tail & (r->capacity - 1)) * r->entry_size, entry, r->entry_size);
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}

bool vr_ring_pop(struct vr_ring *r, void *entry)
{
	uint64_t head = r->head;	/* only we write it */
	uint64_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);

	if (head == tail)
		return false;
	__builtin_memcpy(entry, r->data + (size_t)(head & (r->capacity - 1)) * r->entry_size, r->entry_size);
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
	return true;
}

uint64_t vr_ring_count(const struct vr_ring *r)
{
	return __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) - __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
}
