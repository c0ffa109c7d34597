/* Kernel console output and the kernel log. */
#pragma once

#include <kernel/types.h>

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Formats to the console and appends to the kernel log. */
void kprintf(const char *fmt, ...) __printf(1, 2);
void kvprintf(const char *fmt, va_list ap);

/* From now on print without the lock: a panicking CPU may have died holding it. */
void printk_break_lock(void);

/*
 * The kernel log keeps the most recent KLOG_SIZE bytes printed. klog_read copies
 * up to @size bytes starting at byte offset @pos of everything ever logged
 * (bytes already overwritten are skipped) and returns the count copied.
 */
#define KLOG_SIZE 16384
size_t klog_read(uint64_t pos, char *buf, size_t size);
uint64_t klog_length(void);
