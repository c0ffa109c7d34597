/* Ticket spinlocks: FIFO-fair, so no CPU starves under contention. */
#pragma once

#include <kernel/arch.h>
/* An architecture may release a lock its own way (<arch/spinlock.h>: arch_spin_release). */
#if __has_include(<arch/spinlock.h>)
#include <arch/spinlock.h>
#endif

struct spinlock {
	uint32_t next;
	uint32_t owner;
};

#define SPINLOCK_INIT {0, 0}

static inline void spin_lock(struct spinlock *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		__asm__ volatile("" ::: "memory");
}

/* Takes the lock only if it is free right now; returns whether it did. */
static inline bool spin_trylock(struct spinlock *l)
{
	uint32_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint32_t ticket = owner;

	return __atomic_compare_exchange_n(&l->next, &ticket, owner + 1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static inline void spin_unlock(struct spinlock *l)
{
#if __has_include(<arch/spinlock.h>)
	arch_spin_release(&l->owner);
#else
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
#endif
}

/* Takes the lock with interrupts masked; returns the state for spin_unlock_irqrestore. */
static inline unsigned long spin_lock_irqsave(struct spinlock *l)
{
	unsigned long s = arch_irq_save();

	spin_lock(l);
	return s;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, unsigned long s)
{
	spin_unlock(l);
	arch_irq_restore(s);
}
