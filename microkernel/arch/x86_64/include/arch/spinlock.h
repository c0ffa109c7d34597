/*
 * x86_64's release of a ticket lock (<kernel/spinlock.h>): only the holder
 * writes the owner count, and an x86 store is a release already (TSO), so
 * a plain increment in memory does it: one instruction where the generic
 * load, add and store take three.
 */
#pragma once

#include <kernel/types.h>

static inline void arch_spin_release(uint32_t *owner)
{
	__asm__ volatile("incl %0" : "+m"(*owner) : : "memory");
}
