/* The initial ramdisk (a cpio newc archive) as a read-only file system. */
#pragma once

#include <stddef.h>

struct node;

/*
 * Adds the archive's directories, regular files and symbolic links under
 * @root (of a read-only struct fs); file data stays in @archive, which must
 * outlive the tree. Returns 0, or -EINVAL for a malformed archive (checked
 * whole before anything is added; a bad name stops the load where it is).
 */
int initrd_load(struct node *root, const void *archive, size_t size);
