/* The host tests' stand-in for <arch/irq.h>: no interrupts to mask (stubs.c). */
#pragma once

unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long state);
