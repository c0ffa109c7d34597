/* devfs: /dev/null, zero, full, random, urandom and console. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fs.h"
#include "tty.h"

/* Where console writes go (the server: the kernel's debug console). */
extern void (*dev_console_write)(const char *s, size_t len);

/* Creates the devices in @root (a directory of a fixed struct fs). Returns 0 or -ENOMEM. */
int devfs_populate(struct node *root);

/* Reads or writes device @d; returns bytes or -errno, as Linux's drivers. */
long dev_read(enum fs_dev d, void *buf, size_t len);
long dev_write(enum fs_dev d, const void *buf, size_t len);

/* The device number of @d (st_rdev), Linux's: the translation layer knows a terminal by it. */
uint64_t dev_rdev(enum fs_dev d);

/* Whether @d is a terminal (isatty): the console. */
int dev_is_tty(enum fs_dev d);

/* The console's terminal: input from VFS_CONSOLE_INPUT, output to dev_console_write. */
struct tty *dev_console_tty(void);
