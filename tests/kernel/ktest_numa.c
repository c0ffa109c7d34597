/* NUMA: with a node layout from the firmware, allocations land on the node asked for or run on. */
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/frame.h>
#include <kernel/ktest.h>

KTEST(numa_node_local_allocation)
{
	unsigned nodes = 0;

	for (unsigned i = 0; i < boot_info.nnuma; i++)
		nodes = MAX(nodes, boot_info.numa[i].node + 1);
	if (nodes < 2) {
		/* One node: everything is node 0, and asking for node 0 must work. */
		paddr_t pa = frame_alloc_node(0, 0, 0);
		KCHECK(pa && frame_node_of(pa) == 0, "node 0 allocation failed");
		frame_free(pa, 0);
		return NULL;
	}
	for (unsigned n = 0; n < nodes; n++) {
		paddr_t pa = frame_alloc_node(n, 3, 0);
		KCHECK(pa, "no memory on node %u", n);
		KCHECK(frame_node_of(pa) == n, "asked node %u, got %#lx on node %u", n, pa, frame_node_of(pa));
		frame_free(pa, 3);
	}
	/* Plain allocations follow the CPU: this CPU's node first. */
	paddr_t pa = frame_alloc(0, 0);
	KCHECK(frame_node_of(pa) == this_cpu()->node, "CPU on node %u got a frame of node %u",
	       this_cpu()->node, frame_node_of(pa));
	frame_free(pa, 0);
	return NULL;
}
