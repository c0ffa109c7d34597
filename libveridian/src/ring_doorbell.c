/* Ring queues with a notification as doorbell: the consumer sleeps only when the ring is empty. */
#include <veridian/ring.h>
#include <veridian/vr.h>

int64_t vr_ring_send(struct vr_ring *r, const void *entry, uint64_t doorbell, uint64_t bit)
{
	while (!vr_ring_push(r, entry))
		vr_thread_yield();	/* full: the consumer is behind; let it run */
	/* Seq-cst: the flag is read after the entry is published (pairs with vr_ring_receive). */
	if (__atomic_load_n(&r->consumer_sleeping, __ATOMIC_SEQ_CST))
		return vr_notify_signal(doorbell, bit);
	return 0;
}

int64_t vr_ring_receive(struct vr_ring *r, void *entry, uint64_t doorbell)
{
	uint64_t bits;

	for (;;) {
		if (vr_ring_pop(r, entry))
			return 0;
		__atomic_store_n(&r->consumer_sleeping, 1, __ATOMIC_SEQ_CST);
		/* Check again: an entry pushed before the flag was visible gets no doorbell. */
		if (vr_ring_pop(r, entry)) {
			__atomic_store_n(&r->consumer_sleeping, 0, __ATOMIC_RELAXED);
			return 0;
		}
		int64_t err = vr_notify_wait(doorbell, 0, &bits);
		__atomic_store_n(&r->consumer_sleeping, 0, __ATOMIC_RELAXED);
		if (err)
			return err;
	}
}
