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

/* The proc server, badged PROC_BADGE_ROOT: the root task's children are its to wait for. */
extern handle_t posix_proc;

/* Starts /sbin/vfs and /sbin/proc from the initrd. Returns 0 or a negative error (printed). */
int64_t posix_boot(void);

/*
 * Spawns @path (in the initrd) through the proc server with @argv and @envp,
 * fds 0-2 on /dev/console; returns its pid or a negative error.
 */
int64_t posix_spawn_console(const char *path, const char *const argv[], const char *const envp[]);

/* As posix_spawn_console, for /sbin/init: the child is pid 1 (PROC_SPAWN_INIT). */
int64_t posix_spawn_init(const char *path, const char *const argv[], const char *const envp[]);

/* Waits for the root task's child @pid (as waitpid; -1 any): its pid, *wstatus its wait status. */
int64_t posix_wait(int64_t pid, int *wstatus);

/* A VMO holding @e's bytes (an ELF image from the initrd), for vr_exec. */
int64_t posix_image(const struct cpio_entry *e, struct vr_image *img);
