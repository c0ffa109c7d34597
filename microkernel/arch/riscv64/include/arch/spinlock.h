/*
 * riscv64's release of a ticket lock (<kernel/spinlock.h>): only the holder
 * writes the owner count, so one atomic add with release ordering
 * (amoadd.w.rl) does it, where the generic load, add, fence and store take
 * four.
 */
#pragma once

#include <kernel/types.h>

static inline void arch_spin_release(uint32_t *owner)
{
	__atomic_fetch_add(owner, 1, __ATOMIC_RELEASE);
}
