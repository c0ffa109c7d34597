/*
 * sysfs (/sys): a read-only tree of directories, small attribute files and
 * symbolic links that describes the system's devices, as Linux's does, so
 * programs that enumerate devices (a graphics stack: /sys/class/drm,
 * /sys/class/input) find them where they look. The skeleton is /sys/class,
 * /sys/bus and /sys/devices; the registry below adds and removes entries
 * (the vfs registers its own memory devices and terminals; device servers
 * will register theirs through it). Clients only read: every change they ask
 * for is EROFS. Paths given to the registry are relative to /sys.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fs.h"

#define SYSFS_MAGIC 0x62656572

/* Makes sysfs's root with its skeleton and mounts it over directory @on; 0 or -errno. */
int sysfs_mount(struct node *on);

/* The directory @path, with any missing parents (as mkdir -p); 0 or -errno. */
int sysfs_add_dir(const char *path);
/* A read-only file @path holding @len bytes of @data (parents made); -EEXIST if the name is taken. */
int sysfs_add_file(const char *path, const void *data, size_t len);
/* A symbolic link @path to @target (parents made); -EEXIST if the name is taken. */
int sysfs_add_link(const char *path, const char *target);
/*
 * A device as Linux shows one: /sys/devices/<devpath>/ with "dev" ("major:minor\n",
 * @rdev as major << 8 | minor; none if 0) and "uevent" (MAJOR=, MINOR=, DEVNAME=@name),
 * and /sys/class/<class>/<name> a link to it. 0 or -errno.
 */
int sysfs_add_device(const char *class_name, const char *name, const char *devpath, uint64_t rdev);
/* Removes @path and everything below it; 0 or -ENOENT. */
int sysfs_remove(const char *path);
