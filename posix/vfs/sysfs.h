/*
 * sysfs (/sys): a read-only tree of directories, small attribute files and
 * symbolic links that describes the system's devices, as Linux's does, so
 * programs that enumerate devices (a graphics stack: /sys/class/drm,
 * /sys/class/input) find them where they look. The skeleton is /sys/class,
 * /sys/bus and /sys/devices; the registry below adds and removes entries
 * (the vfs registers its own memory devices and terminals; device servers
 * register theirs with VFS_SYSFS_DEVICE, proto/vfs.h, and they go with the
 * server's session). Clients only read: every change they ask for is EROFS.
 * Paths given to the registry are relative to /sys.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../proto/vfs.h"
#include "fs.h"

#define SYSFS_MAGIC 0x62656572
#define SYSFS_REGS_MAX 64 /* devices registered by all sessions together */

/* Makes sysfs's root with its skeleton and mounts it over directory @on; 0 or -errno. */
int sysfs_mount(struct node *on);

/* The directory @path, with any missing parents (as mkdir -p); 0 or -errno. */
int sysfs_add_dir(const char *path);
/* A read-only file @path holding @len bytes of @data (parents made); -EEXIST if the name is taken.
 */
int sysfs_add_file(const char *path, const void *data, size_t len);
/* A symbolic link @path to @target (parents made); -EEXIST if the name is taken. */
int sysfs_add_link(const char *path, const char *target);
/*
 * A device as Linux shows one (proto/vfs.h, "sysfs devices"): the strings are
 * the caller's. devname "" is the name; class_name "" none; bus: class_name
 * names a bus (/sys/bus/<class>/devices/<name>). major = minor = 0: no number.
 */
struct sysfs_device {
	const char *class_name, *name, *devname, *devpath;
	bool bus;
	uint32_t major, minor;
	unsigned nattr, nuevent, nlink;
	const char *attr[VFS_SYSFS_ATTRS_MAX][2]; /* name, contents */
	const char *uevent[VFS_SYSFS_ATTRS_MAX];  /* "KEY=value" */
	const char *link[VFS_SYSFS_ATTRS_MAX][2]; /* name, target */
};
/* Makes /sys/devices/<devpath>/ with its files and links, the class and /sys/dev/char links; 0 or
 * -errno, nothing made then. */
int sysfs_device_add(const struct sysfs_device *d);
/* sysfs_device_add with no extras (@rdev: major << 8 | minor; 0: none). */
int sysfs_add_device(const char *class_name, const char *name, const char *devpath, uint64_t rdev);
/*
 * VFS_SYSFS_DEVICE from session @session (the caller checked its uid): registers the device
 * the blob @blob of @len bytes describes, or unregisters one. 0 or -errno.
 */
long sysfs_request(uint64_t session, uint64_t flags, uint64_t major, uint64_t minor,
		   uint64_t counts, const char *blob, size_t len);
/* Session @session ended: its devices go. */
void sysfs_session_end(uint64_t session);
/* Removes @path and everything below it; 0 or -ENOENT. */
int sysfs_remove(const char *path);
