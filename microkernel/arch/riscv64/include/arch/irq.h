/* Masking interrupts on riscv64 (sstatus.SIE), inline: every spinlock does it. */
#pragma once

static inline unsigned long arch_irq_save(void)
{
	unsigned long old;

	__asm__ volatile("csrrci %0, sstatus, 2" : "=r"(old)::"memory");
	return old & 2;	/* SSTATUS_SIE */
}

/* Setting no bit is harmless, so there is no branch. */
static inline void arch_irq_restore(unsigned long state)
{
	__asm__ volatile("csrs sstatus, %0" ::"r"(state & 2) : "memory");
}

static inline void arch_irq_enable(void)
{
	__asm__ volatile("csrsi sstatus, 2" ::: "memory");
}
