/*
 * I/O-port capabilities: ioport_create derives an object for the ports
 * [base, base + len) from a resource; a process may use in and out on the
 * ports of the I/O-port capabilities its table holds, and on no other
 * (x86_64: the I/O permission bitmap of the CPU's TSS, IOPL 0). The table
 * keeps the set of ranges as capabilities come and go (cap.c's place and
 * unplace); the context switch loads it (arch_io_switch).
 */
#include <kernel/arch.h>
#include <kernel/cap.h>
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/ioport.h>
#include <kernel/mm.h>
#include <kernel/process.h>
#include <kernel/slab.h>
#include "syscall_defs.h"

static uint64_t next_stamp = 1;

static void ioport_destroy(struct kobject *k)
{
	kfree(k);
}

static struct ioport_range *find(const struct ioport_set *set, const struct ioport *p)
{
	for (uint32_t i = 0; i < set->n; i++)
		if (set->r[i].base == p->base && set->r[i].len == p->len)
			return (struct ioport_range *)&set->r[i];
	return NULL;
}

int ioport_room(const struct ioport_set *set, const struct kobject *port)
{
	const struct ioport *p = (const struct ioport *)port;

	return find(set, p) || set->n < IOPORT_RANGES ? 0 : -ENOSPC;
}

void ioport_hold(struct ioport_set *set, const struct kobject *port, int delta)
{
	const struct ioport *p = (const struct ioport *)port;
	struct ioport_range *r = find(set, p);

	if (!r) {
		/* ioport_room said there is room; only a new range is added. */
		r = &set->r[set->n];
		r->base = p->base;
		r->len = p->len;
		r->count = 0;
		__atomic_store_n(&set->n, set->n + 1, __ATOMIC_RELEASE);
	}
	r->count += delta;
	if (!r->count) {
		*r = set->r[set->n - 1];
		__atomic_store_n(&set->n, set->n - 1, __ATOMIC_RELEASE);
	}
	/* A new stamp for every change: no CPU has this state's bitmap yet. */
	uint64_t stamp = set->n ? __atomic_fetch_add(&next_stamp, 1, __ATOMIC_RELAXED) : 0;
	__atomic_store_n(&set->stamp, stamp, __ATOMIC_RELEASE);
}

void ioport_changed(void)
{
	struct thread *t = this_cpu()->current;

	__atomic_fetch_or(&t->pending, (uint8_t)PENDING_IO, __ATOMIC_RELAXED);
}

void ioport_settle(void)
{
	struct thread *t = this_cpu()->current;

	__atomic_fetch_and(&t->pending, (uint8_t)~PENDING_IO, __ATOMIC_RELAXED);

	if (t->proc)
		arch_io_switch(&t->proc->io);
	/* The shootdown's handler does the same on every other CPU (vm_serve_shootdown). */
	vm_shootdown(NULL);
}

int64_t sys_ioport_create(handle_t resource, uint64_t base, uint64_t len, handle_t *out)
{
	struct cap_table *caps = &process_current()->caps;
	struct kobject *r;
	int err = cap_lookup(caps, resource, KOBJ_RESOURCE, RIGHT_MANAGE, &r, NULL);

	if (err)
		return err;
	kobj_put(r);
	if (!len || base >= IOPORT_SPACE || len > IOPORT_SPACE - base)
		return -EINVAL;
	err = arch_io_supported();
	if (err)
		return err;
	struct ioport *p = kmalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	kobj_init(&p->k, KOBJ_IOPORT, ioport_destroy);
	p->base = (uint32_t)base;
	p->len = (uint32_t)len;
	err = cap_install(caps, &p->k, RIGHT_READ | RIGHT_WRITE | RIGHT_DUPLICATE | RIGHT_TRANSFER, out);
	kobj_put(&p->k);
	return err;
}
