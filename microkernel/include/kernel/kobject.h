/*
 * The header every kernel object starts with: its type and a reference count.
 * Capabilities, and kernel structures that point at an object, each hold one
 * reference; the last kobj_put() destroys the object.
 */
#pragma once

#include <kernel/types.h>

enum kobj_type {
	KOBJ_NONE = 0,
	KOBJ_PROCESS,
	KOBJ_THREAD,
	KOBJ_ENDPOINT,
	KOBJ_NOTIFICATION,
	KOBJ_VMO,
	KOBJ_IRQ,
	KOBJ_RESOURCE,	/* authority over hardware: MMIO, IRQ lines, I/O ports, the system */
	KOBJ_REPLY,
	KOBJ_IOPORT,	/* a range of x86 I/O ports (kernel/ioport.h) */
	KOBJ_TEST,	/* used only by tests */
	KOBJ_TYPES
};

struct kobject {
	enum kobj_type type;
	uint32_t refs;
	void (*destroy)(struct kobject *o);	/* frees the object; called on the last put */
};

static inline void kobj_init(struct kobject *o, enum kobj_type type, void (*destroy)(struct kobject *))
{
	o->type = type;
	o->refs = 1;
	o->destroy = destroy;
}

static inline struct kobject *kobj_get(struct kobject *o)
{
	__atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);
	return o;
}

static inline void kobj_put(struct kobject *o)
{
	if (o && __atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL) == 0)
		o->destroy(o);
}
