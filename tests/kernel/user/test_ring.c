/* Ring queues with a doorbell between two processes sharing a VMO. */
#include <veridian/ring.h>
#include "../../../roottask/utest.h"

#define ENTRIES 20000
#define RING_AT 0x30000000ull

struct ring_args {
	uint64_t doorbell;
};

/* The producer process: the ring is mapped at RING_AT, the doorbell handle is the argument. */
static uint64_t produce(uint64_t doorbell)
{
	struct vr_ring *r = (struct vr_ring *)(uintptr_t)RING_AT;

	for (uint64_t i = 0; i < ENTRIES; i++) {
		uint64_t e[2] = {i, i * i};
		if (vr_ring_send(r, e, doorbell, 1))
			return 1;
	}
	return 0;
}

UTEST(ring_queue_between_processes)
{
	handle_t vmo, n, proc, given;
	uint64_t at;

	UCHECK(vr_vmo_create(4 * VR_PAGE, 0, &vmo) == 0 && vr_notify_create(&n) == 0, "create");
	UCHECK(vr_vm_map(vr_self, vmo, RING_AT, 0, 4 * VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &at) == 0,
	       "map");
	struct vr_ring *r = vr_ring_init((void *)(uintptr_t)at, 4 * VR_PAGE, 16);
	UCHECK(r && r->capacity >= 256, "ring_init");
	UCHECK(vr_spawn_prepare(&vr_self_image, &proc) == 0, "spawn");
	UCHECK(vr_vm_map(proc, vmo, RING_AT, 0, 4 * VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &at) == 0,
	       "map in the child");
	UCHECK(vr_process_handle_give(proc, n, VR_RIGHT_SEND, &given) == 0, "give doorbell");
	UCHECK(vr_spawn_start(proc, produce, given) == 0, "start");
	for (uint64_t i = 0; i < ENTRIES; i++) {
		uint64_t e[2];
		UCHECK(vr_ring_receive(r, e, n) == 0, "receive %lu", i);
		UCHECK(e[0] == i && e[1] == i * i, "entry %lu is (%lu, %lu)", i, e[0], e[1]);
	}
	UCHECK(reap(proc) == 0, "producer failed");
	vr_vm_unmap(vr_self, RING_AT, 4 * VR_PAGE);
	vr_handle_close(vmo);
	vr_handle_close(n);
	return NULL;
}
