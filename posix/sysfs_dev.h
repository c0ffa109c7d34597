/*
 * For device servers: their devices in /sys (VFS_SYSFS_DEVICE, proto/vfs.h,
 * "sysfs devices"). The server's session needs uid 0; what it registers goes
 * when it exits.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <veridian/syscalls.h>

struct px_sysfs_pair {
	const char *name, *value; /* an attribute and its contents, or a link and its target */
};

struct px_sysfs_dev {
	const char *class_name; /* "drm", "input" ("" none); with bus, a bus's ("pci") */
	const char *name;	/* in the class: "card0" */
	const char *devname;	/* below /dev ("dri/card0"); NULL or "": the name */
	const char *devpath;	/* below /sys/devices: "pci0000:00/0000:00:02.0/drm/card0" */
	bool bus;
	unsigned major, minor; /* both 0: no device number */
	unsigned nattr, nuevent, nlink;
	const struct px_sysfs_pair *attrs; /* "vendor", "0x1af4\n" */
	const char *const *uevent;	   /* "DRIVER=virtio-gpu" */
	const struct px_sysfs_pair *links; /* "device", "../../../0000:00:02.0" */
};

/*
 * Packs @d into @buf (@cap bytes) as VFS_SYSFS_DEVICE's long part and its
 * counts word into *@counts. Returns the length, or -EINVAL (a count past
 * VFS_SYSFS_ATTRS_MAX, a NULL name) or -E2BIG (more than @cap bytes).
 */
long px_sysfs_pack(const struct px_sysfs_dev *d, char *buf, size_t cap, uint64_t *counts);

/* Registers @d with the vfs server @vfs (px_vfs for a program of the layer). 0 or -errno. */
long px_sysfs_register(handle_t vfs, const struct px_sysfs_dev *d);

/* Unregisters this session's device at @devpath (and those below it). 0 or -errno. */
long px_sysfs_unregister(handle_t vfs, const char *devpath);
