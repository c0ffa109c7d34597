/*
 * I/O-port capabilities (ioport_create): a process holding ports 0x3f8-0x3ff
 * reads COM1's line status with an ordinary inb and faults on any other port
 * (0x60, 0x80); revoking the capability takes the ports away even from a
 * thread spinning on them on another CPU; bad ranges and forged handles are
 * refused; a process holds at most 16 distinct ranges.
 */
#include "../../../../roottask/utest.h"

#define COM1 0x3f8
#define LSR 5
#define LSR_THR_EMPTY 0x20
#define SHARED_VA 0x60000000ull

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %w1" ::"a"(v), "Nd"(port));
}

/* Reads port @port with inb: 0x100 | the byte, or the fault ends the process (-EINVAL). */
static uint64_t child_in(uint64_t port)
{
	return 0x100 | inb((uint16_t)port);
}

static uint64_t child_out(uint64_t port)
{
	outb((uint16_t)port, 0);
	return 0x100;
}

/*
 * Reads the line status until told to stop (the word at SHARED_VA + 8),
 * counting reads at SHARED_VA. The stop word is read before the inb, so a
 * read made after the stop was seen comes after the revocation that
 * preceded it: it must fault; exiting with 7 means it did not.
 */
static uint64_t child_spin(uint64_t arg)
{
	volatile uint64_t *shared = (volatile uint64_t *)(uintptr_t)SHARED_VA;

	(void)arg;
	for (;;) {
		uint64_t stop = shared[1];
		inb(COM1 + LSR);
		if (stop)
			return 7;
		shared[0]++;
	}
}

/* Starts fn(arg) in a new process holding a copy of @port (0: none); its handle, or 0. */
static handle_t start_with(handle_t port, uint64_t (*fn)(uint64_t), uint64_t arg, handle_t *shared)
{
	handle_t child, given;
	uint64_t at;

	if (vr_spawn_prepare(&vr_self_image, &child))
		return 0;
	if (port && vr_process_handle_give(child, port, ~0ull, &given))
		goto err;
	if (shared && vr_vm_map(child, *shared, SHARED_VA, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &at))
		goto err;
	if (vr_spawn_start(child, fn, arg))
		goto err;
	return child;
err:
	vr_process_kill(child, 0);
	reap(child);
	return 0;
}

static int64_t run_with(handle_t port, uint64_t (*fn)(uint64_t), uint64_t arg)
{
	handle_t child = start_with(port, fn, arg, NULL);

	return child ? reap(child) : -1000;
}

UTEST(ioport_grants_exactly_its_ports)
{
	handle_t port;
	uint64_t info;

	UCHECK(vr_ioport_create(root_info->resource, COM1, 8, &port) == 0, "ioport_create");
	UCHECK(vr_handle_info(port, &info) == 0 && (info & 0xffff) == VR_OBJ_IOPORT, "handle_info %#lx",
	       info);
	int64_t st = run_with(port, child_in, COM1 + LSR);
	UCHECK(st >= 0x100 && (st & LSR_THR_EMPTY), "inb of COM1's line status gave %#lx", st);
	st = run_with(port, child_in, COM1 + 7);
	UCHECK(st >= 0x100, "inb of the range's last port gave %ld", st);
	UCHECK(run_with(port, child_in, 0x60) == -VR_EINVAL, "inb 0x60 did not fault");
	UCHECK(run_with(port, child_out, 0x80) == -VR_EINVAL, "outb 0x80 did not fault");
	UCHECK(run_with(port, child_in, COM1 + 8) == -VR_EINVAL, "the port past the range did not fault");
	UCHECK(run_with(port, child_in, COM1 - 1) == -VR_EINVAL, "the port before the range did not fault");
	/* Without the capability, not even COM1. */
	UCHECK(run_with(0, child_in, COM1 + LSR) == -VR_EINVAL, "inb without the capability did not fault");
	vr_handle_close(port);
	return NULL;
}

UTEST(ioport_fault_is_an_exception_message)
{
	handle_t port, child, ep, given;
	uint64_t m[8];

	UCHECK(vr_ioport_create(root_info->resource, COM1, 8, &port) == 0, "ioport_create");
	UCHECK(vr_endpoint_create(&ep) == 0, "endpoint_create");
	UCHECK(vr_spawn_prepare(&vr_self_image, &child) == 0, "spawn");
	UCHECK(vr_process_handle_give(child, port, ~0ull, &given) == 0, "handle_give");
	UCHECK(vr_exception_set_handler(child, ep) == 0, "exception_set_handler");
	UCHECK(vr_spawn_start(child, child_in, 0x60) == 0, "start");
	UCHECK(vr_ipc_recv(ep, m) >= 0, "exception message");
	UCHECK(VR_TAG_LABEL(m[0]) == VR_EXCEPTION_LABEL && m[1] == VR_EXC_OTHER && m[2] >> 32 == 13,
	       "tag %#lx kind %lu detail %#lx: not a general protection fault", m[0], m[1], m[2]);
	vr_process_kill(child, 0);
	m[0] = VR_TAG(1, 0);	/* any other answer than a resumption: the process is killed */
	vr_ipc_reply(m);
	reap(child);
	vr_handle_close(ep);
	vr_handle_close(port);
	return NULL;
}

UTEST(ioport_revoke_takes_ports_from_running_thread)
{
	handle_t root_port, port, shared;
	uint64_t at;

	UCHECK(vr_ioport_create(root_info->resource, COM1, 8, &root_port) == 0, "ioport_create");
	/* The child's copy descends from ours, so revoking ours deletes it. */
	UCHECK(vr_handle_derive(root_port, VR_RIGHT_READ | VR_RIGHT_WRITE | VR_RIGHT_DUPLICATE | VR_RIGHT_TRANSFER, &port) == 0,
	       "derive");
	UCHECK(vr_vmo_create(VR_PAGE, 0, &shared) == 0, "vmo");
	UCHECK(vr_vm_map(0, shared, 0, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &at) == 0, "map");
	volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)at;
	handle_t child = start_with(port, child_spin, 0, &shared);
	UCHECK(child, "start");
	vr_handle_close(port);
	/* It runs, reading the port (on another CPU, or taking turns with us). */
	while (w[0] < 100)
		vr_thread_yield();
	UCHECK(vr_handle_revoke(root_port) == 0, "revoke");
	w[1] = 1;
	int64_t st = reap(child);
	UCHECK(st == -VR_EINVAL, "the child ended with %ld: its inb after the revocation did not fault", st);
	/* Our own copy still works: revoking its children left it alone. */
	UCHECK(run_with(root_port, child_in, COM1 + LSR) >= 0x100, "the revoked parent lost its ports");
	vr_vm_unmap(0, at, VR_PAGE);
	vr_handle_close(shared);
	vr_handle_close(root_port);
	return NULL;
}

UTEST(ioport_bad_ranges_and_forged_handles)
{
	handle_t port, ports[17];
	uint64_t caps;

	settle();
	caps = info(INFO_CAPS);
	UCHECK(vr_ioport_create(root_info->resource, COM1, 0, &port) == -VR_EINVAL, "length 0");
	UCHECK(vr_ioport_create(root_info->resource, 0xfff8, 9, &port) == -VR_EINVAL, "past 0xffff");
	UCHECK(vr_ioport_create(root_info->resource, 0x10000, 1, &port) == -VR_EINVAL, "port 0x10000");
	UCHECK(vr_ioport_create(root_info->resource, 0, ~0ull, &port) == -VR_EINVAL, "huge length");
	UCHECK(vr_ioport_create(root_info->resource ^ 0x5a5a000000ull, COM1, 8, &port) == -VR_EBADF,
	       "a forged resource");
	UCHECK(vr_ioport_create(vr_self, COM1, 8, &port) == -VR_EINVAL, "a process for a resource");
	UCHECK(vr_ioport_create(root_info->resource, COM1, 8, &port) == 0, "ioport_create");
	handle_t child;
	UCHECK(vr_spawn_prepare(&vr_self_image, &child) == 0, "spawn");
	handle_t given;
	UCHECK(vr_process_handle_give(child, port ^ (1ull << 50), ~0ull, &given) == -VR_EBADF,
	       "a forged port handle given");
	UCHECK(vr_handle_close(port ^ (1ull << 50)) == -VR_EBADF, "a forged port handle closed");
	vr_process_kill(child, 0);
	reap(child);
	vr_handle_close(port);
	/* Sixteen distinct ranges in one table, then -ENOSPC; a range held twice counts once. */
	for (unsigned i = 0; i < 16; i++)
		UCHECK(vr_ioport_create(root_info->resource, 0x1000 + 16 * i, 4, &ports[i]) == 0, "range %u", i);
	UCHECK(vr_ioport_create(root_info->resource, 0x2000, 4, &ports[16]) == -VR_ENOSPC,
	       "a seventeenth range");
	UCHECK(vr_ioport_create(root_info->resource, 0x1000, 4, &ports[16]) == 0, "a range held twice");
	for (unsigned i = 0; i < 17; i++)
		vr_handle_close(ports[i]);
	settle();
	UCHECK(info(INFO_CAPS) == caps, "%ld capabilities leaked", (long)(info(INFO_CAPS) - caps));
	return NULL;
}
