/* Shared by the riscv64 interrupt-line tests: counting and waiting for a line's interrupts. */
#ifndef TESTS_KERNEL_RISCV64_IRQWAIT_H
#define TESTS_KERNEL_RISCV64_IRQWAIT_H

#include <kernel/cpu.h>
#include <arch/riscv.h>

/* Kept by kern/cpu.c: how often irq_line_handler() ran for each line. */
extern uint64_t irq_line_counts[256];

static inline uint64_t fired(unsigned line)
{
	return __atomic_load_n(&irq_line_counts[line], __ATOMIC_RELAXED);
}

/* Idles, taking interrupts, until @line has fired @n times in all or @ns have passed. */
static inline uint64_t wait_fired(unsigned line, uint64_t n, uint64_t ns)
{
	uint64_t start = arch_time_ns();

	while (fired(line) < n && arch_time_ns() - start < ns)
		arch_idle();
	return fired(line);
}

#endif
