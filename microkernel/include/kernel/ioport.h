/*
 * I/O-port capabilities (x86_64): an object for the ports [base, base + len).
 * A process may use in/out on exactly the ports of the I/O-port capabilities
 * in its table; the set is kept as it changes (kern/ioport.c).
 */
#pragma once

#include <kernel/kobject.h>

#define IOPORT_SPACE 0x10000u	/* ports 0 .. 0xffff */
#define IOPORT_RANGES 16	/* distinct ranges one process may hold */

struct ioport {
	struct kobject k;
	uint32_t base, len;	/* never change */
};

/*
 * The port ranges a process's capabilities grant: each distinct range once,
 * with the number of capabilities naming it. Changed under the table's lock
 * (cap.c: every place and unplace of an I/O-port capability); read without a
 * lock by the context switch, which the change's shootdown corrects
 * (ioport_settle). stamp is 0 while no range is held, else unique to this
 * state of the set: a CPU whose bitmap was built at the same stamp needs no
 * rebuild.
 */
struct ioport_set {
	uint64_t stamp;
	uint32_t n;	/* ranges used at the front of r[] */
	struct ioport_range {
		uint32_t base, len, count;
	} r[IOPORT_RANGES];
};

/* Whether @set can take one more capability to @port (0, or -ENOSPC: a 17th range). */
int ioport_room(const struct ioport_set *set, const struct kobject *port);

/* Counts a capability to @port into (@delta 1) or out of (-1) @set. */
void ioport_hold(struct ioport_set *set, const struct kobject *port, int delta);

/*
 * After a change of some process's set (cap.c, which may hold an endpoint's
 * lock then: deliver_full): marks the current thread PENDING_IO, so that its
 * return to user mode, with no lock held, runs ioport_settle.
 */
void ioport_changed(void);

/*
 * Brings this CPU's bitmap up to date and has every other CPU do the same
 * before it returns (a shootdown), so a range taken away faults at its next
 * in or out anywhere.
 */
void ioport_settle(void);
