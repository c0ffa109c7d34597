/* Masking interrupts on x86_64 (RFLAGS.IF), inline: every spinlock does it. */
#pragma once

static inline unsigned long arch_irq_save(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags)::"memory");
	return flags & 0x200;	/* RFLAGS.IF */
}

static inline void arch_irq_restore(unsigned long state)
{
	if (state)
		__asm__ volatile("sti" ::: "memory");
}

static inline void arch_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}
