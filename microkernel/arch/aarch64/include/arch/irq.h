/* Masking interrupts on aarch64 (PSTATE.I), inline: every spinlock does it. */
#pragma once

static inline unsigned long arch_irq_save(void)
{
	unsigned long daif;

	__asm__ volatile("mrs %0, daif; msr daifset, #2" : "=r"(daif)::"memory");
	return !(daif & (1u << 7));	/* nonzero: they were enabled */
}

static inline void arch_irq_restore(unsigned long state)
{
	if (state)
		__asm__ volatile("msr daifclr, #2" ::: "memory");
}

static inline void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}
