/*
 * The device capabilities of services (caps = devices, irq:N,
 * mmio:BASE+LEN, ioport:BASE+LEN): native handles made from the device resource the root
 * task gives init, handed over with posix_spawn (vr_spawn.h) and closed
 * here once the service has its copies. An IRQ is bound anew for every
 * start: the line is free again once the service's process is gone.
 */
#include <errno.h>
#include <stdio.h>
#include <veridian/vr.h>

#include "devices.h"
#include "handles.h"
#include "vr_spawn.h"

_Static_assert(SVC_HANDLES_MAX <= VR_SPAWN_HANDLES_MAX, "a service's handles fit one posix_spawn");

static uint64_t resource;

uint64_t devices_init(void)
{
	uint64_t h = init_handle("devices"), info;

	if (h && !vr_handle_info(h, &info) && (info & 0xffff) == VR_OBJ_RESOURCE)
		resource = h;
	return resource;
}

void devices_close(struct vr_spawn_handle *h, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		vr_handle_close(h[i].handle);
}

/* Appends word @w to the INIT_HANDLES value in @names (@len bytes). */
static void name(char *names, size_t len, const char *w)
{
	size_t at = strlen(names);

	snprintf(names + at, len - at, "%s%s", at ? " " : "", w);
}

int devices_make(const struct service *s, struct vr_spawn_handle h[SVC_HANDLES_MAX], char *names,
		 size_t len, char *what, size_t whatlen)
{
	const uint32_t pass = VR_RIGHT_DUPLICATE | VR_RIGHT_TRANSFER; /* it may hand them on */
	unsigned n = 0;
	int64_t err = 0;
	char w[64];

	names[0] = 0;
	for (unsigned i = 0; !err && i < s->ndevs; i++) {
		const struct svc_dev *d = &s->devs[i];
		uint64_t a, b;
		switch (d->kind) {
		case SVC_DEV_DEVICES:
			snprintf(w, sizeof(w), "devices");
			err = resource ? vr_handle_derive(resource, VR_RIGHT_MANAGE | pass, &a)
				       : -ENODEV;
			if (!err)
				h[n++] = (struct vr_spawn_handle){a, VR_RIGHT_MANAGE | pass, 0};
			break;
		case SVC_DEV_IRQ:
			snprintf(w, sizeof(w), "irq:%llu", (unsigned long long)d->base);
			err = resource ? vr_notify_create(&b) : -ENODEV;
			if (!err && (err = vr_irq_bind(resource, d->base, b, 1, &a)))
				vr_handle_close(b);
			if (!err) {
				h[n++] = (struct vr_spawn_handle){a, VR_RIGHT_MANAGE | pass, 0};
				h[n++] = (struct vr_spawn_handle){b, VR_RIGHT_RECV | pass, 0};
				name(names, len, w);
				snprintf(w, sizeof(w), "irq:%llu.notify",
					 (unsigned long long)d->base);
			}
			break;
		case SVC_DEV_MMIO:
			snprintf(w, sizeof(w), "mmio:%#llx+%#llx", (unsigned long long)d->base,
				 (unsigned long long)d->len);
			err =
			    resource ? vr_vmo_create_phys(resource, d->base, d->len, &a) : -ENODEV;
			if (!err)
				h[n++] = (struct vr_spawn_handle){a,
								  VR_RIGHT_READ | VR_RIGHT_WRITE |
								      VR_RIGHT_MAP |
								      VR_RIGHT_MANAGE | pass,
								  0};
			break;
		case SVC_DEV_IOPORT:
			/* The kernel says -EOPNOTSUPP where there are no ports (aarch64, riscv64). */
			snprintf(w, sizeof(w), "ioport:%#llx+%#llx", (unsigned long long)d->base,
				 (unsigned long long)d->len);
			err = resource ? vr_ioport_create(resource, d->base, d->len, &a) : -ENODEV;
			if (!err)
				h[n++] = (struct vr_spawn_handle){
				    a, VR_RIGHT_READ | VR_RIGHT_WRITE | pass, 0};
			break;
		}
		if (!err)
			name(names, len, w);
		else
			snprintf(what, whatlen, "%s: %s", w,
				 err == -ENODEV ? "init holds no device resource"
						: strerror((int)-err));
	}
	if (err) {
		devices_close(h, n);
		return -1;
	}
	return (int)n;
}
