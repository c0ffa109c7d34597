/*
 * The POSIX servers as the root task starts them (posix.c): the vfs server
 * from the embedded initrd, and the capabilities the root task keeps.
 */
#pragma once

#include <veridian/vr.h>

#include "../posix/vfs/cpio.h"

/* The embedded initial ramdisk (a cpio newc archive). */
extern const char initrd_start[], initrd_end[];

/* The vfs server's admin capability (VFS_BADGE_ADMIN), 0 before posix_boot or if it failed. */
extern handle_t posix_vfs_admin;

/* Starts /sbin/vfs from the initrd. Returns 0 or a negative error (printed). */
int64_t posix_boot(void);

/* A VMO holding @e's bytes (an ELF image from the initrd), for vr_exec. */
int64_t posix_image(const struct cpio_entry *e, struct vr_image *img);
