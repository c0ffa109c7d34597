/* Fatal errors: print what happened and a backtrace, then stop the machine. */
#pragma once

#include <kernel/types.h>

noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* Used by trap handlers: the backtrace starts at the trapped frame. */
noreturn void panic_at(uintptr_t pc, uintptr_t fp, const char *fmt, ...) __printf(3, 4);

#define assert(cond) \
	do { \
		if (!(cond)) \
			panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); \
	} while (0)

/* Walks frame records from @fp, calling @fn for each return address; returns the depth. */
int backtrace_walk(uintptr_t fp, void (*fn)(uintptr_t pc, void *arg), void *arg, int max);

/* Looks up the kernel symbol containing @addr; returns NULL when unknown. */
const char *ksym_lookup(uintptr_t addr, uintptr_t *offset);
