/*
 * Resources: the authority over hardware and the machine. The root task gets
 * the root resource; device memory, interrupt lines and I/O ports are
 * reached only through a resource capability with RIGHT_MANAGE.
 */
#include <kernel/cap.h>
#include <kernel/errno.h>
#include <kernel/process.h>
#include <kernel/slab.h>
#include "syscall_defs.h"

static void resource_destroy(struct kobject *k)
{
	kfree(k);
}

struct kobject *resource_create_root(void)
{
	struct kobject *r = kmalloc(sizeof(*r));

	if (r)
		kobj_init(r, KOBJ_RESOURCE, resource_destroy);
	return r;
}

static int check(handle_t resource)
{
	struct kobject *r;
	int err = cap_lookup(&process_current()->caps, resource, KOBJ_RESOURCE, RIGHT_MANAGE, &r, NULL);

	if (!err)
		kobj_put(r);
	return err;
}

int64_t sys_ioport_write(handle_t resource, uint64_t port, uint64_t width, uint64_t value)
{
	int err = check(resource);

	return err ? err : arch_ioport_access(port, width, &value, true);
}

int64_t sys_ioport_read(handle_t resource, uint64_t port, uint64_t width, uint64_t *value)
{
	int err = check(resource);

	*value = 0;
	return err ? err : arch_ioport_access(port, width, value, false);
}

int64_t sys_exception_set_handler(handle_t process, handle_t endpoint)
{
	struct cap_table *caps = &process_current()->caps;
	struct process *p;
	struct kobject *ep = NULL;
	struct cap_info info = {0, 0};
	int err = cap_lookup(caps, process, KOBJ_PROCESS, RIGHT_MANAGE, (struct kobject **)&p, NULL);

	if (err)
		return err;
	if (endpoint != HANDLE_INVALID)
		err = cap_lookup(caps, endpoint, KOBJ_ENDPOINT, RIGHT_SEND, &ep, &info);
	if (!err) {
		unsigned long s = spin_lock_irqsave(&p->lock);
		struct kobject *old = p->exception_ep;
		p->exception_ep = ep;
		p->exception_badge = info.badge;
		spin_unlock_irqrestore(&p->lock, s);
		kobj_put(old);
	}
	process_put(p);
	return err;
}
